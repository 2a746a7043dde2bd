using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>The JSON bodies the balancer writes itself: <c>{"message": ..., "status": "successful" | "failure"}</c>.</summary>
internal static class JsonResponses
{
    private const string ErrorPrefix = "<Error> ";

    // Responses are application/json, never HTML: '<' and '>' stay readable, as clients of the "<Error> ..." messages expect them.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <c>{"message": "&lt;Error&gt; ...", "status": "failure"}</c> with the status code, replacing anything set so far.</summary>
    public static Task WriteErrorAsync(HttpContext context, int statusCode, string message, CancellationToken cancellationToken = default)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = statusCode;
        return WriteAsync(response, writer =>
        {
            writer.WriteString("message", ErrorPrefix + message);
            writer.WriteString("status", "failure");
        }, cancellationToken);
    }

    /// <summary>
    /// The answer that replaces a replica's 404 when <see cref="ForwardingOptions.NotFoundAsBadRequest"/> is on:
    /// 400 <c>{"message": "&lt;Error&gt; '/path' endpoint does not exist in server replicas", "status": "failure"}</c>.
    /// </summary>
    public static Task WriteNotFoundAsync(HttpContext context, CancellationToken cancellationToken)
        => WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"'{context.Request.Path.Value}' endpoint does not exist in server replicas", cancellationToken);

    /// <summary>Writes <c>{"message": {"N": n, "replicas": [...]}, "status": "successful"}</c>.</summary>
    public static Task WriteReplicasAsync(HttpContext context, IReadOnlyList<string> hostnames, CancellationToken cancellationToken = default)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return WriteAsync(context.Response, writer =>
        {
            writer.WriteStartObject("message");
            writer.WriteNumber("N", hostnames.Count);
            writer.WriteStartArray("replicas");
            foreach (var hostname in hostnames)
            {
                writer.WriteStringValue(hostname);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteString("status", "successful");
        }, cancellationToken);
    }

    private static async Task WriteAsync(HttpResponse response, Action<Utf8JsonWriter> body, CancellationToken cancellationToken)
    {
        response.ContentType = "application/json";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }
}
