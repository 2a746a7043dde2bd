namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// What /add and /rm may do against the membership as it is: the refusals (each a 400 with its reason, nothing
/// changed) and which replicas /rm takes. The request's own shape is checked before, by the admin endpoints.
/// </summary>
internal static class AdminRules
{
    public static AdminResult? RefuseAdd(Membership membership, AddReplicas command, bool canStart, int maxReplicas)
    {
        if (!canStart)
        {
            return Refuse(membership, "This balancer cannot start replicas: its replicas are fixed addresses");
        }

        if (membership.Count + command.N > maxReplicas)
        {
            return Refuse(membership, $"Cannot add {command.N} replica(s): at most {maxReplicas} replicas in total, {membership.Count} now");
        }

        foreach (var hostname in command.Hostnames)
        {
            if (membership.Find(hostname) is not null)
            {
                return Refuse(membership, $"Hostname '{hostname}' already exists");
            }

            if (membership.IsDraining(hostname))
            {
                return Refuse(membership, $"Hostname '{hostname}' is still being removed; try again shortly");
            }
        }

        return null;
    }

    /// <summary>The named replicas, then random others up to N; or the refusal when there are not enough or a name is unknown.</summary>
    public static (List<SupervisedReplica> Chosen, AdminResult? Refusal) ChooseForRemoval(Membership membership, RemoveReplicas command, Random random)
    {
        if (command.N > membership.Count)
        {
            return ([], Refuse(membership, $"Cannot remove {command.N} replica(s): only {membership.Count} exist"));
        }

        var chosen = new List<SupervisedReplica>();
        foreach (var hostname in command.Hostnames)
        {
            var member = membership.Find(hostname);
            if (member is null)
            {
                return ([], Refuse(membership, $"Hostname '{hostname}' is not a replica"));
            }

            chosen.Add(member);
        }

        var others = membership.Members.Except(chosen).ToList();
        while (chosen.Count < command.N)
        {
            var pick = others[random.Next(others.Count)];
            others.Remove(pick);
            chosen.Add(pick);
        }

        return (chosen, null);
    }

    private static AdminResult Refuse(Membership membership, string error) => AdminResult.Fail(400, error, membership.Hostnames);
}
