using System.Text.Json;

namespace Ringway.TestSupport.Hostile;

/// <summary>The contract's error body (docs/contract.md): exactly <c>{"message": "&lt;Error&gt; ...", "status": "failure"}</c>, as application/json.</summary>
public static class ErrorShape
{
    /// <summary>Null when <paramref name="body"/> has the shape; otherwise what is wrong with it.</summary>
    public static string? Problem(string? contentType, string body)
    {
        if (contentType is null || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return $"content type '{contentType}' is not application/json";
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Count() != 2)
            {
                return "not an object with exactly two properties";
            }

            if (!root.TryGetProperty("status", out var status) || status.GetString() != "failure")
            {
                return "\"status\" is not \"failure\"";
            }

            if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String || !message.GetString()!.StartsWith("<Error> ", StringComparison.Ordinal))
            {
                return "\"message\" is not a string starting with \"<Error> \"";
            }

            return null;
        }
        catch (JsonException exception)
        {
            return $"not JSON: {exception.Message}";
        }
    }

    public static void Assert(string? contentType, string body, string context)
    {
        var problem = Problem(contentType, body);
        Xunit.Assert.True(problem is null, $"{context}: {problem}: {body}");
    }
}
