using Grpc.Net.Client;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Grpc;

/// <summary>A balancer set up for gRPC (<see cref="GrpcBalancer"/>) and a KeyedEcho client on a channel to it, disposed together.</summary>
internal sealed class EchoThroughBalancer : IAsyncDisposable
{
    private readonly GrpcChannel _channel;

    public EchoThroughBalancer(TestBalancer balancer)
    {
        Balancer = balancer;
        _channel = GrpcBalancer.Channel(balancer);
        Client = new KeyedEcho.KeyedEchoClient(_channel);
    }

    public TestBalancer Balancer { get; }

    public KeyedEcho.KeyedEchoClient Client { get; }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await Balancer.DisposeAsync();
    }
}
