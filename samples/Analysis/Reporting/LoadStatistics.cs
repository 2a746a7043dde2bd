namespace Ringway.Samples.Analysis.Reporting;

/// <summary>How evenly requests were spread over servers: counts per server and the figures derived from them.</summary>
internal sealed record LoadStatistics(IReadOnlyList<ServerCount> Servers)
{
    public long Total => Servers.Sum(s => s.Count);

    /// <summary>Average requests per server, counting servers that received none.</summary>
    public double Mean => Servers.Count == 0 ? 0 : (double)Total / Servers.Count;

    public long Min => Servers.Count == 0 ? 0 : Servers.Min(s => s.Count);

    public long Max => Servers.Count == 0 ? 0 : Servers.Max(s => s.Count);

    /// <summary>Busiest server over the average: 1.0 is a perfect spread; at N servers it can reach N.</summary>
    public double PeakToMean => Mean == 0 ? 0 : Max / Mean;

    /// <summary>Population standard deviation of the counts.</summary>
    public double StandardDeviation
    {
        get
        {
            if (Servers.Count == 0) return 0;
            var mean = Mean;
            return Math.Sqrt(Servers.Sum(s => (s.Count - mean) * (s.Count - mean)) / Servers.Count);
        }
    }

    public double Share(ServerCount server) => Total == 0 ? 0 : (double)server.Count / Total;

    /// <summary>
    /// Builds the statistics from observed counts; <paramref name="knownServers"/> (in their order) are listed even
    /// when they received nothing, since an idle server is exactly what a skewed hash produces.
    /// </summary>
    public static LoadStatistics From(IReadOnlyDictionary<string, long> counts, IEnumerable<string> knownServers)
    {
        var ordered = new List<ServerCount>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in knownServers)
        {
            if (seen.Add(name)) ordered.Add(new ServerCount(name, counts.GetValueOrDefault(name)));
        }
        foreach (var (name, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (seen.Add(name)) ordered.Add(new ServerCount(name, count));
        }
        return new LoadStatistics(ordered);
    }
}

internal sealed record ServerCount(string Server, long Count);
