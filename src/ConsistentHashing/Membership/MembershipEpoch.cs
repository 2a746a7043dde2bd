using System.Globalization;

namespace Ringway.ConsistentHashing;

/// <summary>
/// A 64-bit digest of everything placement depends on: the algorithm, its parameters, and the node ids and weights
/// (sorted by id, so the order nodes were given in does not matter, except for Jump, whose buckets are positions).
/// Two snapshots with the same epoch place every key alike; changing, adding or removing one node changes it.
/// </summary>
/// <remarks>
/// The byte layout is in docs/hashing.md ("Membership epoch"), so another implementation can reproduce it. Its text
/// form is 16 lowercase hexadecimal digits.
/// </remarks>
public readonly struct MembershipEpoch : IEquatable<MembershipEpoch>
{
    /// <summary>Wraps a digest value.</summary>
    public MembershipEpoch(ulong value) => Value = value;

    /// <summary>The digest.</summary>
    public ulong Value { get; }

    /// <summary>Equal digests.</summary>
    public static bool operator ==(MembershipEpoch left, MembershipEpoch right) => left.Equals(right);

    /// <summary>Different digests.</summary>
    public static bool operator !=(MembershipEpoch left, MembershipEpoch right) => !left.Equals(right);

    /// <summary>Reads the text form: exactly 16 hexadecimal digits (either case).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MembershipEpoch epoch)
    {
        epoch = default;
        if (text.Length != 16 || !ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value))
        {
            return false;
        }

        epoch = new MembershipEpoch(value);
        return true;
    }

    /// <summary>Writes the text form (16 lowercase hexadecimal digits) without allocating; false when it does not fit.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten)
        => Value.TryFormat(destination, out charsWritten, "x16", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public bool Equals(MembershipEpoch other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MembershipEpoch other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode();

    /// <summary>16 lowercase hexadecimal digits.</summary>
    public override string ToString() => Value.ToString("x16", CultureInfo.InvariantCulture);
}
