using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;

namespace Ringway.ConsistentHashing.Hashing;

/// <summary>
/// The stable key hash every algorithm starts from (docs/hashing.md): xxHash3-64, seed 0, over the key's
/// UTF-8 bytes; a numeric key is hashed as its 8 little-endian bytes. Changing anything here moves keys.
/// </summary>
internal static class KeyHash
{
    // Keys up to this many UTF-16 chars are encoded into a stack buffer (3 UTF-8 bytes per char at most).
    private const int StackChars = 170;

    /// <summary>xxHash3-64 (seed 0) of raw bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bytes(ReadOnlySpan<byte> utf8) => XxHash3.HashToUInt64(utf8);

    /// <summary>xxHash3-64 (seed 0) of the UTF-8 encoding of <paramref name="key"/> (lone surrogates become U+FFFD).</summary>
    [SkipLocalsInit]
    public static ulong Chars(ReadOnlySpan<char> key)
    {
        if (key.Length <= StackChars)
        {
            Span<byte> buffer = stackalloc byte[StackChars * 3];
            if (TryNarrowAscii(key, buffer))
            {
                return XxHash3.HashToUInt64(buffer[..key.Length]);
            }

            // Utf8.FromUtf16 is the transcoder behind Encoding.UTF8 (same bytes, U+FFFD for lone surrogates).
            Utf8.FromUtf16(key, buffer, out _, out int written);
            return XxHash3.HashToUInt64(buffer[..written]);
        }

        return CharsPooled(key);
    }

    /// <summary>
    /// Copies an all-ASCII key into <paramref name="destination"/> as bytes (its UTF-8 form) and returns true; false
    /// at the first non-ASCII character. For the typical short key this is several times cheaper than the general
    /// transcoder, whose setup dominates at 16 characters.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryNarrowAscii(ReadOnlySpan<char> source, Span<byte> destination)
    {
        ref ushort src = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(source));
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)source.Length;
        if (Vector128.IsHardwareAccelerated && length >= 8)
        {
            var nonAscii = Vector128.Create((ushort)0xFF80);
            if (length >= 16)
            {
                // Whole blocks of 16, then one last block that may overlap the previous one.
                for (nuint i = 0; ; i += 16)
                {
                    if (i + 16 > length)
                    {
                        i = length - 16;
                    }

                    var low = Vector128.LoadUnsafe(ref src, i);
                    var high = Vector128.LoadUnsafe(ref src, i + 8);
                    if (((low | high) & nonAscii) != Vector128<ushort>.Zero)
                    {
                        return false;
                    }

                    Vector128.Narrow(low, high).StoreUnsafe(ref dst, i);
                    if (i + 16 == length)
                    {
                        return true;
                    }
                }
            }

            // 8 to 15 characters: the first 8 and the last 8 (overlapping).
            var first = Vector128.LoadUnsafe(ref src);
            var last = Vector128.LoadUnsafe(ref src, length - 8);
            if (((first | last) & nonAscii) != Vector128<ushort>.Zero)
            {
                return false;
            }

            Unsafe.WriteUnaligned(ref dst, Vector128.Narrow(first, first).AsUInt64().ToScalar());
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, length - 8), Vector128.Narrow(last, last).AsUInt64().ToScalar());
            return true;
        }

        for (nuint i = 0; i < length; i++)
        {
            ushort c = Unsafe.Add(ref src, i);
            if (c > 0x7F)
            {
                return false;
            }

            Unsafe.Add(ref dst, i) = (byte)c;
        }

        return true;
    }

    private static ulong CharsPooled(ReadOnlySpan<char> key)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(key.Length));
        try
        {
            int written = Encoding.UTF8.GetBytes(key, rented);
            return XxHash3.HashToUInt64(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>xxHash3-64 (seed 0) of the 8 little-endian bytes of <paramref name="key"/>, so sequential ids spread.</summary>
    [SkipLocalsInit]
    public static ulong UInt64(ulong key)
    {
        Span<byte> buffer = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, key);
        return XxHash3.HashToUInt64(buffer);
    }

    /// <summary>xxHash3-64 of a node id's UTF-8 bytes with the given seed.</summary>
    public static ulong NodeId(string id, long seed = 0)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(id);
        return XxHash3.HashToUInt64(bytes, seed);
    }

    /// <summary>Classic's request id: a key of 1 to 20 ASCII digits whose value fits in 64 bits (no sign, no spaces).</summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> key, out ulong number)
    {
        number = 0;
        return key.Length is > 0 and <= 20
            && AllDigits(key)
            && ulong.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>The UTF-8 form of <see cref="TryParseDecimal(ReadOnlySpan{char}, out ulong)"/>.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> key, out ulong number)
    {
        number = 0;
        return key.Length is > 0 and <= 20
            && AllDigits(key)
            && Utf8Parser.TryParse(key, out number, out int consumed)
            && consumed == key.Length;
    }

    // A plain loop: in .NET 10.0 ContainsAnyExceptInRange allocates (seen: 96 bytes a call) until the JIT has tiered the
    // caller up, so a freshly started balancer would allocate on every lookup for its first thousands of requests.
    private static bool AllDigits(ReadOnlySpan<char> key)
    {
        foreach (char c in key)
        {
            if ((uint)(c - '0') > 9)
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllDigits(ReadOnlySpan<byte> key)
    {
        foreach (byte b in key)
        {
            if ((uint)(b - '0') > 9)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The SplitMix64 finalizer (Steele, Lea, Flood 2014): a fast, full-avalanche 64-bit mixer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
