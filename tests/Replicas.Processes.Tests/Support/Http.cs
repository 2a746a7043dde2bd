using System.Text.Json;

namespace Ringway.Replicas.Processes.Tests.Support;

internal static class Http
{
    public static HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The "message" of a replica's GET /home.</summary>
    public static async Task<string> HomeMessageAsync(Uri replicaAddress)
    {
        using var response = await Client.GetAsync(new Uri(replicaAddress, "home"));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("message").GetString()!;
    }
}
