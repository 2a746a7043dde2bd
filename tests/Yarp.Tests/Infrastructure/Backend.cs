using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Ringway.TestSupport.Http;

namespace Ringway.Yarp.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 port 0 that answers with its id: <c>/whoami</c>, <c>/heartbeat</c> (503 while
/// <see cref="Healthy"/> is false, for YARP's active health checks) and <c>/gate</c> (held open until <see cref="OpenGate"/>).
/// </summary>
internal sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;
    private volatile bool _healthy = true;

    private Backend(string id, WebApplication app)
    {
        Id = id;
        _app = app;
        Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public string Id { get; }

    public string Address { get; }

    /// <summary>Whether <c>/heartbeat</c> answers 200 (else 503).</summary>
    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    /// <summary>Requests waiting at <c>/gate</c>.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public static async Task<Backend> StartAsync(string id)
    {
        var builder = LoopbackApp.CreateBuilder();
        var app = builder.Build();
        Backend? self = null;
        app.MapGet("/heartbeat", () => self!.Healthy ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/gate", async () =>
        {
            Interlocked.Increment(ref self!._waiting);
            await self._gate.Task;
            return Results.Text(id);
        });
        app.Map("/{**rest}", () => Results.Text(id));
        await app.StartAsync();
        self = new Backend(id, app);
        return self;
    }


    public void OpenGate() => _gate.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        OpenGate();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
