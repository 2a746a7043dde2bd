using System.Diagnostics;

namespace Ringway.TestSupport.Waiting;

/// <summary>
/// Waiting for a condition instead of sleeping: state that heartbeats, processes or containers change arrives when it
/// arrives, and a busy machine only makes the wait longer, not the test fail.
/// </summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="within"/> passes; returns its last value.</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan within, int pollMilliseconds = 50)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > within)
            {
                return await condition();
            }

            await Task.Delay(pollMilliseconds);
        }

        return true;
    }

    /// <summary>The same for a synchronous condition.</summary>
    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan within, int pollMilliseconds = 50) =>
        TrueAsync(() => Task.FromResult(condition()), within, pollMilliseconds);

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test naming <paramref name="what"/> when <paramref name="within"/> passes first.</summary>
    public static async Task AssertAsync(Func<Task<bool>> condition, string what, TimeSpan within, int pollMilliseconds = 50)
    {
        if (!await TrueAsync(condition, within, pollMilliseconds))
        {
            Xunit.Assert.Fail($"Timed out after {within.TotalSeconds:0.#} s waiting for: {what}");
        }
    }

    /// <summary>The same for a synchronous condition.</summary>
    public static Task AssertAsync(Func<bool> condition, string what, TimeSpan within, int pollMilliseconds = 50) =>
        AssertAsync(() => Task.FromResult(condition()), what, within, pollMilliseconds);
}
