using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using BenchmarkDotNet.Attributes;

namespace Ringway.ConsistentHashing.Benchmarks;

/// <summary>
/// Where the time of a string lookup goes: turning 16 UTF-16 characters into UTF-8 and hashing them with
/// xxHash3-64, by several routes (the package uses the fastest that gives identical bytes).
/// </summary>
[MemoryDiagnoser]
[SkipLocalsInit]
public class KeyHashingBenchmarks
{
    private const int KeyCount = 1024;
    private string[] _keys = null!;
    private byte[][] _utf8 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _keys = Keys.Random(KeyCount);
        _utf8 = _keys.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    [Benchmark(OperationsPerInvoke = KeyCount, Description = "xxh3 of 16 bytes only")]
    public ulong HashBytesOnly()
    {
        ulong sum = 0;
        foreach (var key in _utf8)
        {
            sum += XxHash3.HashToUInt64(key);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = KeyCount, Description = "Encoding.UTF8.GetBytes + xxh3")]
    public ulong EncodingThenHash()
    {
        ulong sum = 0;
        Span<byte> buffer = stackalloc byte[512];
        foreach (var key in _keys)
        {
            int written = Encoding.UTF8.GetBytes(key, buffer);
            sum += XxHash3.HashToUInt64(buffer[..written]);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = KeyCount, Description = "Utf8.FromUtf16 + xxh3")]
    public ulong TranscodeThenHash()
    {
        ulong sum = 0;
        Span<byte> buffer = stackalloc byte[512];
        foreach (var key in _keys)
        {
            Utf8.FromUtf16(key, buffer, out _, out int written);
            sum += XxHash3.HashToUInt64(buffer[..written]);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = KeyCount, Description = "Ascii.FromUtf16 + xxh3")]
    public ulong AsciiThenHash()
    {
        ulong sum = 0;
        Span<byte> buffer = stackalloc byte[512];
        foreach (var key in _keys)
        {
            Ascii.FromUtf16(key, buffer, out int written);
            sum += XxHash3.HashToUInt64(buffer[..written]);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = KeyCount, Description = "package key hash (ASCII fast path + xxh3)")]
    public ulong PackageKeyHash()
    {
        ulong sum = 0;
        foreach (var key in _keys)
        {
            sum += Hashing.KeyHash.Chars(key);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = KeyCount, Description = "IConsistentHash.GetNodeIndex(string), Maglev/3")]
    public int MaglevLookup()
    {
        _maglev ??= ConsistentHash.Create(ConsistentHashAlgorithm.Maglev, Keys.Nodes(3));
        int sum = 0;
        foreach (var key in _keys)
        {
            sum += _maglev.GetNodeIndex(key);
        }

        return sum;
    }

    private IConsistentHash<string>? _maglev;
}
