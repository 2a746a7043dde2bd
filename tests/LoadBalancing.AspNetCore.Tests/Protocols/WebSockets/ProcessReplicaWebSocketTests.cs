using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Processes;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Protocols.WebSockets;

/// <summary>
/// WebSocket sessions to replicas that are real child processes (samples/Server started by the process replica provider),
/// one of which is killed with SIGKILL mid-session.
/// </summary>
public sealed class ProcessReplicaWebSocketTests : IDisposable
{
    private const string MarkerVariable = "RINGWAY_TEST_MARKER";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly string _marker = Guid.NewGuid().ToString("N");

    private static string ServerDll => typeof(ProcessReplicaWebSocketTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ServerDll").Value!;

    [Theory]
    [InlineData(ReplicaForwarder.Yarp)]
    [InlineData(ReplicaForwarder.Http1)]
    public async Task WebSocket_ReplicaProcessKilled_ClientSocketEndsPromptly_NextSessionGoesToNextSurvivorInKeysOrder(ReplicaForwarder forwarder)
    {
        await using var balancer = await TestBalancer.StartAsync(
            b => b.AddProcessReplicas(o =>
            {
                o.FileName = DotnetHost.Executable;
                o.Arguments.Add(ServerDll);
                o.Arguments.Add("--urls");
                o.Arguments.Add("http://{host}:{port}");
                o.Environment[MarkerVariable] = _marker; // found and killed by Dispose whatever happens
            }),
            o =>
            {
                o.Keys.Sources.Add("query:key");
                o.Forwarding.Forwarder = forwarder;
                o.Replicas.Count = 3;
            });
        await Eventually.AssertAsync(() => balancer.Table.Current.Count == 3, "three replica processes in the ring", Limit);
        const string key = "room-42";
        var order = balancer.PreferenceOrder(key);
        using var socket = await WebSocketClient.ConnectAsync(balancer, key);
        Assert.Equal(order[0], await socket.WhoAmIAsync()); // the sample server answers with its SERVER_ID, the hostname

        var owner = balancer.Table.Current.Replicas.Single(r => r.Hostname == order[0]);
        Assert.True(ProcessTable.Signal(int.Parse(owner.Replica.ProviderId, CultureInfo.InvariantCulture), ProcessTable.SigKill));
        await socket.EndAsync(within: TimeSpan.FromSeconds(15));

        // At once: connect-time failover to the next replica in the key's order, or (if the supervisor was quicker) the
        // replacement it started, which may rank first for this key.
        using (var next = await WebSocketClient.ConnectAsync(balancer, key))
        {
            var answer = await next.WhoAmIAsync();
            Assert.True(answer == order[1] || !order.Contains(answer), $"{answer}: neither {order[1]} nor a replacement");
        }

        // Once the supervisor has replaced the process: the survivors keep their order, and the key goes to the first.
        await Eventually.AssertAsync(
            () => balancer.Table.Current is { Count: 3 } now && now.Replicas.All(r => r.Hostname != order[0]), "the killed replica replaced", Limit);
        var after = balancer.PreferenceOrder(key);
        Assert.Equal(order[1..], after.Where(order.Contains));
        using var settled = await WebSocketClient.ConnectAsync(balancer, key);
        Assert.Equal(after[0], await settled.WhoAmIAsync());
    }

    public void Dispose()
    {
        for (var sweep = 0; sweep < 2; sweep++)
        {
            foreach (var processId in ProcessTable.WithEnvironment(MarkerVariable, _marker))
            {
                ProcessTable.Signal(processId, ProcessTable.SigKill);
            }
        }
    }
}
