using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding.Http1;

/// <summary>
/// <see cref="ResponseHeadParser"/> on bytes alone: examples of what it accepts and rejects, properties over generated
/// heads and generated garbage, and a seeded fuzz run over mutated heads. The contract: any bytes give a head, "read
/// more", or one of the documented errors; never an exception, and never a look beyond the blank line that ends a head.
/// </summary>
public sealed class ResponseHeadParserTests
{
    private const int Limit = 64 * 1024;

    private static (ResponseHeadParseStatus Status, ResponseHead Head, ResponseHeadError Error) Parse(byte[] input, bool head = false, int limit = Limit)
    {
        var status = ResponseHeadParser.TryParse(input, head, limit, out var parsed, out var error);
        return (status, parsed, error);
    }

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    [Theory]
    [InlineData("HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n", nameof(ResponseHeadError.MalformedStatusLine))]
    [InlineData("HTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", nameof(ResponseHeadError.MalformedStatusLine))]
    [InlineData("HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n", nameof(ResponseHeadError.MalformedStatusLine))]
    [InlineData("HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n", nameof(ResponseHeadError.MalformedStatusLine))]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n", nameof(ResponseHeadError.MalformedStatusLine))]
    [InlineData("HTTP/2.0 200 OK\r\n\r\n", nameof(ResponseHeadError.MalformedStatusLine))]
    [InlineData("\r\n\r\n", nameof(ResponseHeadError.MalformedStatusLine))]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", nameof(ResponseHeadError.UnexpectedStatus))]
    [InlineData("HTTP/1.1 600 Beyond\r\n\r\n", nameof(ResponseHeadError.UnexpectedStatus))]
    [InlineData("HTTP/1.1 200 OK\r\nBad Header\r\n\r\n", nameof(ResponseHeadError.MalformedHeaderLine))]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", nameof(ResponseHeadError.MalformedHeaderLine))]
    [InlineData("HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n", nameof(ResponseHeadError.MalformedHeaderLine))]
    [InlineData("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", nameof(ResponseHeadError.MalformedHeaderLine))]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 0\r\n\r\n", nameof(ResponseHeadError.InvalidHeaderValue))]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\nb\r\n\r\n", nameof(ResponseHeadError.InvalidHeaderValue))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", nameof(ResponseHeadError.InvalidContentLength))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", nameof(ResponseHeadError.InvalidContentLength))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", nameof(ResponseHeadError.InvalidContentLength))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", nameof(ResponseHeadError.InvalidContentLength))]
    public void TryParse_MalformedHead_DocumentedError(string text, string expected)
    {
        var (status, _, error) = Parse(Bytes(text));
        Assert.Equal(ResponseHeadParseStatus.Invalid, status);
        Assert.Equal(expected, error.ToString());
        Assert.NotEqual("no error", ResponseHeadParser.Describe(error));
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n\r")]
    public void TryParse_NoBlankLineYet_Incomplete(string text)
        => Assert.Equal(ResponseHeadParseStatus.Incomplete, Parse(Bytes(text)).Status);

    [Fact]
    public void TryParse_NoBlankLineWithinLimit_TooLarge()
    {
        var (status, _, error) = Parse(Bytes("HTTP/1.1 200 OK\r\nX-Big: " + new string('a', 100)), limit: 64);
        Assert.Equal(ResponseHeadParseStatus.Invalid, status);
        Assert.Equal(ResponseHeadError.TooLarge, error);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, 200, nameof(ResponseFraming.ContentLength), 5L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true, 200, nameof(ResponseFraming.None), 5L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n\r\n", false, 200, nameof(ResponseFraming.Chunked), -1L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", false, 200, nameof(ResponseFraming.UntilClose), -1L, false)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", false, 200, nameof(ResponseFraming.UntilClose), -1L, false)]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", false, 204, nameof(ResponseFraming.None), -1L, true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false, 304, nameof(ResponseFraming.None), 10L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false, 200, nameof(ResponseFraming.ContentLength), 0L, false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false, 200, nameof(ResponseFraming.ContentLength), 0L, false)]
    [InlineData("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", false, 200, nameof(ResponseFraming.ContentLength), 0L, true)]
    [InlineData("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n", false, 103, nameof(ResponseFraming.None), -1L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", false, 200, nameof(ResponseFraming.ContentLength), 3L, true)]
    public void TryParse_ValidHead_StatusFramingAndKeepAlive(string text, bool requestWasHead, int status, string framing, long length, bool keepAlive)
    {
        var input = Bytes(text);
        var (result, head, _) = Parse(input, requestWasHead);
        Assert.Equal(ResponseHeadParseStatus.Complete, result);
        Assert.Equal(status, head.Status);
        Assert.Equal(framing, head.Framing.ToString());
        Assert.Equal(length, head.ContentLength);
        Assert.Equal(keepAlive, head.KeepAlive);
        Assert.Equal(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4, head.Length);
    }

    [Fact]
    public void TryParse_Head_ReasonHeadersAndConnectionReadFromTheirPositions()
    {
        var input = Bytes("HTTP/1.1 299 Quite Fine\r\nX-A:  one \r\nConnection: \tX-Hop, close\r\nX-Empty:\r\n\r\nbody");
        var (_, head, _) = Parse(input);
        Assert.Equal("Quite Fine", Encoding.ASCII.GetString(input, head.Reason.Start, head.Reason.Length));
        Assert.Equal("X-Hop, close", Encoding.ASCII.GetString(input, head.Connection.Start, head.Connection.Length));
        var headers = new List<string>();
        foreach (var header in head.EnumerateHeaders(input))
        {
            headers.Add(Encoding.ASCII.GetString(header.Name) + "=" + Encoding.ASCII.GetString(header.Value));
        }

        Assert.Equal(["X-A=one", "Connection=X-Hop, close", "X-Empty="], headers);
        Assert.False(head.KeepAlive);
    }

    [Property(MaxTest = 300)]
    public Property TryParse_GeneratedHead_ParsedBackExactly()
        => Prop.ForAll(ValidHeads(), generated =>
        {
            var input = Bytes(generated.Text + "trailing body bytes");
            var (status, head, _) = Parse(input);
            var parsed = new List<(string, string)>();
            foreach (var header in head.EnumerateHeaders(input))
            {
                parsed.Add((Encoding.Latin1.GetString(header.Name), Encoding.Latin1.GetString(header.Value)));
            }

            return status == ResponseHeadParseStatus.Complete
                && head.Status == generated.Status
                && head.Length == generated.Text.Length
                && Encoding.Latin1.GetString(input, head.Reason.Start, head.Reason.Length) == generated.Reason
                && parsed.SequenceEqual(generated.Headers);
        });

    [Property(MaxTest = 300)]
    public Property TryParse_ProperPrefixOfAHead_Incomplete()
        => Prop.ForAll(ValidHeads(), Gen.Choose(0, 10_000).ToArbitrary(), (generated, cut) =>
        {
            var input = Bytes(generated.Text);
            var prefix = input[..(cut % input.Length)];
            return Parse(prefix).Status == ResponseHeadParseStatus.Incomplete;
        });

    [Property(MaxTest = 1000)]
    public Property TryParse_AnyBytes_DocumentedOutcomeAndNothingReadPastTheHead()
        => Prop.ForAll(HttpishBytes(), Gen.Choose(16, 512).ToArbitrary(), (input, limit) => Holds(input, limit));

    [Fact]
    public void TryParse_SeededFuzzOfMutatedHeads_DocumentedOutcomeAndNothingReadPastTheHead()
    {
        var random = new Random(20261124);
        var seeds = new[]
        {
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n\r\nhello",
            "HTTP/1.0 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n",
        };
        var alphabet = "\r\n :\t\0\u0080\u00ff0123456789HTTP/1.-,;"u8.ToArray();
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 30_000; i++)
        {
            var bytes = new List<byte>(Bytes(seeds[random.Next(seeds.Length)]));
            for (var m = random.Next(1, 6); m > 0 && bytes.Count > 0; m--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(5))
                {
                    case 0:
                        bytes[at] = alphabet[random.Next(alphabet.Length)];
                        break;
                    case 1:
                        bytes.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                    case 2:
                        bytes.RemoveAt(at);
                        break;
                    case 3:
                        bytes.RemoveRange(at, bytes.Count - at); // cut short
                        break;
                    default:
                        bytes[at] = (byte)random.Next(256);
                        break;
                }
            }

            var input = bytes.ToArray();
            var limit = random.Next(4) == 0 ? random.Next(1, 64) : Limit;
            Assert.True(Holds(input, limit), $"case {i}: {Convert.ToHexString(input)} (limit {limit})");
            var outcome = Parse(input, limit: limit) is var (status, _, error) && status == ResponseHeadParseStatus.Invalid ? error.ToString() : "";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The mutations reach every documented error, so the run exercised more than the happy path.
        foreach (var error in Enum.GetValues<ResponseHeadError>().Where(e => e != ResponseHeadError.None))
        {
            Assert.True(outcomes.ContainsKey(error.ToString()), $"no input gave {error}: {string.Join(", ", outcomes)}");
        }
    }

    [Property(MaxTest = 300)]
    public Property TryParseChunkSize_HexOfAnySize_ParsedBack()
        => Prop.ForAll(Gen.Choose(0, int.MaxValue).Select(n => (long)n * 4099).ToArbitrary(), size =>
        {
            var line = Bytes(size.ToString("x", CultureInfo.InvariantCulture) + " ;ext=1");
            return ResponseBodyCopier.TryParseChunkSize(line, out var parsed) && parsed == size;
        });

    [Property(MaxTest = 500)]
    public Property TryParseChunkSize_AnyBytes_NoExceptionAndNoNegativeSize()
        => Prop.ForAll(HttpishBytes(), line => !ResponseBodyCopier.TryParseChunkSize(line, out var size) || size >= 0);

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("-1")]
    [InlineData("1000000000000000")] // 16 digits: past what a long holds safely
    [InlineData(" 5")]
    public void TryParseChunkSize_Malformed_Rejected(string line)
        => Assert.False(ResponseBodyCopier.TryParseChunkSize(Bytes(line), out _));

    /// <summary>The parser's contract for one input, checked for any bytes.</summary>
    private static bool Holds(byte[] input, int limit)
    {
        ResponseHeadParseStatus status;
        ResponseHead head;
        ResponseHeadError error;
        try
        {
            status = ResponseHeadParser.TryParse(input, false, limit, out head, out error);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name} on {Convert.ToHexString(input)}: {e.Message}");
        }

        var end = input.AsSpan(0, Math.Min(input.Length, limit)).IndexOf("\r\n\r\n"u8);
        switch (status)
        {
            case ResponseHeadParseStatus.Incomplete:
                return end < 0 && input.Length < limit && error == ResponseHeadError.None;
            case ResponseHeadParseStatus.Invalid:
                return error != ResponseHeadError.None && Enum.IsDefined(error)
                    && (error == ResponseHeadError.TooLarge) == (end < 0);
            case ResponseHeadParseStatus.Complete:
                // The head ends at the first blank line, and nothing after it changes the result: the parser did not look there.
                var again = ResponseHeadParser.TryParse([.. input.AsSpan(0, head.Length), .. "\r\nX: y\r\n\r\n"u8], false, limit, out var reparsed, out _);
                return end >= 0 && head.Length == end + 4 && head.Status is >= 100 and <= 599 and not 101
                    && again == ResponseHeadParseStatus.Complete && reparsed == head
                    && head.Reason.Start + head.Reason.Length <= head.Length
                    && head.Headers.Start + head.Headers.Length <= head.Length
                    && head.Connection.Start + head.Connection.Length <= head.Length;
            default:
                return false;
        }
    }

    /// <summary>A well-formed head: its text, status, reason and header lines (name, trimmed value).</summary>
    public sealed record GeneratedHead(string Text, int Status, string Reason, IReadOnlyList<(string Name, string Value)> Headers);

    private static Arbitrary<GeneratedHead> ValidHeads()
    {
        const string tokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
        var token = Gen.Elements(tokenChars.ToCharArray()).ArrayOf().Where(a => a.Length is >= 1 and <= 20).Select(a => new string(a))
            .Where(n => !n.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)); // its values must be numbers
        var valueChar = Gen.Frequency((8, Gen.Choose(0x21, 0x7E)), (1, Gen.Constant(0x20)), (1, Gen.Constant(0x09)), (1, Gen.Choose(0x80, 0xFF)))
            .Select(c => (char)c);
        var value = valueChar.ArrayOf().Where(a => a.Length <= 40).Select(a => new string(a).Trim(' ', '\t'));
        var header = token.SelectMany(n => value.Select(v => (Name: n, Value: v)));
        var status = Gen.Choose(100, 599).Where(s => s != 101);
        var reason = Gen.Elements("OK", "", "Created Here", "Tr\u00e8s bien");
        return status.SelectMany(s => reason.SelectMany(r => header.ArrayOf().Where(h => h.Length <= 12).Select(headers =>
        {
            var text = new StringBuilder($"HTTP/1.1 {s}{(r.Length > 0 ? " " + r : "")}\r\n");
            foreach (var (name, v) in headers)
            {
                text.Append(name).Append(':').Append(v.Length > 0 ? " " : "").Append(v).Append("\r\n");
            }

            return new GeneratedHead(text.Append("\r\n").ToString(), s, r, headers);
        }))).ToArbitrary();
    }

    /// <summary>Byte strings built from pieces of HTTP heads and stray bytes, so generated garbage often comes close to a head.</summary>
    private static Arbitrary<byte[]> HttpishBytes()
    {
        var pieces = new[]
        {
            "HTTP/1.1 ", "HTTP/1.0 ", "200", "101", "099", "600", " OK", "\r\n", "\r\n\r\n", ":", " ", "\t", "Content-Length: ",
            "Transfer-Encoding: chunked", "Connection: close", "Connection: X-A, keep-alive", "X-A: v", "12", "-1", "\0", "\r", "\n",
            "\u0080", "\u00ff", ";", ",",
        };
        var piece = Gen.Frequency((6, Gen.Elements(pieces).Select(Bytes)), (1, Gen.Choose(0, 255).Select(b => new[] { (byte)b })));
        return piece.ArrayOf().Where(a => a.Length <= 40).Select(parts => parts.SelectMany(p => p).ToArray()).ToArbitrary();
    }
}
