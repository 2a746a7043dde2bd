using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>
/// One case against one target: an HttpClient that changes nothing (no redirects, cookies, decompression or proxy), a
/// marker sent as the User-Agent so httpbin's access log tells which requests reached it, and the normalising of
/// addresses so answers from different targets compare.
/// </summary>
internal sealed class Probe(Target target, ProxyStack stack, Httpbin app, IReadOnlyList<MalformedReplica> malformed) : IDisposable
{
    private HttpClient? _client;

    public Target Target { get; } = target;

    public Httpbin App { get; } = app;

    public IReadOnlyList<MalformedReplica> MalformedReplicas { get; } = malformed;

    public string Marker { get; } = "conformance-" + Guid.NewGuid().ToString("N")[..12];

    public HttpClient Client => _client ??= new HttpClient(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    })
    {
        BaseAddress = Target.Address,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>A request carrying this probe's marker as its User-Agent.</summary>
    public HttpRequestMessage Request(HttpMethod method, string target, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, target) { Content = content };
        request.Headers.TryAddWithoutValidation("User-Agent", Marker);
        return request;
    }

    /// <summary>Addresses made comparable: the target's own as {self}, the upstream's as {replica}, the client's as {client}.</summary>
    public string Normalize(string text)
    {
        var result = text.Replace(Target.Address.Authority, "{self}", StringComparison.Ordinal);
        foreach (var upstream in new[] { stack.Direct.Address }.Concat(MalformedReplicas.Select(m => m.Address)))
        {
            result = result.Replace(upstream.Authority, "{replica}", StringComparison.Ordinal);
        }

        return result.Replace("127.0.0.1", "{client}", StringComparison.Ordinal);
    }

    /// <summary>The kind of body an answer carries: json (the balancer's error shape or any JSON), html, empty or text.</summary>
    public static string BodyKind(string? contentType, string body) => body.Length == 0
        ? "empty"
        : contentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true && IsJson(body) ? "json"
        : contentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true ? "html"
        : "text";

    private static bool IsJson(string body)
    {
        try
        {
            using var _ = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static ByteArrayContent Text(string text, string contentType = "text/plain")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    public void Dispose() => _client?.Dispose();
}
