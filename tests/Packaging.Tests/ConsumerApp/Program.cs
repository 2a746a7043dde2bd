// A user's app built against the packed Ringway packages (see Consumer.csproj). It uses each package: it starts one
// replica as a child process of itself ("serve") through the process provider and asks it for /home, then starts two
// tiny servers and a balancer in front of them on loopback port 0, sends GET /home through the balancer, prints what
// came back and exits 0 only when every answer is the expected one.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore;

if (args is ["serve"])
{
    return await ServeAsync();
}

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
string[] names = ["consumer-a", "consumer-b"];

// Ringway.ConsistentHashing, used directly.
var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, names.Select(n => new HashNode<string>(n, n)));
var owner = hash.GetNode("user-42");
Console.WriteLine($"HASH: user-42 -> {owner}");
if (!names.Contains(owner))
{
    return 2;
}

// Ringway.Replicas.Docker: the extension resolves and registers its provider (no engine is contacted).
var dockerServices = new ServiceCollection();
dockerServices.AddConsistentHashBalancer().AddDockerReplicas(o => o.Image = "ringway/sample-server");
var providers = dockerServices.Count(d => d.ServiceType == typeof(IReplicaProvider));
Console.WriteLine($"DOCKER: {providers} replica provider registered");
if (providers != 1)
{
    return 3;
}

// Ringway.Replicas.Processes: one replica as a child process of this app (through the watchdog on Linux), stopped at the end.
var processServices = new ServiceCollection().AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning));
processServices.AddConsistentHashBalancer().AddProcessReplicas(o =>
{
    o.FileName = Environment.ProcessPath!;
    if (Path.GetFileNameWithoutExtension(o.FileName) == "dotnet")
    {
        o.Arguments.Add(typeof(Program).Assembly.Location);
    }

    o.Arguments.Add("serve");
});
await using (var processContainer = processServices.BuildServiceProvider())
{
    var provider = processContainer.GetRequiredService<IReplicaProvider>();
    var replica = (await provider.StartAsync(["consumer-p"], timeout.Token)).Single();
    using var direct = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
    var home = await direct.GetStringAsync(new Uri(replica.Address, "home"), timeout.Token);
    Console.WriteLine($"PROCESSES: {home}");
    await provider.StopAsync(replica, timeout.Token);
    if (!home.Contains("\"Hello from Server: consumer-p\"", StringComparison.Ordinal))
    {
        return 4;
    }
}

// Ringway.LoadBalancing.AspNetCore: two servers and a balancer routing to them.
var apps = new List<WebApplication>();
try
{
    var addresses = new List<string>();
    foreach (var name in names)
    {
        var server = Quiet(WebApplication.CreateSlimBuilder()).Build();
        server.MapGet("/home", () => Results.Text($$"""{"message": "Hello from Server: {{name}}", "status": "successful"}""", "application/json"));
        server.MapGet("/heartbeat", () => Results.Ok());
        await server.StartAsync(timeout.Token);
        apps.Add(server);
        addresses.Add(AddressOf(server));
    }

    var builder = Quiet(WebApplication.CreateSlimBuilder());
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Balancer:Hashing:Algorithm"] = "Rendezvous",
        ["Balancer:Keys:Sources:0"] = "query:key",
    });
    builder.Services.AddConsistentHashBalancer(builder.Configuration.GetSection("Balancer"))
                    .AddStaticReplicas(addresses);
    var balancer = builder.Build();
    balancer.MapReplicaAdmin();
    balancer.MapConsistentHashBalancer();
    await balancer.StartAsync(timeout.Token);
    apps.Add(balancer);

    using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(AddressOf(balancer)), Timeout = TimeSpan.FromSeconds(60) };
    Console.WriteLine($"REP: {await client.GetStringAsync("/rep", timeout.Token)}");
    var answer = await client.GetStringAsync("/home?key=user-42", timeout.Token);
    Console.WriteLine($"ANSWER: {answer}");
    return names.Any(n => answer.Contains($"\"Hello from Server: {n}\"", StringComparison.Ordinal)) ? 0 : 1;
}
finally
{
    foreach (var app in Enumerable.Reverse(apps))
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}

// The process replica: answers like the sample server on 127.0.0.1:$PORT as $SERVER_ID until it is stopped.
static async Task<int> ServeAsync()
{
    var builder = Quiet(WebApplication.CreateSlimBuilder());
    builder.WebHost.UseUrls($"http://127.0.0.1:{Environment.GetEnvironmentVariable("PORT")}");
    var server = builder.Build();
    var name = Environment.GetEnvironmentVariable("SERVER_ID");
    server.MapGet("/home", () => Results.Text($$"""{"message": "Hello from Server: {{name}}", "status": "successful"}""", "application/json"));
    server.MapGet("/heartbeat", () => Results.Ok());
    await server.RunAsync();
    return 0;
}

static WebApplicationBuilder Quiet(WebApplicationBuilder builder)
{
    builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    return builder;
}

static string AddressOf(WebApplication app)
    => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
