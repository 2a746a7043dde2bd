// Test helper with two roles.
//   parent <watchdog:true|false> <hostname,hostname...> <fileName> [arguments...]
//     A balancer-like host: starts one replica process per hostname through AddProcessReplicas, prints
//     "started <n> replicas in <ms> ms", "replica <hostname> <pid> <address>" per replica and then "ready", and runs until it is stopped or killed.
//   listen
//     A replica that knows nothing about its parent: accepts TCP connections on 127.0.0.1:$PORT until killed.
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore;

switch (args.FirstOrDefault())
{
    case "parent" when args.Length >= 4:
        return await RunParentAsync(bool.Parse(args[1]), args[2].Split(','), args[3], args[4..]);
    case "listen":
        return await ListenAsync(int.Parse(Environment.GetEnvironmentVariable("PORT")!, System.Globalization.CultureInfo.InvariantCulture));
    default:
        await Console.Error.WriteLineAsync("usage: parent <watchdog> <hostnames> <fileName> [arguments...] | listen");
        return 2;
}

static async Task<int> RunParentAsync(bool watchdog, string[] hostnames, string fileName, string[] arguments)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Information);
    new FixtureBalancerBuilder(builder.Services).AddProcessReplicas(o =>
    {
        o.FileName = fileName;
        foreach (var argument in arguments)
        {
            o.Arguments.Add(argument);
        }

        o.UseWatchdog = watchdog;
    });

    using var host = builder.Build();
    await host.StartAsync();
    var provider = host.Services.GetRequiredService<IReplicaProvider>();
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var replicas = await provider.StartAsync(hostnames, CancellationToken.None);
    Console.WriteLine($"started {replicas.Count} replicas in {clock.ElapsedMilliseconds} ms");
    foreach (var replica in replicas)
    {
        Console.WriteLine($"replica {replica.Hostname} {replica.ProviderId} {replica.Address}");
    }

    Console.WriteLine("ready");
    await host.WaitForShutdownAsync();
    return 0;
}

static async Task<int> ListenAsync(int port)
{
    using var listener = new TcpListener(IPAddress.Loopback, port);
    listener.Start();
    while (true)
    {
        using var client = await listener.AcceptTcpClientAsync();
    }
}

internal sealed class FixtureBalancerBuilder(IServiceCollection services) : IConsistentHashBalancerBuilder
{
    public IServiceCollection Services { get; } = services;
}
