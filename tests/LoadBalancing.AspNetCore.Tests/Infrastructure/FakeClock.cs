using Microsoft.Extensions.Time.Testing;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Moving a <see cref="FakeTimeProvider"/> while the code under test runs on the thread pool: the clock moves in steps,
/// and after each step the work it released (timers, probes, posted commands) gets a moment of real time to run.
/// A busy machine only makes a condition take more steps, never fire early.
/// </summary>
internal static class FakeClock
{
    public static readonly TimeSpan DefaultStep = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(2);

    /// <summary>Moves the clock until <paramref name="condition"/> holds; fails once <paramref name="within"/> of clock time passed.</summary>
    /// <returns>The clock time it took.</returns>
    public static async Task<TimeSpan> AdvanceUntilAsync(this FakeTimeProvider time, Func<bool> condition, string what, TimeSpan within, TimeSpan? step = null)
    {
        var advanced = TimeSpan.Zero;
        while (!await SettledAsync(condition))
        {
            Assert.True(advanced < within, $"Not within {within} of clock time: {what}");
            time.Advance(step ?? DefaultStep);
            advanced += step ?? DefaultStep;
        }

        return advanced;
    }

    /// <summary>Moves the clock by <paramref name="total"/>, in steps.</summary>
    public static async Task AdvanceAsync(this FakeTimeProvider time, TimeSpan total, TimeSpan? step = null)
    {
        for (var advanced = TimeSpan.Zero; advanced < total;)
        {
            var next = TimeSpan.FromTicks(Math.Min((step ?? DefaultStep).Ticks, (total - advanced).Ticks));
            time.Advance(next);
            advanced += next;
            await Task.Delay(SettleTime);
        }
    }

    private static async Task<bool> SettledAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3; i++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(SettleTime);
        }

        return condition();
    }
}
