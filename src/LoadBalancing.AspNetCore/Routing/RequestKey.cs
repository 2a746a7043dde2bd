using System.Globalization;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// A request's hash key (<see cref="RequestKeySources.GetKey"/>): text taken from the request, or a random 6-digit id kept
/// as a number and written out only into the caller's buffer when hashed, so that neither allocates.
/// </summary>
/// <remarks>
/// Hash the characters of <see cref="Chars"/>: <c>hash.GetNodeIndex(key.Chars(stackalloc char[RequestKey.IdLength]))</c>.
/// The key can be read again (for the next node in the key's preference order) without a string.
/// </remarks>
public readonly struct RequestKey
{
    /// <summary>The room <see cref="Chars"/> needs in its buffer: the length of the random id (6).</summary>
    public const int IdLength = 6;

    private readonly ReadOnlyMemory<char> _text;
    private readonly int _id;

    internal RequestKey(ReadOnlyMemory<char> text) => _text = text;

    private RequestKey(int id) => _id = id;

    /// <summary>True when no key source gave a key and the request got a random id.</summary>
    public bool IsRandom => _id != 0;

    /// <summary>
    /// The key's characters: the text taken from the request, or the random id written into <paramref name="buffer"/>,
    /// which must hold at least <see cref="IdLength"/> characters.
    /// </summary>
    public ReadOnlySpan<char> Chars(Span<char> buffer)
    {
        if (_id == 0)
        {
            return _text.Span;
        }

        _id.TryFormat(buffer, out var written, provider: CultureInfo.InvariantCulture);
        return buffer[..written];
    }

    /// <summary>The key as a string (allocates; for logs and tests).</summary>
    public override string ToString() => _id == 0 ? _text.ToString() : _id.ToString(CultureInfo.InvariantCulture);

    internal static RequestKey RandomId(int id) => new(id);
}
