using System.Globalization;
using System.Text;

namespace Ringway.Reliability.Tests.Fuzz;

/// <summary>One fuzzed admin request and how it was made.</summary>
internal sealed record FuzzRequest(HttpMethod Method, string Path, byte[] Body, string Mutation)
{
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// Seeded mutations of valid /add and /rm bodies: bit flips, truncation, duplicated slices, inserted bytes, type swaps of
/// <c>n</c>, random <c>n</c>, random Unicode hostnames, duplicated keys and deep nesting. The same seed gives the same
/// sequence for the same replica sets, so a failure is replayed by its seed and index.
/// </summary>
internal sealed class RequestMutator(int seed)
{
    private static readonly string[] TypeSwaps = ["\"1\"", "true", "false", "null", "[1]", "{}", "1.5", "-1", "0", "1e3", "65", "\"\"", "[]", "1E0", "0x1", "+1", "01"];

    private const string Specials = "-_. /\\:@$`;|&\"'";

    private readonly Random _random = new(seed);

    public FuzzRequest Next(IReadOnlyList<string> replicas, int iteration)
    {
        var add = _random.Next(2) == 0;
        var hostname = add ? string.Create(CultureInfo.InvariantCulture, $"Fz{iteration}") : replicas[_random.Next(replicas.Count)];
        var n = 1;
        var hostnames = new List<string> { hostname };
        var mutation = _random.Next(16); // half of them byte-level (cases 8 to 15)
        string? raw = null;
        string name;
        switch (mutation)
        {
            case 0:
                name = "none";
                break;
            case 1:
                name = "random-n";
                n = _random.Next(4) switch
                {
                    0 => _random.Next(-3, 8),
                    1 => _random.Next(),
                    2 => -_random.Next(),
                    _ => _random.Next(60, 70),
                };
                break;
            case 2:
                name = "type-swap-n";
                raw = $$"""{"n": {{TypeSwaps[_random.Next(TypeSwaps.Length)]}}, "hostnames": [{{Quote(hostname)}}]}""";
                break;
            case 3:
                name = "type-swap-hostnames";
                raw = $$"""{"n": 1, "hostnames": {{TypeSwaps[_random.Next(TypeSwaps.Length)]}}}""";
                break;
            case 4:
                name = "unicode-hostname";
                hostnames[0] = RandomHostname();
                break;
            case 5:
                name = "more-hostnames-than-n";
                hostnames.AddRange(Enumerable.Range(0, _random.Next(1, 4)).Select(i => $"Fz{iteration}x{i}"));
                break;
            case 6:
                name = "duplicate-key";
                raw = $$"""{"n": 1, "hostnames": [{{Quote(hostname)}}], "{{(_random.Next(2) == 0 ? "n" : "hostnames")}}": {{(_random.Next(2) == 0 ? "2" : Quote("Fz" + iteration + "d"))}}}""";
                break;
            case 7:
                name = "nesting";
                var depth = _random.Next(2, 200);
                raw = $$"""{"n": {{new string('[', depth)}}1{{new string(']', depth)}}}""";
                break;
            default:
                name = "bytes";
                break;
        }

        var body = Encoding.UTF8.GetBytes(raw ?? $$"""{"n": {{n.ToString(CultureInfo.InvariantCulture)}}, "hostnames": [{{string.Join(", ", hostnames.Select(Quote))}}]}""");
        if (name == "bytes")
        {
            (body, name) = MutateBytes(body);
        }

        return new FuzzRequest(add ? HttpMethod.Post : HttpMethod.Delete, add ? "/add" : "/rm", body, name);
    }

    private (byte[] Body, string Name) MutateBytes(byte[] body)
    {
        var bytes = new List<byte>(body);
        var position = _random.Next(bytes.Count);
        switch (_random.Next(4))
        {
            case 0:
                bytes[position] ^= (byte)(1 << _random.Next(8));
                return ([.. bytes], "bit-flip");
            case 1:
                return ([.. bytes.Take(position)], "truncate");
            case 2:
                var length = _random.Next(1, bytes.Count - position + 1);
                bytes.InsertRange(position, bytes.GetRange(position, length));
                return ([.. bytes], "duplicate-slice");
            default:
                bytes.Insert(position, (byte)_random.Next(256));
                return ([.. bytes], "insert-byte");
        }
    }

    private string RandomHostname()
    {
        var length = _random.Next(0, 70);
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var code = _random.Next(6) switch
            {
                0 => _random.Next(0x20, 0x7F),      // printable ASCII, mostly valid
                1 => _random.Next(0x00, 0x20),      // control characters
                2 => _random.Next(0xA0, 0x250),     // Latin-1 and Latin Extended
                3 => _random.Next(0x4E00, 0x4F00),  // CJK
                4 => _random.Next(0x1F600, 0x1F650), // emoji (surrogate pairs)
                _ => Specials[_random.Next(Specials.Length)],
            };
            text.Append(char.ConvertFromUtf32(code));
        }

        return text.ToString();
    }

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
