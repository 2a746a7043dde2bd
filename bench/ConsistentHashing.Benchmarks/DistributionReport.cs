using System.Globalization;

namespace Ringway.ConsistentHashing.Benchmarks;

/// <summary>
/// Balance and movement over many random keys, printed as markdown: peak-to-mean load at 3 and 10 nodes
/// (1.00 is perfect) and the keys moved going from 10 to 11 nodes, relative to the optimum 1/11.
/// </summary>
internal static class DistributionReport
{
    private sealed record Row(string Name, ConsistentHashAlgorithm Algorithm, bool NumericRequestIds = false, double? BoundedFactor = null);

    public static void Run(int keyCount, TextWriter output)
    {
        var keys = Keys.Random(keyCount, 16, seed: 2026);
        var random = new Random(6);
        var requestIds = Enumerable.Range(0, keyCount).Select(_ => (ulong)random.Next(100_000, 1_000_000)).ToArray();
        Row[] rows =
        [
            new("Ring (160 points per node)", ConsistentHashAlgorithm.Ring),
            new("Maglev (M = 65537)", ConsistentHashAlgorithm.Maglev),
            new("Rendezvous", ConsistentHashAlgorithm.Rendezvous),
            new("Jump", ConsistentHashAlgorithm.Jump),
            new("Classic, string keys", ConsistentHashAlgorithm.Classic),
            new("Classic, 6-digit request ids", ConsistentHashAlgorithm.Classic, NumericRequestIds: true),
            new("Ring + bounded loads, c = 1.05", ConsistentHashAlgorithm.Ring, BoundedFactor: 1.05),
            new("Rendezvous + bounded loads, c = 1.05", ConsistentHashAlgorithm.Rendezvous, BoundedFactor: 1.05),
        ];

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{keyCount:N0} random keys ({(keys.Length > 0 ? keys[0].Length : 0)}-character strings, seed 2026; the 6-digit rows use random 6-digit request ids)."));
        output.WriteLine();
        output.WriteLine("| algorithm | peak-to-mean, 3 nodes | peak-to-mean, 10 nodes | keys moved 10 -> 11 | moved / optimum (1/11) | keys moved 11 -> 10 (remove server-4) / optimum |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            double p3 = PeakToMean(row, 3, keys, requestIds);
            double p10 = PeakToMean(row, 10, keys, requestIds);
            string moved = "n/a (depends on arrival order)";
            string ratio = "n/a";
            string removeRatio = "n/a";
            if (row.BoundedFactor is null)
            {
                var ten = Create(row.Algorithm, 10);
                var eleven = ten.Add(new HashNode<string>("server-11", "server-11"));
                double fraction = Moved(row, ten, eleven, keys, requestIds);
                moved = fraction.ToString("P2", CultureInfo.InvariantCulture);
                ratio = (fraction * 11).ToString("F3", CultureInfo.InvariantCulture);
                var removed = Create(row.Algorithm, 11).Remove("server-4");
                removeRatio = (Moved(row, Create(row.Algorithm, 11), removed, keys, requestIds) * 11).ToString("F3", CultureInfo.InvariantCulture)
                    + (row.Algorithm == ConsistentHashAlgorithm.Jump ? " (last node moves into the gap)" : string.Empty);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {row.Name} | {p3:F3} | {p10:F3} | {moved} | {ratio} | {removeRatio} |"));
        }
    }

    /// <summary>
    /// A ring's balance depends on its node ids, so one id set says little: exact shares (from the arcs, no key
    /// sampling) over many random id sets, for the default and a denser ring.
    /// </summary>
    public static void RunRingSpread(int idSets, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ring peak-to-mean, exact (arc lengths), over {idSets} random node-id sets per row:"));
        output.WriteLine();
        output.WriteLine("| points per node | nodes | median | 90th percentile | worst |");
        output.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (int points in new[] { 160, 1000 })
        {
            foreach (int nodes in new[] { 3, 10 })
            {
                var random = new Random((points * 31) + nodes);
                var results = new double[idSets];
                for (int set = 0; set < idSets; set++)
                {
                    var ids = Enumerable.Range(0, nodes).Select(_ => $"node-{random.NextInt64():x16}").Distinct().ToArray();
                    var ring = (Algorithms.RingHash<string>)ConsistentHash.Create(
                        ConsistentHashAlgorithm.Ring,
                        ids.Select(id => new HashNode<string>(id, id)),
                        new ConsistentHashOptions { PointsPerWeight = points });
                    results[set] = ArcPeakToMean(ring.Positions, ring.Owners, ids.Length);
                }

                Array.Sort(results);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {points} | {nodes} | {results[idSets / 2]:F3} | {results[(int)(idSets * 0.9)]:F3} | {results[^1]:F3} |"));
            }
        }
    }

    private static double ArcPeakToMean(ReadOnlySpan<ulong> positions, ReadOnlySpan<int> owners, int nodes)
    {
        // Point i owns the keys in (positions[i - 1], positions[i]]; the first point also owns the wrap-around arc.
        var shares = new double[nodes];
        for (int i = 0; i < positions.Length; i++)
        {
            ulong arc = i == 0 ? positions[0] + (ulong.MaxValue - positions[^1]) + 1 : positions[i] - positions[i - 1];
            shares[owners[i]] += arc / 18446744073709551616.0;
        }

        return shares.Max() * nodes;
    }

    private static IConsistentHash<string> Create(ConsistentHashAlgorithm algorithm, int nodes)
        => ConsistentHash.Create(algorithm, Keys.Nodes(nodes), Keys.Options(algorithm, nodes));

    private static int IndexOf(Row row, IConsistentHash<string> hash, int i, string[] keys, ulong[] ids)
        => row.NumericRequestIds ? hash.GetNodeIndex(ids[i].ToString(CultureInfo.InvariantCulture)) : hash.GetNodeIndex(keys[i]);

    private static double PeakToMean(Row row, int nodes, string[] keys, ulong[] ids)
    {
        var hash = Create(row.Algorithm, nodes);
        var loads = new int[nodes];
        for (int i = 0; i < keys.Length; i++)
        {
            int node = row.BoundedFactor is double c ? BoundedLoads.GetNodeIndex(hash, keys[i], loads, c) : IndexOf(row, hash, i, keys, ids);
            loads[node]++;
        }

        return loads.Max() / loads.Average();
    }

    private static double Moved(Row row, IConsistentHash<string> before, IConsistentHash<string> after, string[] keys, ulong[] ids)
    {
        int moved = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            string key = row.NumericRequestIds ? ids[i].ToString(CultureInfo.InvariantCulture) : keys[i];
            if (before.GetNode(key) != after.GetNode(key))
            {
                moved++;
            }
        }

        return moved / (double)keys.Length;
    }
}
