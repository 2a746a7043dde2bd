namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// Brings membership in line with what the provider lists, without starting or stopping anything: for a balancer that
/// does not act on membership (another one does), and for one that has just begun to act and adopts what runs.
/// </summary>
internal sealed class MembershipFollower(IReplicaProvider provider, Membership membership, ReplicaLifecycle lifecycle)
{
    /// <summary>Adds listed replicas that are not members (they join the ring at their first answer); drops members no longer listed.</summary>
    public async Task FollowAsync(CancellationToken cancellationToken)
    {
        var listed = await provider.ListAsync(cancellationToken).ConfigureAwait(false);
        var listedIds = listed.Select(r => (r.Hostname, r.ProviderId)).ToHashSet();
        foreach (var gone in membership.Members.Where(m => !listedIds.Contains((m.Hostname, m.State.Replica.ProviderId))).ToList())
        {
            membership.Leave(gone, MembershipChangeReason.Followed);
            membership.Remove(gone, MembershipChangeReason.Followed);
        }

        var added = listed.Where(r => membership.Find(r) is null && !membership.IsTaken(r.Hostname)).ToList();
        if (added.Count > 0)
        {
            lifecycle.AddStarted(added, MembershipChangeReason.Followed);
        }

        membership.Publish();
    }
}
