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

    /// <summary>
    /// Writes to <paramref name="destination"/> the distinct owners met walking the circular array
    /// <paramref name="owners"/> forward from <paramref name="start"/> (its owner first, wrapping), until
    /// <paramref name="destination"/> is full or every entry was looked at once; returns how many it wrote.
    /// Ring points and Maglev slots both give their preference orders this way.
    /// </summary>
    public int CollectAlong(int[] owners, int start, Span<int> destination)
    {
        int found = 0;
        int position = start;
        for (int walked = 0; walked < owners.Length && found < destination.Length; walked++)
        {
            int owner = owners[position];
            if (Add(owner))
            {
                destination[found++] = owner;
            }

            if (++position == owners.Length)
            {
                position = 0;
            }
        }

        return found;
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
