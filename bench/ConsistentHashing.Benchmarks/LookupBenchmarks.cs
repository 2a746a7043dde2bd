using BenchmarkDotNet.Attributes;

namespace Ringway.ConsistentHashing.Benchmarks;

/// <summary>
/// Lookup cost per key, hashing included: 16-character string keys, 1,024 distinct keys per invocation so
/// the numbers include realistic cache behaviour. Classic holds at most 56 servers, so it runs at 3 only.
/// </summary>
[MemoryDiagnoser]
public class LookupBenchmarks
{
    private const int KeyCount = 1024;
    private IConsistentHash<string> _hash = null!;
    private string[] _keys = null!;
    private ulong[] _numbers = null!;
    private readonly string[] _top = new string[3];

    [ParamsSource(nameof(Cases))]
    public AlgorithmSize Case { get; set; }

    public static IEnumerable<AlgorithmSize> Cases()
    {
        foreach (var algorithm in Enum.GetValues<ConsistentHashAlgorithm>())
        {
            foreach (int nodes in new[] { 3, 100, 1000 })
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
        _hash = ConsistentHash.Create(Case.Algorithm, Keys.Nodes(Case.Nodes), Keys.Options(Case.Algorithm, Case.Nodes));
        _keys = Keys.Random(KeyCount);
        var random = new Random(7);
        _numbers = Enumerable.Range(0, KeyCount).Select(_ => (ulong)random.NextInt64()).ToArray();
    }

    [Benchmark(OperationsPerInvoke = KeyCount, Description = "GetNode(string)")]
    public int GetNodeString()
    {
        int sum = 0;
        foreach (var key in _keys)
        {
            sum += _hash.GetNode(key).Length;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = KeyCount, Description = "GetNode(ulong)")]
    public int GetNodeNumber()
    {
        int sum = 0;
        foreach (ulong key in _numbers)
        {
            sum += _hash.GetNode(key).Length;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = KeyCount, Description = "GetNodes(string, 3)")]
    public int GetNodesThree()
    {
        int sum = 0;
        foreach (var key in _keys)
        {
            sum += _hash.GetNodes(key, _top);
        }

        return sum;
    }
}

/// <summary>One benchmark case: an algorithm and a node count.</summary>
public readonly record struct AlgorithmSize(ConsistentHashAlgorithm Algorithm, int Nodes)
{
    public override string ToString() => $"{Algorithm}/{Nodes}";
}
