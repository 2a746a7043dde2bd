using System.Net;
using System.Text.Json;

namespace Ringway.Samples.Tests.Infrastructure;

internal static class Json
{
    /// <summary>Asserts the SPEC error shape and returns the message.</summary>
    public static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(2, json.RootElement.EnumerateObject().Count());
        Assert.Equal("failure", json.RootElement.GetProperty("status").GetString());
        var message = json.RootElement.GetProperty("message").GetString()!;
        Assert.StartsWith("<Error> ", message, StringComparison.Ordinal);
        return message;
    }

    /// <summary>Asserts the /rep shape and returns the replicas.</summary>
    public static async Task<string[]> AssertReplicasAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("successful", json.RootElement.GetProperty("status").GetString());
        var message = json.RootElement.GetProperty("message");
        var replicas = message.GetProperty("replicas").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(replicas.Length, message.GetProperty("N").GetInt32());
        return replicas;
    }
}
