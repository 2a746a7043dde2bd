using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore.Observability;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// Who the replicas are: the members in the order they came (as /rep lists them), the removed ones still draining,
/// and how many to keep. Only the supervisor's loop changes it. Every ring change goes through here, so the log and
/// <see cref="Changed"/> report each one; readers on other threads use <see cref="Published"/>.
/// </summary>
internal sealed class Membership(ReplicaTable table, TimeProvider time, ILogger logger)
{
    private readonly List<SupervisedReplica> _members = [];
    private readonly Dictionary<string, SupervisedReplica> _draining = new(StringComparer.Ordinal);
    private volatile SupervisedReplica[] _published = [];
    private volatile SupervisedReplica[] _publishedDraining = [];

    /// <summary>Raised on the supervisor's loop, one change at a time, in order. Handlers must be quick and must not throw.</summary>
    public event Action<MembershipChange>? Changed;

    public IReadOnlyList<SupervisedReplica> Members => _members;

    public int Count => _members.Count;

    /// <summary>How many members the supervisor keeps running (when the provider can start replicas).</summary>
    public int Desired { get; set; }

    /// <summary>The members as last published, for any thread.</summary>
    public SupervisedReplica[] Published => _published;

    /// <summary>The removed replicas still draining, as last published, for any thread.</summary>
    public SupervisedReplica[] PublishedDraining => _publishedDraining;

    public IReadOnlyList<string> Hostnames => Array.ConvertAll(_published, m => m.Hostname);

    public int RoutableCount => table.Current.Count;

    /// <summary>Whether a member or a replica still draining has this name.</summary>
    public bool IsTaken(string hostname) => Find(hostname) is not null || _draining.ContainsKey(hostname);

    public bool IsDraining(string hostname) => _draining.ContainsKey(hostname);

    public SupervisedReplica? Find(string hostname) => _members.Find(m => m.Hostname == hostname);

    /// <summary>The member for a replica the provider reports: same name and same provider id (not a newer one under the name).</summary>
    public SupervisedReplica? Find(Replica replica)
        => _members.Find(m => m.Hostname == replica.Hostname && m.State.Replica.ProviderId == replica.ProviderId);

    public SupervisedReplica Add(Replica replica, MembershipChangeReason reason)
    {
        var member = new SupervisedReplica(new ReplicaState(replica), reason);
        _members.Add(member);
        Raise(MembershipChangeKind.Added, member, reason);
        return member;
    }

    /// <summary>Puts a member that answers in the ring (no change when it is there already or no longer a member).</summary>
    public void Join(SupervisedReplica member)
    {
        // The replicas the balancer starts with take their share at once; any later join (a recovery too) warms up.
        var warmUp = member.HasJoined || member.Origin is not (MembershipChangeReason.Initial or MembershipChangeReason.Adopted);
        if (!member.State.IsRoutable && !member.Removed && table.Join(member.State, warmUp))
        {
            Log.Joined(logger, member.Hostname, member.State.Replica.Address, table.Current.Count);
            Raise(MembershipChangeKind.Joined, member, member.HasJoined ? MembershipChangeReason.Recovered : member.Origin);
            member.HasJoined = true;
        }

        // After the join: whoever waits for the first answer (the host's start) then finds the replica in the ring.
        member.Ready.TrySetResult();
    }

    /// <summary>Takes a replica out of the ring at once; it may stay a member (a fixed address keeps being probed).</summary>
    public void Leave(SupervisedReplica member, MembershipChangeReason reason)
    {
        if (table.Leave(member.State))
        {
            Log.Left(logger, member.Hostname, Describe(reason), table.Current.Count);
            Raise(MembershipChangeKind.Left, member, reason);
        }
    }

    /// <summary>Ends membership: gone from /rep, and probes leave it alone.</summary>
    public void Remove(SupervisedReplica member, MembershipChangeReason reason)
    {
        _members.Remove(member);
        member.MarkRemoved(reason);
    }

    /// <summary>Keeps a removed replica's name taken until it is stopped.</summary>
    public void StartDraining(SupervisedReplica member) => _draining[member.Hostname] = member;

    /// <summary>Whether this replica (not a later one of the same name) is still draining.</summary>
    public bool IsDraining(SupervisedReplica member)
        => _draining.TryGetValue(member.Hostname, out var draining) && ReferenceEquals(draining, member);

    public void EndDraining(SupervisedReplica member) => _draining.Remove(member.Hostname);

    /// <summary>Members and draining replicas: everything the provider runs for this balancer.</summary>
    public List<SupervisedReplica> All() => [.. _members, .. _draining.Values];

    public void Clear()
    {
        _members.Clear();
        _draining.Clear();
    }

    public void Stopped(SupervisedReplica member) => Raise(MembershipChangeKind.Stopped, member, member.RemovedBecause);

    /// <summary>Reports the names about to be started, before the provider's start (which may take seconds) returns.</summary>
    public void Starting(IEnumerable<string> hostnames, MembershipChangeReason reason)
    {
        foreach (var hostname in hostnames)
        {
            Changed?.Invoke(new MembershipChange(MembershipChangeKind.Starting, hostname, reason, time.GetUtcNow()));
        }
    }

    public void Publish()
    {
        _published = [.. _members];
        _publishedDraining = [.. _draining.Values];
    }

    private void Raise(MembershipChangeKind kind, SupervisedReplica member, MembershipChangeReason reason)
        => Changed?.Invoke(new MembershipChange(kind, member.Hostname, reason, time.GetUtcNow()));

    // The words the log has always used.
    private static string Describe(MembershipChangeReason reason) => reason switch
    {
        MembershipChangeReason.Admin => "removed",
        MembershipChangeReason.Autoscale => "autoscaling down",
        MembershipChangeReason.HeartbeatsFailed => "heartbeats failed",
        MembershipChangeReason.NeverAnswered => "did not answer after start",
        MembershipChangeReason.Exited => "exited",
        MembershipChangeReason.Shutdown => "shutting down",
        MembershipChangeReason.Followed => "gone from the provider's list",
        _ => reason.ToString(),
    };
}
