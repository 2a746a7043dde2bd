using System.Text.Json;
using Ringway.Conformance.Tests.Infrastructure;

namespace Ringway.Conformance.Tests.Cases;

/// <summary>A request sent byte for byte ({host} and {marker} filled in), answered by httpbin's echo: the status and the named fields.</summary>
internal static class RawEcho
{
    public static async Task<Observation> Async(Probe probe, string request, params string[] fields)
    {
        var result = await RawExchange.SendAsync(probe.Target.Address,
            request.Replace("{host}", probe.Target.Address.Authority, StringComparison.Ordinal).Replace("{marker}", probe.Marker, StringComparison.Ordinal));
        var answer = result.Answers.FirstOrDefault();
        var parts = new List<string> { (await Observe.DescribeAsync(probe, result)).Answer };
        JsonElement? json = null;
        try
        {
            json = answer is null ? null : JsonDocument.Parse(answer.BodyText).RootElement;
        }
        catch (JsonException)
        {
        }

        foreach (var field in fields)
        {
            parts.Add($"{field}={(json is { } root ? Observe.Field(root, field) : "-")}");
        }

        return new Observation(probe.Normalize(string.Join(" ", parts)));
    }
}
