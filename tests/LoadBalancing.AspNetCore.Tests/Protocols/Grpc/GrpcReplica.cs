using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Ringway.TestSupport.Http;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Grpc;

/// <summary>
/// A real Grpc.AspNetCore server on 127.0.0.1, port 0, speaking HTTP/2 only (h2c, as gRPC servers behind a cleartext endpoint
/// do), with the balancer's heartbeat path. Every reply names the replica; what its calls saw of deadlines and cancellation
/// is kept for the tests.
/// </summary>
internal sealed class GrpcReplica : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private GrpcReplica(string name, WebApplication app, Uri address, Observations observations)
    {
        Name = name;
        _app = app;
        Address = address;
        Seen = observations;
    }

    public string Name { get; }

    public Uri Address { get; }

    public Observations Seen { get; }

    public static async Task<GrpcReplica> StartAsync(string name)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var observations = new Observations();
        builder.Services.AddSingleton(new KeyedEchoService(name, observations));
        var app = builder.Build();
        app.MapGrpcService<KeyedEchoService>();
        app.MapGet("/heartbeat", () => "ok");
        app.MapGet("/protocol", (Microsoft.AspNetCore.Http.HttpContext context) => context.Request.Protocol);
        return new GrpcReplica(name, app, await LoopbackApp.StartAsync(app), observations);
    }

    /// <summary>Stops the server at once: calls in flight are cut off, as when the process is killed.</summary>
    public Task KillAsync() => Interlocked.Exchange(ref _stopped, 1) == 0 ? LoopbackApp.StopAsync(_app, TimeSpan.Zero) : Task.CompletedTask;

    public ValueTask DisposeAsync() => new(KillAsync());

    /// <summary>What the replica's calls saw.</summary>
    internal sealed class Observations
    {
        /// <summary>Set when a call in "wait" mode started waiting.</summary>
        public TaskCompletionSource<DateTime> WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set when that call's cancellation token fired (the deadline passed, or the client cancelled).</summary>
        public TaskCompletionSource<DateTime> WaitCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set when a server stream has sent its second message (the test kills the replica then).</summary>
        public TaskCompletionSource Streaming { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    internal sealed class KeyedEchoService(string name, Observations seen) : KeyedEcho.KeyedEchoBase
    {
        public override async Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
        {
            if (request.FailWith != 0)
            {
                // A rich error: google.rpc.Status with details, sent in the grpc-status-details-bin trailer.
                throw new Google.Rpc.Status
                {
                    Code = request.FailWith,
                    Message = $"{name} refuses '{request.Text}'",
                    Details = { Any.Pack(new ErrorInfo { Reason = "REFUSED", Domain = name }) },
                }.ToRpcException();
            }

            if (request.Mode == "wait")
            {
                seen.WaitStarted.TrySetResult(context.Deadline);
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    seen.WaitCancelled.TrySetResult(DateTime.UtcNow);
                    throw;
                }
            }

            return new EchoReply { Replica = name, Text = request.Text };
        }

        public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            for (var i = 0; i < request.Count; i++)
            {
                await responseStream.WriteAsync(new EchoReply { Replica = name, Text = request.Text, Index = i });
                if (i == 1)
                {
                    seen.Streaming.TrySetResult();
                }

                await Task.Delay(request.IntervalMs, context.CancellationToken);
            }
        }

        public override async Task<EchoReply> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
        {
            var texts = new List<string>();
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                texts.Add(request.Text);
            }

            return new EchoReply { Replica = name, Text = string.Join(",", texts), Index = texts.Count };
        }

        public override async Task Bidi(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            var index = 0;
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(new EchoReply { Replica = name, Text = request.Text, Index = index++ });
            }
        }
    }
}
