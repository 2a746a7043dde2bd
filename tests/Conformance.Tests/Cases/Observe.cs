using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ringway.Conformance.Tests.Infrastructure;

namespace Ringway.Conformance.Tests.Cases;

/// <summary>The ways a case reads an answer down to what it is about.</summary>
internal static class Observe
{
    /// <summary>
    /// The status and the named fields of httpbin's echo (<c>method</c>, <c>data</c>, <c>args</c>, <c>json</c>, <c>url</c>,
    /// <c>headers.NAME</c>...).
    /// </summary>
    public static async Task<Observation> EchoAsync(Probe probe, HttpRequestMessage request, params string[] fields)
    {
        using var response = await probe.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var parts = new List<string> { ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) };
        JsonDocument? json = null;
        try
        {
            json = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
        }

        using (json)
        {
            foreach (var field in fields)
            {
                parts.Add($"{field}={(json is null ? "(not json)" : Field(json.RootElement, field))}");
            }
        }

        return new Observation(probe.Normalize(string.Join(" ", parts)));
    }

    /// <summary>The status, the named response headers (all values, in order) and the body's length.</summary>
    public static async Task<Observation> HeadersAsync(Probe probe, HttpRequestMessage request, params string[] headers)
    {
        using var response = await probe.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var parts = new List<string> { ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) };
        foreach (var header in headers)
        {
            // "Name?" asks only whether the header is there (its value differs between targets, as a length of echoed headers).
            var name = header.TrimEnd('?');
            var values = response.Headers.TryGetValues(name, out var h) ? h : response.Content.Headers.TryGetValues(name, out var c) ? c : null;
            parts.Add($"{name}={(values is null ? "-" : header.EndsWith('?') ? "present" : string.Join(" + ", values))}");
        }

        parts.Add($"body={body.Length} B");
        return new Observation(probe.Normalize(string.Join(" ", parts)));
    }

    /// <summary>The status, the body's length and its SHA-256 (first 12 hex digits).</summary>
    public static async Task<Observation> DigestAsync(Probe probe, HttpRequestMessage request)
    {
        using var response = await probe.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        return new Observation($"{(int)response.StatusCode} {body.Length} B sha256={Convert.ToHexString(SHA256.HashData(body))[..12]}");
    }

    /// <summary>
    /// Whether the body arrived as it was produced: the status, the body's length, and "streamed" when its bytes arrived
    /// over more than a second (httpbin's /drip spreads them over seconds) or "buffered" when all came at once.
    /// </summary>
    public static async Task<Observation> StreamingAsync(Probe probe, HttpRequestMessage request)
    {
        using var response = await probe.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null;
        var total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            first ??= clock.Elapsed;
            total += read;
        }

        var spread = clock.Elapsed - (first ?? clock.Elapsed);
        return new Observation($"{(int)response.StatusCode} {total} B {(spread > TimeSpan.FromSeconds(1) ? "streamed" : "buffered")}");
    }

    /// <summary>
    /// Raw bytes sent at once: each answer's status, whether the connection was closed, and which of the requests marked
    /// by <paramref name="markers"/> (User-Agent values the case put in) reached httpbin.
    /// </summary>
    public static async Task<Observation> RawAsync(Probe probe, string request, params string[] markers)
    {
        var result = await RawExchange.SendAsync(probe.Target.Address, request.Replace("{host}", probe.Target.Address.Authority, StringComparison.Ordinal));
        return await DescribeAsync(probe, result, markers);
    }

    public static async Task<Observation> DescribeAsync(Probe probe, RawResult result, params string[] markers)
    {
        var parts = new List<string>();
        if (result.Interim.Count > 0)
        {
            parts.Add(string.Join(",", result.Interim));
        }

        parts.Add(result.Answers.Count == 0 ? "no answer" : string.Join(",", result.Answers.Select(a => a.Status == 0 ? "garbage" : a.Status.ToString(CultureInfo.InvariantCulture))));
        parts.Add(result.Closed ? "closed" : "kept open");
        if (markers.Length > 0)
        {
            await probe.App.SettleAsync();
            var reached = markers.Where(m => probe.App.RequestLines(m).Count > 0).Select(m => m.Split('-')[^1]).ToList();
            parts.Add($"reached app: {(reached.Count == 0 ? "none" : string.Join(",", reached))}");
        }

        var last = result.Answers.LastOrDefault();
        var body = last is null ? null : Probe.BodyKind(last.Header("Content-Type"), last.BodyText);
        return new Observation(string.Join(" ", parts), body);
    }

    /// <summary>A field of httpbin's JSON by path (<c>headers.NAME</c>, names case-insensitive); long values as length and digest.</summary>
    public static string Field(JsonElement root, string path)
    {
        var element = root;
        foreach (var name in path.Split('.', 2))
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return "-";
            }

            var property = element.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (property.Value.ValueKind == JsonValueKind.Undefined)
            {
                return "-";
            }

            element = property.Value;
        }

        var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
        return text.Length > 80 ? $"{text.Length} chars sha256={Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12]}" : text;
    }
}
