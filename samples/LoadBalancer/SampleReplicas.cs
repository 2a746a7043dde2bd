using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Samples.LoadBalancer;

/// <summary>
/// Chooses where replicas come from: <c>--backends</c> (fixed servers), or <c>Replicas:Provider</c> =
/// <c>processes</c> (default: local samples/Server processes), <c>docker</c> or <c>swarm</c> (options under
/// <c>Replicas:Docker</c> and <c>Replicas:Swarm</c>).
/// </summary>
internal static class SampleReplicas
{
    public static string Add(IConsistentHashBalancerBuilder balancer, IConfiguration configuration)
    {
        var backends = configuration["backends"];
        if (!string.IsNullOrWhiteSpace(backends))
        {
            balancer.AddStaticReplicas(backends.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            return "fixed servers (--backends)";
        }

        switch (configuration["Replicas:Provider"]?.ToLowerInvariant())
        {
            case "docker":
                balancer.AddDockerReplicas(configuration.GetSection("Replicas:Docker"));
                return "Docker containers";
            case "swarm":
                balancer.AddSwarmReplicas(configuration.GetSection("Replicas:Swarm"));
                return "Docker Swarm services";
            case null or "" or "processes":
                var server = Path.Combine(AppContext.BaseDirectory, "server", "Ringway.Samples.Server.dll");
                balancer.AddProcessReplicas(o =>
                {
                    o.FileName = DotnetHost();
                    o.Arguments.Add(server);
                    o.Arguments.Add("--urls");
                    o.Arguments.Add("http://{host}:{port}");
                    configuration.GetSection("Replicas:Processes").Bind(o);
                });
                return "local processes of samples/Server";
            default:
                throw new InvalidOperationException($"Unknown Replicas:Provider '{configuration["Replicas:Provider"]}': use processes, docker or swarm, or pass --backends.");
        }
    }

    /// <summary>The dotnet host running this process (so replicas use the same runtime), or "dotnet" from PATH.</summary>
    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? current
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
    }
}
