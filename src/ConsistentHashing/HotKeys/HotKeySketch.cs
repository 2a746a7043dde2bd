using System.Runtime.CompilerServices;
using Ringway.ConsistentHashing.Hashing;

namespace Ringway.ConsistentHashing;

/// <summary>
/// Finds the hottest keys of a stream of requests and estimates each key's share: a Count-Min sketch (4 rows of
/// <see cref="HotKeyOptions.SketchWidth"/> counters) with periodic halving, plus a short list of the hottest keys.
/// Bounded memory; recording allocates nothing and is safe from any number of threads (a few interlocked increments).
/// </summary>
/// <remarks>
/// A key's count is the smallest of its four counters, so it is never underestimated and overestimated only by
/// collisions (about <c>e / SketchWidth</c> of all requests at most). Every <see cref="HotKeyOptions.HalfLife"/> all
/// counts are halved, so hotness fades. Time is an input: pass the same clock to every call.
/// </remarks>
public sealed class HotKeySketch
{
    private const int Depth = 4;
    private const int MaxKeyChars = 64;
    private const int MinimumAdmission = 8;
    private const ulong Salt = 0x486F744B65797331UL; // "HotKeys1"

    private readonly int[] _counters;
    private readonly int _width;
    private readonly int _mask;
    private readonly long _halfLifeTicks;
    private readonly int _minimumRequests;
    private long _total;
    private long _nextHalvingTicks = long.MinValue;

    // The hottest keys seen (fingerprint, count when last updated, first MaxKeyChars characters), under _topLock.
    private readonly Lock _topLock = new();
    private readonly ulong[] _topFingerprints;
    private readonly int[] _topCounts;
    private readonly char[] _topKeys;
    private readonly int[] _topKeyLengths;
    private readonly double[] _topSpills;
    private int _topCount;
    private volatile int _admission = MinimumAdmission;

    /// <summary>Creates an empty sketch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (<see cref="HotKeyOptions.Validate"/>).</exception>
    public HotKeySketch(HotKeyOptions? options = null)
    {
        options ??= HotKeyOptions.Default;
        options.Validate();
        Options = options;
        _width = options.SketchWidth;
        _mask = _width - 1;
        _counters = new int[Depth * _width];
        _halfLifeTicks = options.HalfLife.Ticks;
        _minimumRequests = options.MinimumRequests;
        _topFingerprints = new ulong[options.TopKeys];
        _topCounts = new int[options.TopKeys];
        _topKeys = new char[options.TopKeys * MaxKeyChars];
        _topKeyLengths = new int[options.TopKeys];
        _topSpills = new double[options.TopKeys];
    }

    /// <summary>The options the sketch was created with.</summary>
    public HotKeyOptions Options { get; }

    /// <summary>The requests counted, after halving (the denominator of shares, before <see cref="HotKeyOptions.MinimumRequests"/>).</summary>
    public long TotalRequests => Volatile.Read(ref _total);

    /// <summary>Counts one request for <paramref name="key"/> at <paramref name="now"/> and returns the key's estimated share of all requests (0 to 1), this one included.</summary>
    public double Record(ReadOnlySpan<char> key, DateTimeOffset now) => Record(KeyHash.Chars(key), key, now.UtcTicks, out _);

    /// <summary>The key's estimated share of all requests (0 to 1), without counting a request.</summary>
    public double ShareOf(ReadOnlySpan<char> key) => ShareOf(Estimate(KeyHash.Chars(key)));

    /// <summary>
    /// The hottest keys with their estimated shares, hottest first (at most <see cref="HotKeyOptions.TopKeys"/>).
    /// Keys longer than 64 characters are cut there and end with "…". Allocates; meant for reports and metrics.
    /// </summary>
    public IReadOnlyList<HotKey> TopKeys()
    {
        var keys = new List<(ulong Fingerprint, string Key)>();
        lock (_topLock)
        {
            for (int i = 0; i < _topCount; i++)
            {
                int length = _topKeyLengths[i];
                var text = _topKeys.AsSpan(i * MaxKeyChars, Math.Min(length, MaxKeyChars));
                keys.Add((_topFingerprints[i], length > MaxKeyChars ? string.Concat(text, "…") : new string(text)));
            }
        }

        return keys.Select(k => new HotKey(k.Key, ShareOf(Estimate(k.Fingerprint))))
            .Where(k => k.Share > 0)
            .OrderByDescending(k => k.Share)
            .ToList();
    }

    /// <summary>
    /// Per hot key in the list, the fraction of its requests spreading sends away from its first node (0 to 1),
    /// learned by <see cref="HotKeySpreading"/>; reset when a slot changes hands. Races only blur it.
    /// </summary>
    internal double[] Spills => _topSpills;

