using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ringway.TestSupport.Hostile;

/// <summary>
/// One line of Corpus/hostile.jsonl (copied to the output directory from Hostile/Corpus here): a request (method, path, headers, body, or a raw request text with <c>{host}</c>),
/// optionally made bigger by a generator, optionally trickled, and what may come back:
/// <list type="bullet">
/// <item><c>json</c>: a 4xx in the contract's error shape (docs/contract.md), written by the balancer;</item>
/// <item><c>kestrel</c>: Kestrel's own protocol-level rejection: a 4xx (any body) or the connection closed without a response;</item>
/// <item><c>4xx</c>: a 4xx passed through from a replica (its own body).</item>
/// </list>
/// </summary>
public sealed record HostileCase(string Name, JsonElement Json)
{
    public static IEnumerable<HostileCase> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Corpus", "hostile.jsonl");
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var json = document.RootElement.Clone();
            yield return new HostileCase(json.GetProperty("name").GetString()!, json);
        }
    }

    public string Expect => Json.GetProperty("expect").GetString()!;

    public int? Status => Json.TryGetProperty("status", out var status) ? status.GetInt32() : null;

    public string? Note => Json.TryGetProperty("note", out var note) ? note.GetString() : null;

    private string? Generate => Json.TryGetProperty("generate", out var generate) ? generate.GetString() : null;

    /// <summary>(every, bytes per write, whether the head goes at once) for a slow client.</summary>
    public (TimeSpan Every, int Bytes, bool HeadersFirst)? Trickle =>
        Json.TryGetProperty("trickle", out var trickle)
            ? (TimeSpan.FromMilliseconds(trickle.GetProperty("everyMs").GetInt32()), trickle.GetProperty("bytes").GetInt32(),
               trickle.TryGetProperty("headersFirst", out var first) && first.GetBoolean())
            : null;

    /// <summary>The request bytes, and where its body starts.</summary>
    public (byte[] Request, int BodyOffset) Build(Uri address)
    {
        if (Json.TryGetProperty("raw", out var raw))
        {
            var bytes = Encoding.UTF8.GetBytes(raw.GetString()!.Replace("{host}", address.Authority, StringComparison.Ordinal));
            return (bytes, bytes.Length);
        }

        var method = Json.GetProperty("method").GetString()!;
        var target = Json.GetProperty("path").GetString() ?? "/";
        var headers = new List<KeyValuePair<string, string>>();
        if (Json.TryGetProperty("headers", out var given))
        {
            headers.AddRange(given.EnumerateArray().Select(h => KeyValuePair.Create(h[0].GetString()!, h[1].GetString()!)));
        }

        byte[]? body = Json.TryGetProperty("body", out var text) && text.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(text.GetString()!)
            : Json.TryGetProperty("bodyBase64", out var base64) ? Convert.FromBase64String(base64.GetString()!)
            : null;
        var chunked = false;
        var words = Generate?.Split(' ') ?? [];
        var size = words.Length > 1 ? int.Parse(words[1], CultureInfo.InvariantCulture) : 0;
        switch (words.FirstOrDefault())
        {
            case null:
            case "no-body":
                break;
            case "hostnames":
                var n = words[2]["n=".Length..];
                body = Encoding.UTF8.GetBytes($$"""{"n": {{n}}, "hostnames": [{{string.Join(", ", Enumerable.Range(0, size).Select(i => $"\"H{i}\""))}}]}""");
                break;
            case "nested":
                body = Encoding.UTF8.GetBytes($$"""{"n": {{new string('[', size)}}1{{new string(']', size)}}}""");
                break;
            case "nested-objects":
                body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"n\": ", size)) + "1" + new string('}', size));
                break;
            case "padding":
                // A valid request made too big by an extra property: only its size is wrong.
                var prefix = "{\"n\": 1, \"hostnames\": [\"S9\"], \"padding\": \"";
                body = Encoding.UTF8.GetBytes(prefix + new string('x', Math.Max(0, size - prefix.Length - 2)) + "\"}");
                chunked = words.Contains("chunked");
                break;
            case "header-bytes":
                headers.Add(KeyValuePair.Create("X-Padding", new string('h', size)));
                break;
            case "header-count":
                headers.AddRange(Enumerable.Range(0, size).Select(i => KeyValuePair.Create($"X-Header-{i}", "v")));
                break;
            case "long-target":
                target = "/home?key=" + new string('k', size);
                break;
            default:
                throw new InvalidOperationException($"Unknown generator '{Generate}' in case {Name}.");
        }

        if (chunked && body is not null)
        {
            headers.Add(KeyValuePair.Create("Transfer-Encoding", "chunked"));
            var head = RawHttp.Build(method, target, headers, body: null, address);
            var framed = new MemoryStream();
            framed.Write(head);
            for (var offset = 0; offset < body.Length; offset += 8192)
            {
                var length = Math.Min(8192, body.Length - offset);
                framed.Write(Encoding.ASCII.GetBytes(length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
                framed.Write(body, offset, length);
                framed.Write("\r\n"u8);
            }

            framed.Write("0\r\n\r\n"u8);
            return (framed.ToArray(), head.Length);
        }

        if (body is not null)
        {
            headers.Add(KeyValuePair.Create("Content-Type", "application/json"));
        }

        var request = RawHttp.Build(method, target, headers, body, address);
        return (request, request.Length - (body?.Length ?? 0));
    }

    public override string ToString() => Name;
}
