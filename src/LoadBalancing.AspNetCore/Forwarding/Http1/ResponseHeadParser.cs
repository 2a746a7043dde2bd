using System.Buffers.Text;
using System.Text;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>
/// Parses a replica's HTTP/1.x response head (status line and header fields, RFC 9112) from bytes alone. It never reads
/// beyond the blank line that ends the head, never throws on any input, and rejects what a request smuggler or a broken
/// replica could send: obs-fold, whitespace before a colon, control characters, conflicting Content-Length values.
/// </summary>
internal static class ResponseHeadParser
{
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>
    /// Parses the head at the start of <paramref name="input"/>. <see cref="ResponseHeadParseStatus.Complete"/> gives the
    /// head in <paramref name="head"/> (<see cref="ResponseHead.Length"/> bytes, the blank line included); 1xx interim
    /// responses are heads too, for the caller to skip. <see cref="ResponseHeadParseStatus.Incomplete"/>: no blank line
    /// yet within <paramref name="maxHeadSize"/> bytes, read more. <see cref="ResponseHeadParseStatus.Invalid"/>: the
    /// reason is in <paramref name="error"/>. <paramref name="requestWasHead"/>: the response to a HEAD request has no body.
    /// </summary>
    public static ResponseHeadParseStatus TryParse(
        ReadOnlySpan<byte> input, bool requestWasHead, int maxHeadSize, out ResponseHead head, out ResponseHeadError error)
    {
        head = default;
        error = ResponseHeadError.None;
        var searched = input.Length <= maxHeadSize ? input : input[..maxHeadSize];
        var end = searched.IndexOf(EndOfHead);
        if (end < 0)
        {
            if (input.Length < maxHeadSize)
            {
                return ResponseHeadParseStatus.Incomplete;
            }

            error = ResponseHeadError.TooLarge;
            return ResponseHeadParseStatus.Invalid;
        }

        var block = input[..(end + EndOfHead.Length)];
        error = Parse(block, requestWasHead, out head);
        return error == ResponseHeadError.None ? ResponseHeadParseStatus.Complete : ResponseHeadParseStatus.Invalid;
    }

    /// <summary>What the error means, for messages and logs.</summary>
    public static string Describe(ResponseHeadError error) => error switch
    {
        ResponseHeadError.MalformedStatusLine => "a malformed status line",
        ResponseHeadError.UnexpectedStatus => "an unexpected status (101 without an upgrade, or 600 and above)",
        ResponseHeadError.MalformedHeaderLine => "a malformed header line",
        ResponseHeadError.InvalidHeaderValue => "a header value with control characters",
        ResponseHeadError.InvalidContentLength => "an invalid or conflicting Content-Length",
        ResponseHeadError.TooLarge => "response headers over the size limit",
        _ => "no error",
    };

    /// <summary>Parses a whole head (it ends with the blank line).</summary>
    private static ResponseHeadError Parse(ReadOnlySpan<byte> block, bool requestWasHead, out ResponseHead head)
    {
        head = default;
        var lineEnd = block.IndexOf("\r\n"u8);
        var statusLine = block[..lineEnd];
        // HTTP/1.x SP 3DIGIT [SP reason]; the first digit from 1 to 9.
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || (statusLine[7] != '0' && statusLine[7] != '1')
            || statusLine[8] != ' ' || statusLine[9] is < (byte)'1' or > (byte)'9'
            || !char.IsAsciiDigit((char)statusLine[10]) || !char.IsAsciiDigit((char)statusLine[11])
            || (statusLine.Length > 12 && (statusLine[12] != ' ' || !Http1Syntax.IsValidValue(statusLine[13..]))))
        {
            return ResponseHeadError.MalformedStatusLine;
        }

        var status = ((statusLine[9] - '0') * 100) + ((statusLine[10] - '0') * 10) + (statusLine[11] - '0');
        if (status == 101 || status >= 600)
        {
            return ResponseHeadError.UnexpectedStatus;
        }

