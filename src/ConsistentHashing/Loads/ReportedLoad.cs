namespace Ringway.ConsistentHashing;

/// <summary>
/// The load a node last reported about itself (requests in flight at the node, from every balancer: ORCA's named
/// metric <see cref="OrcaLoadReport.RequestsInFlight"/>), turned into the load bounded loads compares. Thread-safe and
/// allocation-free: one instance per node, written when a report arrives, read on every lookup.
/// </summary>
/// <remarks>
/// The estimate is the reported load plus the change in this balancer's own requests in flight to the node since the
/// report, so requests sent after it count at once. A report older than the staleness limit (or none yet) falls back
/// to this balancer's own count. A reader racing a writer may pair one report's load with the other's time; the next
/// lookup sees the consistent pair.
/// </remarks>
public sealed class ReportedLoad
{
    /// <summary>The default staleness limit: 3 seconds (three heartbeats at the default one-second interval).</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromSeconds(3);

    // The reported load (high 32 bits) and this balancer's own count when it arrived (low 32 bits).
    private long _packed;
    private long _reportedAtTicks = long.MinValue;

    /// <summary>Records a report: the node's <paramref name="load"/> at <paramref name="at"/>, when this balancer had <paramref name="localInFlight"/> requests in flight to it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="load"/> is negative, infinite or NaN, or <paramref name="localInFlight"/> is negative.</exception>
    public void Report(double load, int localInFlight, DateTimeOffset at)
    {
        if (!(load >= 0) || double.IsPositiveInfinity(load))
        {
            throw new ArgumentOutOfRangeException(nameof(load), load, "A reported load must be a finite number >= 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(localInFlight);
        long rounded = (long)Math.Min(Math.Round(load, MidpointRounding.AwayFromZero), int.MaxValue);
        Volatile.Write(ref _packed, (rounded << 32) | (uint)localInFlight);
        Volatile.Write(ref _reportedAtTicks, at.UtcTicks);
    }

    /// <summary>
    /// The node's load for bounded loads at <paramref name="now"/>: the last report adjusted by this balancer's own
    /// change since (never below 0), or <paramref name="localInFlight"/> when there is no report younger than
    /// <paramref name="maxAge"/> (see <see cref="DefaultMaxAge"/>).
    /// </summary>
    public int Estimate(int localInFlight, DateTimeOffset now, TimeSpan maxAge)
    {
        long at = Volatile.Read(ref _reportedAtTicks);
        if (at == long.MinValue || now.UtcTicks - at > maxAge.Ticks)
        {
            return localInFlight;
        }

        long packed = Volatile.Read(ref _packed);
        long estimate = (packed >> 32) + localInFlight - (uint)packed;
        return (int)Math.Clamp(estimate, 0, int.MaxValue);
    }

    /// <summary>The last report (its load rounded to a whole number, and its time), if any.</summary>
    public bool TryGetLast(out int load, out DateTimeOffset at)
    {
        long ticks = Volatile.Read(ref _reportedAtTicks);
        load = (int)(Volatile.Read(ref _packed) >> 32);
        at = ticks == long.MinValue ? default : new DateTimeOffset(ticks, TimeSpan.Zero);
        return ticks != long.MinValue;
    }
}
