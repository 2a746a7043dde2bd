using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Samples.LoadBalancer;

/// <summary>Prints the replicas and a few ready-to-paste curl lines once the balancer listens.</summary>
internal static class StartupBanner
{
    public static void Print(WebApplication app, string mode, string? dashboard)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        // The first cleartext address leads (an https or h2c-only endpoint may come first in Kestrel:Endpoints).
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses.FirstOrDefault() ?? "http://localhost:5000";
        var others = addresses.Where(a => a != address).ToList();
        var local = address.Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("[::]", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal);
        var replicas = app.Services.GetRequiredService<IReplicaSet>().Replicas.Select(r => $"{r.Hostname} ({r.Address})");
        var forwarder = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ConsistentHashBalancerOptions>>().Value.Forwarding.Forwarder;
        var dashboardLine = dashboard is null ? "off (Dashboard:Enabled=false)" : $"{local}{dashboard}/";
        var inline = ProxyTuning.InlineCompletionsEnabled ? "inline" : "thread pool";
        Console.WriteLine($$"""
            Ringway load balancer on {{address}}, replicas: {{mode}}{{(others.Count > 0 ? $"\n  also listening on {string.Join(", ", others)}" : "")}}
              {{string.Join(", ", replicas)}}
            Forwarder: {{forwarder}}; socket completions: {{inline}}
            Dashboard: {{dashboardLine}}
            Try:
              curl {{local}}/home
              curl '{{local}}/home?key=user-42'
              curl {{local}}/rep
              curl -X POST {{local}}/add -H 'Content-Type: application/json' -d '{"n": 2, "hostnames": ["S5", "S4"]}'
              curl -X DELETE {{local}}/rm -H 'Content-Type: application/json' -d '{"n": 1, "hostnames": ["S5"]}'
            """);
    }
}
