using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Docker;

/// <summary>Builds the engine client and turns engine failures into <see cref="ReplicaProviderException"/>s users can act on.</summary>
internal static class DockerEngine
{
    public static DockerClient CreateClient(ContainerReplicaOptions options)
    {
        var builder = new DockerClientBuilder();
        if (options.Endpoint is not null)
        {
            builder.WithEndpoint(options.Endpoint);
        }
        return builder.Build();
    }

    /// <summary>Describes the endpoint for messages ("unix:///var/run/docker.sock").</summary>
    public static string Describe(DockerClient client) => client.Options.Endpoint?.ToString() ?? "the Docker engine";

    /// <summary>Whether the failure means the engine could not be reached at all (down, restarting, wrong endpoint).</summary>
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        HttpRequestException or SocketException or IOException => true,
        TimeoutException => true,
        DockerApiException api => api.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable,
        _ => exception.InnerException is not null && IsUnreachable(exception.InnerException),
    };

    /// <summary>A clear, caller-safe message for an engine failure while doing <paramref name="what"/>.</summary>
    public static ReplicaProviderException Translate(Exception exception, string what, string endpoint, string image, string network)
    {
        var message = exception switch
        {
            ReplicaProviderException rpe => rpe.Message,
            DockerImageNotFoundException => $"Cannot {what}: image '{image}' is not present on the Docker engine (build or pull it first).",
            DockerNetworkNotFoundException => $"Cannot {what}: network '{network}' does not exist.",
            DockerApiException { StatusCode: HttpStatusCode.NotFound } api when Mentions(api, "image") =>
                $"Cannot {what}: image '{image}' is not present on the Docker engine (build or pull it first).",
            DockerApiException { StatusCode: HttpStatusCode.NotFound } api when Mentions(api, "network") =>
                $"Cannot {what}: network '{network}' does not exist.",
            DockerApiException { StatusCode: HttpStatusCode.Conflict } api =>
                $"Cannot {what}: the Docker engine reports a conflict ({EngineMessage(api)}).",
            DockerApiException { StatusCode: HttpStatusCode.ServiceUnavailable } api when Mentions(api, "swarm") =>
                $"Cannot {what}: this Docker engine is not a Swarm manager ({EngineMessage(api)}).",
            DockerApiException api => $"Cannot {what}: the Docker engine answered {(int)api.StatusCode} ({EngineMessage(api)}).",
            OperationCanceledException or TimeoutException => $"Cannot {what}: the Docker engine at {endpoint} did not answer in time.",
            _ when IsUnreachable(exception) => $"Cannot {what}: the Docker engine at {endpoint} is not reachable ({exception.GetBaseException().Message}).",
            _ => $"Cannot {what}: {exception.Message}",
        };
        return exception as ReplicaProviderException ?? new ReplicaProviderException(message, exception);
    }

    private static bool Mentions(DockerApiException api, string word) =>
        (api.ResponseBody ?? api.Message).Contains(word, StringComparison.OrdinalIgnoreCase);

    /// <summary>The engine's own message, taken from its JSON body ({"message":"..."}).</summary>
    private static string EngineMessage(DockerApiException api)
    {
        var body = api.ResponseBody;
        if (string.IsNullOrWhiteSpace(body))
        {
            return api.StatusCode.ToString();
        }
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.TryGetProperty("message", out var m) && m.GetString() is { Length: > 0 } text)
            {
                return text.Trim();
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: use the body as it is.
        }
        return body.Trim();
    }

    /// <summary>A token that ends after the engine timeout or when the caller cancels.</summary>
    public static CancellationTokenSource Timeout(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(timeout);
        return source;
    }

    /// <summary>Docker's environment list form ("KEY=value") with SERVER_ID set to the hostname.</summary>
    public static List<string> EnvironmentFor(ContainerReplicaOptions options, string hostname)
    {
        var env = options.Environment
            .Where(kv => !string.Equals(kv.Key, "SERVER_ID", StringComparison.Ordinal))
            .Select(kv => $"{kv.Key}={kv.Value}")
            .ToList();
        env.Add($"SERVER_ID={hostname}");
        return env;
    }
}
