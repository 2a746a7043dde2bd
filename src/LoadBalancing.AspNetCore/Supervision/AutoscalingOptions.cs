namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// Optional autoscaling of the replica count by requests in flight (configuration section <c>Autoscaling</c>; off by default). Needs a provider that can start
/// replicas. <c>/add</c> and <c>/rm</c> keep working; the autoscaler then moves the count within its bounds.
/// </summary>
public sealed class AutoscalingOptions
{
    /// <summary>Whether the supervisor scales the replica count. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The fewest replicas the autoscaler leaves. Default 1.</summary>
    public int MinReplicas { get; set; } = 1;

    /// <summary>The most replicas the autoscaler starts (never above <see cref="ReplicaSetOptions.MaxCount"/>). Default 16.</summary>
    public int MaxReplicas { get; set; } = 16;

    /// <summary>Requests in flight per replica the autoscaler aims for: it wants <c>ceil(in flight / target)</c> replicas. Default 10.</summary>
    public int TargetInFlightPerReplica { get; set; } = 10;

    /// <summary>How often the load is sampled; decisions use the average of the last five samples. Default 1 second.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Least time between a scaling action and the next scale-up. Default 10 seconds.</summary>
    public TimeSpan ScaleUpCooldown { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Least time between a scaling action and the next scale-down (one replica at a time, drained). Default 60 seconds.</summary>
    public TimeSpan ScaleDownCooldown { get; set; } = TimeSpan.FromSeconds(60);
}