    /// <summary>Counts one request for the key with this xxHash3 fingerprint; returns its estimated share and its count.</summary>
    [SkipLocalsInit]
    internal double Record(ulong fingerprint, ReadOnlySpan<char> key, long nowTicks, out int count)
    {
        HalveWhenDue(nowTicks);
        ulong mixed = KeyHash.Mix(fingerprint ^ Salt);
        int[] counters = _counters;
        count = int.MaxValue;
        for (int row = 0; row < Depth; row++)
        {
            int slot = (row * _width) + (int)((mixed >> (16 * row)) & (uint)_mask);
            count = Math.Min(count, Interlocked.Increment(ref counters[slot]));
        }

        long total = Interlocked.Increment(ref _total);

        // Only every 8th count of a key that could enter the list takes the lock, so hot keys do not queue on it.
        if (count >= _admission && (count & (MinimumAdmission - 1)) == 0)
        {
            Admit(fingerprint, key, count);
        }

        return (double)count / Math.Max(total, _minimumRequests);
    }

    /// <summary>The key's slot in the hottest-keys list, or -1. Lock-free: a slot changing hands meanwhile only blurs its spill.</summary>
    internal int SlotOf(ulong fingerprint)
    {
        int count = Volatile.Read(ref _topCount);
        for (int i = 0; i < count; i++)
        {
            if (_topFingerprints[i] == fingerprint)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The key's count: the smallest of its counters.</summary>
    internal int Estimate(ulong fingerprint)
    {
        ulong mixed = KeyHash.Mix(fingerprint ^ Salt);
        int count = int.MaxValue;
        for (int row = 0; row < Depth; row++)
        {
            int slot = (row * _width) + (int)((mixed >> (16 * row)) & (uint)_mask);
            count = Math.Min(count, Volatile.Read(ref _counters[slot]));
        }

        return count;
    }

    private double ShareOf(int count) => (double)count / Math.Max(Volatile.Read(ref _total), _minimumRequests);

    /// <summary>Halves every count once per half-life that has passed; one caller does it, the others go on.</summary>
    private void HalveWhenDue(long nowTicks)
    {
        long due = Volatile.Read(ref _nextHalvingTicks);
        if (nowTicks < due)
        {
            return;
        }

        if (due == long.MinValue)
        {
            Interlocked.CompareExchange(ref _nextHalvingTicks, nowTicks + _halfLifeTicks, long.MinValue);
            return;
        }

        long halvings = ((nowTicks - due) / _halfLifeTicks) + 1;
        if (Interlocked.CompareExchange(ref _nextHalvingTicks, due + (halvings * _halfLifeTicks), due) != due)
        {
            return;
        }

        int shift = (int)Math.Min(halvings, 31);
        for (int i = 0; i < _counters.Length; i++)
        {
            int seen;
            do
            {
                seen = Volatile.Read(ref _counters[i]);
            }
            while (Interlocked.CompareExchange(ref _counters[i], seen >> shift, seen) != seen);
        }

        long total;
        do
        {
            total = Volatile.Read(ref _total);
        }
        while (Interlocked.CompareExchange(ref _total, total >> shift, total) != total);

        lock (_topLock)
        {
            for (int i = 0; i < _topCount; i++)
            {
                _topCounts[i] >>= shift;
            }

            UpdateAdmission();
        }
    }

    /// <summary>Puts the key in the hottest-keys list, or updates its count there.</summary>
    private void Admit(ulong fingerprint, ReadOnlySpan<char> key, int count)
    {
        lock (_topLock)
        {
            int at = Array.IndexOf(_topFingerprints, fingerprint, 0, _topCount);
            if (at < 0)
            {
                if (_topCount < _topCounts.Length)
                {
                    at = _topCount++;
                }
                else
                {
                    at = IndexOfSmallest();
                    if (_topCounts[at] >= count)
                    {
                        return;
                    }
                }

                _topFingerprints[at] = fingerprint;
                _topSpills[at] = 0;
                _topKeyLengths[at] = key.Length;
                key[..Math.Min(key.Length, MaxKeyChars)].CopyTo(_topKeys.AsSpan(at * MaxKeyChars, MaxKeyChars));
            }

            _topCounts[at] = count;
            UpdateAdmission();
        }
    }

    private int IndexOfSmallest()
    {
        int smallest = 0;
        for (int i = 1; i < _topCount; i++)
        {
            if (_topCounts[i] < _topCounts[smallest])
            {
                smallest = i;
            }
        }

        return smallest;
    }

    private void UpdateAdmission()
        => _admission = _topCount < _topCounts.Length ? MinimumAdmission : Math.Max(MinimumAdmission, _topCounts[IndexOfSmallest()] + 1);
}

/// <summary>A hot key and its estimated share of all requests (0 to 1).</summary>
/// <param name="Key">The key (cut at 64 characters, then "…").</param>
/// <param name="Share">Its estimated share of the requests counted.</param>
public readonly record struct HotKey(string Key, double Share);
