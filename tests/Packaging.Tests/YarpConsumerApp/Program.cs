// A YARP user's app built against the packed Ringway.Yarp (see YarpConsumer.csproj): three tiny servers and a YARP
// gateway in front of them on loopback port 0, configured in memory like any YARP app, with the RendezvousHash policy and
// the key in the "key" query value. Sends keys through the gateway twice, prints what came back and exits 0 only when
// every key reached the same server both times and the server the hashing library names for it.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ringway.ConsistentHashing;
using Ringway.Yarp;
using Yarp.ReverseProxy.Configuration;

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
string[] names = ["yarp-a", "yarp-b", "yarp-c"];
var apps = new List<WebApplication>();
try
{
    var destinations = new Dictionary<string, DestinationConfig>();
    foreach (var name in names)
    {
        var server = Quiet(WebApplication.CreateSlimBuilder()).Build();
        server.MapGet("/home", () => Results.Text(name));
        await server.StartAsync(timeout.Token);
        apps.Add(server);
        destinations[name] = new DestinationConfig { Address = AddressOf(server) };
    }

    var builder = Quiet(WebApplication.CreateSlimBuilder());
    builder.Services.AddReverseProxy()
        .LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "servers", Match = new RouteMatch { Path = "{**catch-all}" } }],
            [new ClusterConfig
            {
                ClusterId = "servers",
                LoadBalancingPolicy = ConsistentHashPolicies.RendezvousHash,
                Metadata = new Dictionary<string, string> { [ConsistentHashMetadata.KeySources] = "query:key" },
                Destinations = destinations,
            }])
        .AddConsistentHashing();
    var gateway = builder.Build();
    gateway.MapReverseProxy();
    await gateway.StartAsync(timeout.Token);
    apps.Add(gateway);

    // Ringway.ConsistentHashing comes with Ringway.Yarp: destination ids are hashed as node ids.
    var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, names.Select(n => new HashNode<string>(n, n)));
    using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(AddressOf(gateway)), Timeout = TimeSpan.FromSeconds(60) };
    var routed = 0;
    var owners = new HashSet<string>();
    for (var i = 0; i < 30; i++)
    {
        var key = $"user-{i}";
        var first = await client.GetStringAsync($"/home?key={key}", timeout.Token);
        var second = await client.GetStringAsync($"/home?key={key}", timeout.Token);
        owners.Add(first);
        routed += first == second && first == hash.GetNode(key) ? 1 : 0;
    }

    Console.WriteLine($"ANSWER: user-42 -> {await client.GetStringAsync("/home?key=user-42", timeout.Token)}");
    Console.WriteLine($"ROUTED BY KEY: {routed} of 30, over {owners.Count} servers");
    return routed == 30 && owners.Count == names.Length ? 0 : 1;
}
finally
{
    foreach (var app in Enumerable.Reverse(apps))
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}

static WebApplicationBuilder Quiet(WebApplicationBuilder builder)
{
    builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    return builder;
}

static string AddressOf(WebApplication app)
    => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
