using System.Diagnostics;

namespace Ringway.Yarp.Tests.Infrastructure;

internal static class Wait
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails the test after a generous limit (a busy machine is slow, not broken).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, int seconds = 30)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                Assert.Fail($"Waited {seconds} s for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
