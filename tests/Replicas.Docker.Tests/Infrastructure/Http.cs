using System.Diagnostics;
using System.Net;

namespace Ringway.Replicas.Docker.Tests;

/// <summary>Waits until a replica answers (a started container needs a moment before it listens).</summary>
public static class Http
{
    private static readonly HttpClient s_client = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static async Task<(HttpStatusCode Status, string Body)> GetWhenUpAsync(Uri address, string path, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await s_client.GetAsync(new Uri(address, path));
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            catch (HttpRequestException) when (clock.Elapsed < limit)
            {
                await Task.Delay(100);
            }
        }
    }
}