        var http10 = statusLine[7] == '0';
        var headersStart = lineEnd + 2;
        var headers = block[headersStart..^2]; // without the final blank line
        long contentLength = -1;
        var chunked = false;
        var transferEncoding = false;
        var close = http10;
        int connectionStart = 0, connectionLength = 0;
        var offset = headersStart;
        var rest = headers;
        while (!rest.IsEmpty)
        {
            var eol = rest.IndexOf("\r\n"u8);
            var line = rest[..eol];
            var lineStart = offset;
            rest = rest[(eol + 2)..];
            offset += eol + 2;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !Http1Syntax.IsToken(line[..colon]))
            {
                return ResponseHeadError.MalformedHeaderLine; // also obs-fold and whitespace before the colon
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (!Http1Syntax.IsValidValue(value))
            {
                return ResponseHeadError.InvalidHeaderValue;
            }

            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long parsed, out var consumed) || consumed != value.Length || parsed < 0
                    || (contentLength >= 0 && parsed != contentLength))
                {
                    return ResponseHeadError.InvalidContentLength;
                }

                contentLength = parsed;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                transferEncoding = true;
                chunked = Ascii.EqualsIgnoreCase(Http1Syntax.LastElement(value), "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                var raw = line[(colon + 1)..];
                (connectionStart, connectionLength) = (lineStart + colon + 1 + (raw.Length - raw.TrimStart(" \t"u8).Length), value.Length);
                if (Http1Syntax.ListContains(value, "close"u8))
                {
                    close = true;
                }
                else if (http10 && Http1Syntax.ListContains(value, "keep-alive"u8))
                {
                    close = false;
                }
            }
        }

        var noBody = requestWasHead || status < 200 || status == 204 || status == 304;
        var framing = noBody ? ResponseFraming.None
            : chunked ? ResponseFraming.Chunked
            : transferEncoding ? ResponseFraming.UntilClose // a Transfer-Encoding without chunked last: the body ends with the connection
            : contentLength >= 0 ? ResponseFraming.ContentLength
            : ResponseFraming.UntilClose;
        head = new ResponseHead(
            status,
            framing,
            transferEncoding ? -1 : contentLength,
            !close && framing != ResponseFraming.UntilClose,
            block.Length,
            (statusLine.Length > 13 ? 13 : statusLine.Length, statusLine.Length > 13 ? statusLine.Length - 13 : 0),
            (headersStart, headers.Length),
            (connectionStart, connectionLength));
        return ResponseHeadError.None;
    }
}

/// <summary>The outcome of <see cref="ResponseHeadParser.TryParse"/>.</summary>
internal enum ResponseHeadParseStatus
{
    /// <summary>No blank line yet: more bytes are needed.</summary>
    Incomplete,

    /// <summary>A head was parsed.</summary>
    Complete,

    /// <summary>The bytes are not a valid response head; see <see cref="ResponseHeadError"/>.</summary>
    Invalid,
}

/// <summary>Why a response head was rejected (the documented parse errors; nothing else ends a parse).</summary>
internal enum ResponseHeadError
{
    /// <summary>Not rejected.</summary>
    None,

    /// <summary>The status line is not <c>HTTP/1.0</c> or <c>HTTP/1.1</c>, a space, three digits (100 to 999), and optionally a space and a reason without control characters.</summary>
    MalformedStatusLine,

    /// <summary>101 Switching Protocols (only upgrades, which go through the YARP path, may get it) or a status of 600 or more.</summary>
    UnexpectedStatus,

    /// <summary>A header line without a colon or whose name is not a token: whitespace before the colon, obs-fold, an empty name.</summary>
    MalformedHeaderLine,

    /// <summary>A header value with control characters other than tab (a bare CR or LF among them).</summary>
    InvalidHeaderValue,

    /// <summary>A Content-Length that is not a non-negative decimal number, or several that differ.</summary>
    InvalidContentLength,

    /// <summary>No blank line within the head size limit.</summary>
    TooLarge,
}

/// <summary>How the response body is delimited (RFC 9112 6.3).</summary>
internal enum ResponseFraming
{
    /// <summary>No body: a HEAD request, or 1xx, 204 or 304.</summary>
    None,

    /// <summary>Exactly <see cref="ResponseHead.ContentLength"/> bytes.</summary>
    ContentLength,

    /// <summary>Chunked transfer coding.</summary>
    Chunked,

    /// <summary>Until the replica closes the connection.</summary>
    UntilClose,
}

/// <summary>
/// A parsed response head. Positions are offsets into the bytes that were parsed, so the head's fields can be read
/// from them without copying: <see cref="Reason"/>, the header lines (<see cref="Headers"/>, each ending with CRLF) and
/// the Connection header's value (<see cref="Connection"/>, empty when absent).
/// </summary>
internal readonly record struct ResponseHead(
    int Status,
    ResponseFraming Framing,
    long ContentLength,
    bool KeepAlive,
    int Length,
    (int Start, int Length) Reason,
    (int Start, int Length) Headers,
    (int Start, int Length) Connection)
{
    /// <summary>Whether the response is interim (1xx): the final one follows on the same connection.</summary>
    public bool IsInterim => Status < 200;

    /// <summary>
    /// The header lines of <paramref name="block"/> (the bytes that were parsed), each as name and trimmed value. The head
    /// was validated, so every line has a colon.
    /// </summary>
    public HeaderEnumerator EnumerateHeaders(ReadOnlySpan<byte> block) => new(block.Slice(Headers.Start, Headers.Length));

    /// <summary>Walks header lines (<c>name: value CRLF</c>), no allocation.</summary>
    public ref struct HeaderEnumerator(ReadOnlySpan<byte> lines)
    {
        private ReadOnlySpan<byte> _rest = lines;

        public ReadOnlySpan<byte> Name { get; private set; }

        public ReadOnlySpan<byte> Value { get; private set; }

        public readonly HeaderEnumerator GetEnumerator() => this;

        public readonly HeaderEnumerator Current => this;

        public bool MoveNext()
        {
            if (_rest.IsEmpty)
            {
                return false;
            }

            var eol = _rest.IndexOf("\r\n"u8);
            var line = _rest[..eol];
            _rest = _rest[(eol + 2)..];
            var colon = line.IndexOf((byte)':');
            Name = line[..colon];
            Value = line[(colon + 1)..].Trim(" \t"u8);
            return true;
        }
    }
}
