using Ringway.ConsistentHashing;

namespace Ringway.Samples.Analysis.Simulation;

/// <summary>Where the measured requests of a replay went, against each key's primary (its node under plain hashing).</summary>
internal sealed class Tally
{
    private readonly int[] _primary;
    private readonly bool[] _requested;
    private readonly bool[] _leftPrimary;
    private long _onPrimary;
    private long _measured;

    public Tally(IConsistentHash<string> hash, ZipfKeys keys)
    {
        _primary = keys.Names.Select(name => hash.GetNodeIndex(name)).ToArray();
        _requested = new bool[keys.Count];
        _leftPrimary = new bool[keys.Count];
        Counts = new long[hash.Count];
        Shed = new long[hash.Count];
    }

    /// <summary>Requests per replica.</summary>
    public long[] Counts { get; }

    /// <summary>Requests per primary replica that went elsewhere.</summary>
    public long[] Shed { get; }

    public void Count(int key, int replica)
    {
        _measured++;
        Counts[replica]++;
        _requested[key] = true;
        if (replica == _primary[key])
        {
            _onPrimary++;
            return;
        }

        _leftPrimary[key] = true;
        Shed[_primary[key]]++;
    }

    public SchemeResult Result(string scheme, double peakToMean, IReadOnlyList<HotKeyShare>? hotKeys = null)
    {
        var distinct = _requested.Count(r => r);
        var stayed = _requested.Where((r, k) => r && !_leftPrimary[k]).Count();
        return new SchemeResult(scheme, Counts, Shed, peakToMean, (double)_onPrimary / _measured, (double)stayed / distinct, distinct - stayed, hotKeys);
    }
}
