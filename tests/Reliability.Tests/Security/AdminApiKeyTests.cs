using System.Net;
using Ringway.TestSupport.Hostile;
using Ringway.TestSupport.Samples;

namespace Ringway.Reliability.Tests.Security;

/// <summary>
/// The sample host with <c>Balancer:Admin:ApiKey</c> set: /rep, /add and /rm answer 401 in the JSON error shape without the
/// right X-Api-Key, change nothing, and the key values sent never show up in the host's output.
/// </summary>
public sealed class AdminApiKeyTests
{
    private const string Key = "s3cret-admin-key-7f1c";
    private const string WrongKey = "wrong-key-value-4d2a";

    [Fact]
    public async Task AdminApi_WithoutOrWithWrongKey_401AndNothingChanges()
    {
        await using var host = await SampleHost.StartAsync($"--Balancer:Admin:ApiKey={Key}");
        var processes = host.ReplicaProcesses();

        foreach (var (method, path, body) in new[] { ("GET", "/rep", (string?)null), ("POST", "/add", """{"n": 1, "hostnames": ["S5"]}"""), ("DELETE", "/rm", """{"n": 1}""") })
        {
            foreach (var key in new[] { null, WrongKey, "", Key[..^1], Key + "x", Key.ToUpperInvariant() })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (body is not null)
                {
                    request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                }

                if (key is not null)
                {
                    request.Headers.TryAddWithoutValidation("X-Api-Key", key);
                }

                using var response = await host.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                ErrorShape.Assert(response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync(), $"{method} {path} key '{key}'");
            }
        }

        using var authorized = new HttpRequestMessage(HttpMethod.Get, "/rep");
        authorized.Headers.Add("X-Api-Key", Key);
        using var rep = await host.Client.SendAsync(authorized);
        Assert.Equal(HttpStatusCode.OK, rep.StatusCode);
        Assert.Contains("\"N\":3", await rep.Content.ReadAsStringAsync());
        Assert.Equal(processes.OrderBy(p => p.Key), host.ReplicaProcesses().OrderBy(p => p.Key));
        Assert.DoesNotContain(WrongKey, host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RoutedRequests_AdminKeySet_StillServedWithoutKey()
    {
        await using var host = await SampleHost.StartAsync($"--Balancer:Admin:ApiKey={Key}");
        using var response = await host.Client.GetAsync("/home");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
