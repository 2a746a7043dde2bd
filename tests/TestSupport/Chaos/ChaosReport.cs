using System.Globalization;
using Xunit.Abstractions;

namespace Ringway.TestSupport.Chaos;

/// <summary>The figures of a chaos run, in one format for the process and the Docker system (docs/reliability.md quotes it).</summary>
public static class ChaosReport
{
    /// <summary>Prints and records the run's summary line and the first failures.</summary>
    public static void Write(
        ITestOutputHelper output, string system, string kill, int clients, int seconds, int killEvery, LoadGenerator load, int n,
        IReadOnlyCollection<(string Victim, TimeSpan Listed, TimeSpan Answering)> recoveries, int unrecovered)
    {
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"chaos ({system}): {clients} clients, {seconds} s, {kill} every {killEvery} s: {load.Gets} GETs ({load.Gets / (double)seconds:F0}/s), {load.FailedGets} failed; " +
            $"{recoveries.Count + unrecovered} kills, {recoveries.Count} recovered; /rep shows N = {n} again after " +
            $"{Describe(recoveries.Select(r => r.Listed))}; all replicas answering after {Describe(recoveries.Select(r => r.Answering))}");
        Write(output, figures, load);
    }

    /// <summary>Prints and records a run's figures, then prints the load's first failures.</summary>
    public static void Write(ITestOutputHelper output, string figures, LoadGenerator load)
    {
        output.WriteLine(figures);
        Settings.Record(figures);
        foreach (var failure in load.Failures)
        {
            output.WriteLine("  " + failure);
        }
    }

    /// <summary>min, median and max of some durations, in milliseconds.</summary>
    public static string Describe(IEnumerable<TimeSpan> times)
    {
        var milliseconds = times.Select(t => t.TotalMilliseconds).Order().ToList();
        return milliseconds.Count == 0
            ? "(none)"
            : string.Create(CultureInfo.InvariantCulture, $"min {milliseconds[0]:F0} ms, median {milliseconds[milliseconds.Count / 2]:F0} ms, max {milliseconds[^1]:F0} ms (n = {milliseconds.Count})");
    }
}
