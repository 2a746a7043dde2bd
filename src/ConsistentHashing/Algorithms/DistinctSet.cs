using System.Buffers;

namespace Ringway.ConsistentHashing.Algorithms;

/// <summary>
/// A bit set over node indexes for collecting distinct nodes of a preference order without allocating:
/// the caller passes stack memory when it fits, otherwise it is rented.
/// </summary>
internal ref struct DistinctSet
{
    /// <summary>Node counts up to this many use a stack buffer (512 bytes).</summary>
    public const int StackWords = 64;

    private readonly Span<ulong> _bits;
    private ulong[]? _rented;

    public DistinctSet(int count, Span<ulong> stackBuffer)
    {
        int words = (count + 63) >> 6;
        if (words <= stackBuffer.Length)
        {
            _bits = stackBuffer[..words];
        }
        else
        {
            _rented = ArrayPool<ulong>.Shared.Rent(words);
            _bits = _rented.AsSpan(0, words);
        }

        _bits.Clear();
    }

    /// <summary>Adds <paramref name="index"/>; false when it was already present.</summary>
    public bool Add(int index)
    {
        ref ulong word = ref _bits[index >> 6];
        ulong mask = 1UL << (index & 63);
        if ((word & mask) != 0)
        {
            return false;
        }

        word |= mask;
        return true;
    }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<ulong>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
