using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Ringway.TestSupport.Http;

/// <summary>The balancer's admin API (/rep, /add, /rm, docs/contract.md) as a test client calls it.</summary>
public static class AdminApi
{
    /// <summary>The hostnames <c>GET /rep</c> lists, in its order.</summary>
    public static async Task<string[]> GetReplicasAsync(this HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("/rep"));
        return [.. json.RootElement.GetProperty("message").GetProperty("replicas").EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary><c>POST /add</c> with a body as given (valid or not).</summary>
    public static Task<HttpResponseMessage> AddReplicasAsync(this HttpClient client, string body) => client.SendJsonAsync(HttpMethod.Post, "/add", body);

    /// <summary><c>DELETE /rm</c> with a body as given (valid or not).</summary>
    public static Task<HttpResponseMessage> RemoveReplicasAsync(this HttpClient client, string body) => client.SendJsonAsync(HttpMethod.Delete, "/rm", body);

    /// <summary><c>POST /add</c> <c>{"n": n, "hostnames": [...]}</c>.</summary>
    public static Task<HttpResponseMessage> AddReplicasAsync(this HttpClient client, int n, params string[] hostnames) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/add") { Content = JsonContent.Create(new { n, hostnames }) });

    /// <summary><c>DELETE /rm</c> <c>{"n": n, "hostnames": [...]}</c>.</summary>
    public static Task<HttpResponseMessage> RemoveReplicasAsync(this HttpClient client, int n, params string[] hostnames) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/rm") { Content = JsonContent.Create(new { n, hostnames }) });

    /// <summary>A request with a JSON body, or none when <paramref name="body"/> is null.</summary>
    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, string? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request);
    }
}
