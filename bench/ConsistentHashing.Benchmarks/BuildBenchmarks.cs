using BenchmarkDotNet.Attributes;

namespace Ringway.ConsistentHashing.Benchmarks;

/// <summary>
/// Snapshot build time (every Add or Remove builds a new snapshot). Maglev above 655 nodes uses a table of
/// 1,000,003 slots. Targets: 10,000 nodes rebuild under 50 ms (Maglev) and 200 ms (Ring).
/// </summary>
[MemoryDiagnoser]
public class BuildBenchmarks
{
    private HashNode<string>[] _nodes = null!;
    private ConsistentHashOptions _options = null!;

    [ParamsSource(nameof(Cases))]
    public AlgorithmSize Case { get; set; }

    public static IEnumerable<AlgorithmSize> Cases()
    {
        foreach (var algorithm in Enum.GetValues<ConsistentHashAlgorithm>())
        {
            foreach (int nodes in new[] { 3, 100, 1000, 10_000 })
            {
                if (algorithm != ConsistentHashAlgorithm.Classic || nodes <= 56)
                {
                    yield return new AlgorithmSize(algorithm, nodes);
                }
            }
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _nodes = Keys.Nodes(Case.Nodes);
        _options = Keys.Options(Case.Algorithm, Case.Nodes);
    }

    [Benchmark(Description = "Create")]
    public IConsistentHash<string> Create() => ConsistentHash.Create(Case.Algorithm, _nodes, _options);
}
