using System.Runtime.CompilerServices;
using Ringway.ConsistentHashing.Hashing;

namespace Ringway.ConsistentHashing;

/// <summary>
/// Warm-up of a node that joins: it takes its keys gradually over a window instead of all at once, so its cold
/// cache is not hit by all of them together. See <see cref="WarmUpSchedule{TNode}"/> for the lookup.
/// </summary>
public static class WarmUp
{
    // Salt of the second key hash, so the order in which keys move is independent of where they are placed.
    private const ulong Salt = 0x5761726D55703031UL; // "WarmUp01"

    /// <summary>
    /// The share of its keys a node that joined at <paramref name="joinedAt"/> takes at <paramref name="now"/>: 0 up to
    /// the join, rising linearly to 1 at <c>joinedAt + window</c>, 1 after. It never decreases as <paramref name="now"/>
    /// grows. A zero window means no warm-up (always 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is negative.</exception>
    public static double Ramp(DateTimeOffset joinedAt, TimeSpan window, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        return Ramp(joinedAt.UtcTicks, window.Ticks, now.UtcTicks);
    }

    /// <summary>The ramp in ticks; a window of zero ticks is no warm-up.</summary>
    internal static double Ramp(long joinedTicks, long windowTicks, long nowTicks)
    {
        if (windowTicks <= 0)
        {
            return 1;
        }

        long elapsed = nowTicks - joinedTicks;
        if (elapsed <= 0)
        {
            return 0;
        }

        return elapsed >= windowTicks ? 1 : (double)elapsed / windowTicks;
    }

    /// <summary>
    /// The key's position in [0, 1) for warm-up: a second hash of the key code, independent of placement. A key moves
    /// to a warming node once that node's ramp exceeds it, and stays there as the ramp grows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double KeyPosition(ulong code) => (KeyHash.Mix(code ^ Salt) >> 11) * (1.0 / (1UL << 53));
}
