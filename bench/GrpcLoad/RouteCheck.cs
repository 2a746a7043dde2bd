using Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Grpc;

namespace Ringway.Benchmarks.GrpcLoad;

/// <summary>
/// Proves a proxy routes by the key before it is measured: each key, called twice, reaches the same replica both times,
/// and the keys together reach several replicas (a proxy that ignored the key would scatter or collapse them).
/// </summary>
internal static class RouteCheck
{
    public static async Task<int> RunAsync(IConfiguration options)
    {
        var keys = options.GetValue("keys", 12);
        var minReplicas = options.GetValue("min-replicas", 2);
        var header = options["header"] ?? Caller.DefaultKeyHeader;
        using var channel = Caller.Open(Caller.Url(options));
        var client = new KeyedEcho.KeyedEchoClient(channel);
        var request = new EchoRequest { Text = "route" };
        var reached = new SortedSet<string>(StringComparer.Ordinal);
        var moved = new List<string>();
        for (var i = 0; i < keys; i++)
        {
            var key = $"route-check-{i}";
            var first = await Caller.CallAsync(client, request, header, key);
            var second = await Caller.CallAsync(client, request, header, key);
            if (first != second)
            {
                moved.Add($"{key}: {first}, then {second}");
            }

            reached.Add(first);
        }

        Console.WriteLine($"keys {keys} replicas {string.Join(',', reached)} same-twice {(moved.Count == 0 ? "yes" : "no")}");
        foreach (var line in moved)
        {
            Console.Error.WriteLine($"a key changed replica: {line}");
        }

        if (reached.Count < minReplicas)
        {
            Console.Error.WriteLine($"the keys reached {reached.Count} replica(s), not at least {minReplicas}: the {header} metadata does not choose the replica");
        }

        return moved.Count == 0 && reached.Count >= minReplicas ? 0 : 1;
    }
}
