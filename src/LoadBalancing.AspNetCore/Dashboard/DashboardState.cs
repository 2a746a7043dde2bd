using System.Text.Json;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Supervision;

namespace Ringway.LoadBalancing.AspNetCore.Dashboard;

/// <summary>
/// Writes what the dashboard shows, read from state the balancer keeps anyway: the published members and draining
/// replicas, the current routing snapshot, the membership event log and (while watched) the meter's counts.
/// </summary>
internal static class DashboardState
{
    /// <summary>The replica states the page knows, as written in <c>state</c>.</summary>
    public const string Starting = "starting";
    public const string InRing = "in ring";
    public const string WarmingUp = "warming up";
    public const string Draining = "draining";
    public const string Failed = "failed";

    public static void Write(
        Utf8JsonWriter writer,
        ReplicaSupervisor supervisor,
        RoutingSnapshot snapshot,
        double[] shares,
        IReadOnlyDictionary<string, (double RequestsPerSecond, long Errors)> traffic,
        IReadOnlyList<MembershipChange> events,
        AdminRoutes? admin,
        DateTimeOffset now)
    {
        writer.WriteStartObject();
        writer.WriteString("time", now);
        writer.WriteString("algorithm", snapshot.Hash?.Algorithm.ToString());
        writer.WriteStartArray("replicas");
        foreach (var member in supervisor.Members)
        {
            var state = !member.State.IsRoutable ? member.Ready.Task.IsCompleted ? Failed : Starting
                : IsWarming(snapshot, member.State, now) ? WarmingUp
                : InRing;
            WriteReplica(writer, member, state, snapshot, shares, traffic);
        }

        foreach (var member in supervisor.Draining)
        {
            WriteReplica(writer, member, Draining, snapshot, shares, traffic);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("events");
        foreach (var change in events)
        {
            writer.WriteStartObject();
            writer.WriteString("at", change.At);
            writer.WriteString("kind", change.Kind.ToString());
            writer.WriteString("replica", change.Hostname);
            writer.WriteString("reason", change.Reason.ToString());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("admin");
        writer.WriteBoolean("enabled", admin is not null);
        writer.WriteBoolean("canAdd", admin is not null && supervisor.CanStart);
        writer.WriteString("add", admin?.Add);
        writer.WriteString("remove", admin?.Remove);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Whether the replica is in the ring but still ramping up to its full share (Hashing:WarmUp).</summary>
    private static bool IsWarming(RoutingSnapshot snapshot, ReplicaState replica, DateTimeOffset now)
    {
        var index = Array.IndexOf(snapshot.Replicas, replica);
        return index >= 0 && snapshot.WarmUp is { } warmUp && warmUp.IsWarming(now) && warmUp.Warming.Contains(index) && warmUp.ShareOf(index, now) < 1;
    }

    private static void WriteReplica(
        Utf8JsonWriter writer,
        SupervisedReplica member,
        string state,
        RoutingSnapshot snapshot,
        double[] shares,
        IReadOnlyDictionary<string, (double RequestsPerSecond, long Errors)> traffic)
    {
        var replica = member.State.Replica;
        var index = Array.IndexOf(snapshot.Replicas, member.State);
        var (rate, errors) = traffic.GetValueOrDefault(member.Hostname);
        writer.WriteStartObject();
        writer.WriteString("name", replica.Hostname);
        writer.WriteString("address", replica.Address.ToString());
        writer.WriteString("providerId", replica.ProviderId);
        writer.WriteString("location", replica.Location);
        writer.WriteString("state", state);
        if (member.HeartbeatLatency is { } latency)
        {
            writer.WriteNumber("heartbeatMs", Math.Round(latency.TotalMilliseconds, 1));
        }
        else
        {
            writer.WriteNull("heartbeatMs");
        }

        writer.WriteNumber("requestsPerSecond", Math.Round(rate, 1));
        writer.WriteNumber("inFlight", member.State.InFlight);
        writer.WriteNumber("errors", errors);
        writer.WriteNumber("failedHeartbeats", member.Failures);
        writer.WriteNumber("share", index >= 0 && index < shares.Length ? shares[index] : 0);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The key's failover order now, as the balancer's picker gives it (warm-up included): where a request with this key
    /// goes, and where it fails over.
    /// </summary>
    public static void WriteKey(Utf8JsonWriter writer, string key, RoutingSnapshot snapshot, ReplicaPicker picker, bool boundedLoads)
    {
        writer.WriteStartObject();
        writer.WriteString("key", key);
        writer.WriteBoolean("boundedLoads", boundedLoads);
        writer.WriteStartArray("order");
        if (snapshot.Hash is { } hash)
        {
            Span<int> order = stackalloc int[Math.Min(hash.Count, 64)];
            var count = picker.Order(snapshot, key, order);
            for (var i = 0; i < count; i++)
            {
                var replica = snapshot.Replicas[order[i]];
                writer.WriteStartObject();
                writer.WriteString("name", replica.Hostname);
                writer.WriteString("address", replica.Replica.Address.ToString());
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
