using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ringway.Samples.Analysis.Cluster;

/// <summary>The load balancer's HTTP contract (docs/contract.md): /rep, /add, /rm and routed requests.</summary>
internal sealed class BalancerClient : IDisposable
{
    private const string HomePrefix = "Hello from Server: ";
    private const string KeyHeader = "X-Ringway-Key";
    private readonly HttpClient _http;

    public BalancerClient(Uri baseAddress, int maxConnections = 100, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, maxConnections),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>GET /rep: the replicas, in order.</summary>
    public async Task<IReadOnlyList<string>> GetReplicasAsync(CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(HttpMethod.Get, "/rep", null, cancellationToken).ConfigureAwait(false);
        if (reply.Status != HttpStatusCode.OK) throw new BalancerException($"GET /rep answered {(int)reply.Status}: {reply.Body}");
        return ParseReplicas(reply.Body);
    }

    public Task<ApiReply> AddAsync(int n, IReadOnlyList<string>? hostnames = null, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Post, "/add", ChangeBody(n, hostnames), cancellationToken);

    public Task<ApiReply> RemoveAsync(int n, IReadOnlyList<string>? hostnames = null, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Delete, "/rm", ChangeBody(n, hostnames), cancellationToken);

    /// <summary>Sends any request; the body, if given, is sent as is with a JSON content type.</summary>
    public async Task<ApiReply> SendAsync(HttpMethod method, string path, string? body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new ApiReply(response.StatusCode, text);
    }

    /// <summary>GET /home: the name of the server that answered, or null when the request failed.</summary>
    public Task<string?> GetHomeServerAsync(CancellationToken cancellationToken = default) => GetHomeServerAsync(null, cancellationToken);

    /// <summary>GET /home with <paramref name="key"/> as the request's hash key (the sample host reads <c>X-Ringway-Key</c>); null for a random key.</summary>
    public async Task<string?> GetHomeServerAsync(string? key, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/home");
        if (key is not null) request.Headers.Add(KeyHeader, key);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) return null;
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
        return ParseHomeServer(body?["message"]?.GetValue<string>());
    }

    /// <summary>"Hello from Server: Server 2" -> "Server 2".</summary>
    public static string? ParseHomeServer(string? message)
        => message is not null && message.StartsWith(HomePrefix, StringComparison.Ordinal) ? message[HomePrefix.Length..] : null;

    public static IReadOnlyList<string> ParseReplicas(string body)
    {
        var node = JsonNode.Parse(body) ?? throw new BalancerException("/rep answered an empty body");
        if (node["message"] is not JsonObject message || message["replicas"] is not JsonArray replicas)
        {
            throw new BalancerException($"/rep answered an unexpected body: {body}");
        }
        return replicas.Select(r => r!.GetValue<string>()).ToList();
    }

    public static string ChangeBody(int n, IReadOnlyList<string>? hostnames)
    {
        var body = new JsonObject { ["n"] = n };
        if (hostnames is not null) body["hostnames"] = new JsonArray(hostnames.Select(h => (JsonNode?)JsonValue.Create(h)).ToArray());
        return body.ToJsonString();
    }

    /// <summary>Checks that a balancer answers at all, with a message a person can act on when it does not.</summary>
    public async Task EnsureReachableAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await GetReplicasAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            throw new BalancerException(
                $"No load balancer answers at {BaseAddress} ({e.Message}). Start it first, e.g. `dotnet run --project samples/LoadBalancer`, or pass --url.");
        }
    }

    public void Dispose() => _http.Dispose();
}

internal sealed record ApiReply(HttpStatusCode Status, string Body)
{
    /// <summary>The "message" field when it is a string (error messages), else null.</summary>
    public string? Message
    {
        get
        {
            try
            {
                return JsonNode.Parse(Body)?["message"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public string? StatusField
    {
        get
        {
            try
            {
                return JsonNode.Parse(Body)?["status"]?.GetValue<string>();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return null;
            }
        }
    }
}

internal sealed class BalancerException(string message) : Exception(message);
