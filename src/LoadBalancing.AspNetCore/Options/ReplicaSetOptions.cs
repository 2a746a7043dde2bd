namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>How many replicas run and how they are stopped (configuration section <c>Replicas</c>).</summary>
public sealed class ReplicaSetOptions
{
    /// <summary>The number of replicas kept running when the provider can start replicas (named <c>Server 1</c> .. <c>Server N</c>). Default 3.</summary>
    public int Count { get; set; } = 3;

    /// <summary>The most replicas <c>/add</c> may bring the total to. Default 64.</summary>
    public int MaxCount { get; set; } = 64;

    /// <summary>How long requests in flight on a removed replica may take to finish before it is stopped. Default 10 seconds.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether replicas the provider started are stopped when the application stops. Default true.</summary>
    public bool StopOnShutdown { get; set; } = true;
}
