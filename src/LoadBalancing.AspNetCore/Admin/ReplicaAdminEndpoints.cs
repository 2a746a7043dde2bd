using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Supervision;

namespace Ringway.LoadBalancing.AspNetCore.Admin;

/// <summary>/rep, /add and /rm: the admin API, with every edge case decided (the rules: docs/contract.md).</summary>
internal static class ReplicaAdminEndpoints
{
    public const int MaxBodyBytes = 16 * 1024;
    private const int MaxHostnameLength = 63;

    public static Task GetReplicasAsync(HttpContext context)
    {
        var supervisor = context.RequestServices.GetRequiredService<ReplicaSupervisor>();
        // The body keeps its contract; the ring's membership epoch rides along in a header, so balancers can be compared.
        context.Response.Headers[BalancerRequestHandler.EpochHeaderName] = context.RequestServices.GetRequiredService<Routing.ReplicaTable>().Current.EpochText;
        return JsonResponses.WriteReplicasAsync(context, supervisor.Hostnames, context.RequestAborted);
    }

    public static Task AddAsync(HttpContext context) => ChangeAsync(context, add: true);

    public static Task RemoveAsync(HttpContext context) => ChangeAsync(context, add: false);

    private static async Task ChangeAsync(HttpContext context, bool add)
    {
        var supervisor = context.RequestServices.GetRequiredService<ReplicaSupervisor>();
        var options = context.RequestServices.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value;
        var (request, error) = await ReadRequestAsync(context, options.Replicas.MaxCount, add).ConfigureAwait(false);
        if (error is not null)
        {
            if (!context.RequestAborted.IsCancellationRequested)
            {
                await JsonResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, error, context.RequestAborted).ConfigureAwait(false);
            }

            return;
        }

        if (add && !supervisor.CanStart)
        {
            await JsonResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "This balancer cannot start replicas: its replicas are fixed addresses", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        // Not the request's token: once the supervisor takes the change, it completes even if the caller leaves.
        var result = add
            ? await supervisor.AddAsync(request.N, request.Hostnames, CancellationToken.None).ConfigureAwait(false)
            : await supervisor.RemoveAsync(request.N, request.Hostnames, CancellationToken.None).ConfigureAwait(false);
        if (result.Error is not null)
        {
            await JsonResponses.WriteErrorAsync(context, result.StatusCode, result.Error, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        await JsonResponses.WriteReplicasAsync(context, result.Hostnames, context.RequestAborted).ConfigureAwait(false);
    }

    internal readonly record struct ChangeRequest(int N, IReadOnlyList<string> Hostnames);

    /// <summary>Reads and checks <c>{"n": int, "hostnames": [string]?}</c>; every problem is a message for a 400.</summary>
    internal static async Task<(ChangeRequest Request, string? Error)> ReadRequestAsync(HttpContext context, int maxReplicas, bool add)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (default, $"Request body is larger than {MaxBodyBytes} bytes");
        }

        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }
        catch (BadHttpRequestException exception)
        {
            // Kestrel refused the body (over the server's or the endpoint's size limit, cut short, badly framed, too slow):
            // still answered in the JSON shape rather than with Kestrel's empty-bodied status.
            return (default, exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"Request body is larger than {MaxBodyBytes} bytes"
                : $"Request body could not be read: {exception.Message}");
        }

        if (length > MaxBodyBytes)
        {
            return (default, $"Request body is larger than {MaxBodyBytes} bytes");
        }

        if (length == 0)
        {
            return (default, "Request body is missing: send JSON like {\"n\": 1, \"hostnames\": [\"S1\"]}");
        }

        return Parse(buffer.AsSpan(0, length), maxReplicas, add);
    }

    internal static (ChangeRequest Request, string? Error) Parse(ReadOnlySpan<byte> body, int maxReplicas, bool add)
    {
        JsonDocument document;
        try
        {
            // Strict: one JSON value and nothing after it, and no property twice (with {"n": 70, "n": 1} no value may win).
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return (default, "Request body is not valid JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (default, "Request body must be a JSON object like {\"n\": 1, \"hostnames\": [\"S1\"]}");
            }

            if (!root.TryGetProperty("n", out var nElement))
            {
                return (default, "'n' is missing");
            }

            if (nElement.ValueKind != JsonValueKind.Number || !nElement.TryGetInt32(out var n) || n < 1 || n > maxReplicas)
            {
                return (default, $"'n' must be a whole number from 1 to {maxReplicas}");
            }

            var hostnames = new List<string>();
            if (root.TryGetProperty("hostnames", out var list) && list.ValueKind != JsonValueKind.Null)
            {
                if (list.ValueKind != JsonValueKind.Array)
                {
                    return (default, "'hostnames' must be a list of strings");
                }

                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        return (default, "'hostnames' must be a list of strings");
                    }

                    // Invalid UTF-8 or an unpaired surrogate escape (\ud800) cannot become a string: a 400, not a 500.
                    if (!TryGetText(item, out var hostname))
                    {
                        return (default, "'hostnames' must be a list of strings of valid Unicode text");
                    }

                    hostnames.Add(hostname);
                }
            }

            if (hostnames.Count > n)
            {
                return (default, add
                    ? "Length of hostname list is more than newly added instances"
                    : "Length of hostname list is more than removable instances");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var hostname in hostnames)
            {
                if (!IsValidHostname(hostname))
                {
                    return (default, $"Hostname '{Printable(hostname)}' is invalid: use 1 to {MaxHostnameLength} letters, digits, spaces, '-', '_' or '.'");
                }

                if (!seen.Add(hostname))
                {
                    return (default, $"Hostname '{hostname}' appears more than once");
                }
            }

            return (new ChangeRequest(n, hostnames), null);
        }
    }

    private static bool TryGetText(JsonElement element, out string text)
    {
        try
        {
            text = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    internal static bool IsValidHostname(string hostname)
    {
        if (hostname.Length is < 1 or > MaxHostnameLength)
        {
            return false;
        }

        foreach (var c in hostname)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    // Error messages quote what was sent; keep them short and printable.
    private static string Printable(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, 64));
        foreach (var c in value.Length > 64 ? value[..64] : value)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return value.Length > 64 ? builder.Append("...").ToString() : builder.ToString();
    }

    /// <summary>An endpoint filter that requires the configured X-Api-Key, compared in constant time.</summary>
    public static async ValueTask<object?> RequireApiKeyAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var expected = context.RequestServices.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value.Admin.ApiKey;
        if (expected is not null)
        {
            var given = context.Request.Headers["X-Api-Key"].ToString();
            var ok = CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(given)),
                SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
            if (!ok)
            {
                await JsonResponses.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "Missing or wrong X-Api-Key header", context.RequestAborted).ConfigureAwait(false);
                return null;
            }
        }

        return await next(invocation).ConfigureAwait(false);
    }
}
