using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Ringway.TestSupport.Http;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1, port 0, answering like the sample server plus endpoints the forwarding tests need.</summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;
    private int _heartbeats;
    private int _stopped;
    private readonly List<HttpContext> _webSocketRequests = [];

    private TestBackend(string id, WebApplication app, Uri address)
    {
        Id = id;
        _app = app;
        Address = address;
    }

    public string Id { get; }

    public Uri Address { get; }

    /// <summary>Requests received, heartbeats excepted.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Heartbeat requests received.</summary>
    public int Heartbeats => Volatile.Read(ref _heartbeats);

    /// <summary>Set when /hang has started; the request's abort is reported through <see cref="HangAborted"/>.</summary>
    public TaskCompletionSource HangStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource HangAborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long /heartbeat takes to answer; <see cref="Timeout.InfiniteTimeSpan"/> for a replica that hangs.</summary>
    public TimeSpan HeartbeatDelay { get; set; }

    /// <summary>An ORCA load report (<c>endpoint-load-metrics</c> value) added to every answer, heartbeats included; null for none.</summary>
    public string? LoadReport { get; set; }

    /// <summary>Completes /gate requests; until then they wait (for drain tests).</summary>
    public TaskCompletionSource Gate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>WebSocket sessions open on /ws.</summary>
    public int OpenWebSockets
    {
        get
        {
            lock (_webSocketRequests)
            {
                return _webSocketRequests.Count;
            }
        }
    }

    /// <param name="id">The replica's name, in the X-Backend header and the /whoami and WebSocket "whoami" answers.</param>
    /// <param name="webSocketKeepAlive">The interval of the server's WebSocket pings (Kestrel's default, 2 minutes, when null).</param>
    public static async Task<TestBackend> StartAsync(string id, TimeSpan? webSocketKeepAlive = null)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        var app = builder.Build();
        TestBackend? self = null;
        app.Use((context, next) =>
        {
            if (context.Request.Path != "/heartbeat")
            {
                Interlocked.Increment(ref self!._requests);
            }

            context.Response.Headers["X-Backend"] = id;
            if (self!.LoadReport is { } report)
            {
                context.Response.Headers["endpoint-load-metrics"] = report;
            }

            return next(context);
        });
        app.UseWebSockets(webSocketKeepAlive is { } keepAlive ? new WebSocketOptions { KeepAliveInterval = keepAlive } : new WebSocketOptions());
        app.MapGet("/home", () => Results.Json(new { message = $"Hello from Server: {id}", status = "successful" }));
        app.MapGet("/heartbeat", async (HttpContext c) =>
        {
            Interlocked.Increment(ref self!._heartbeats);
            if (self!.HeartbeatDelay != TimeSpan.Zero)
            {
                await Task.Delay(self.HeartbeatDelay, c.RequestAborted);
            }

            return Results.Ok();
        });
        app.Map("/whoami", (HttpContext c) => Results.Text(id));
        app.MapGet("/users/{userId}/profile", (HttpContext c) => Results.Text(id));
        app.MapPost("/echo", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/octet-stream";
            await c.Response.StartAsync();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await c.Request.Body.ReadAsync(buffer)) > 0)
            {
                await c.Response.Body.WriteAsync(buffer.AsMemory(0, read));
                await c.Response.Body.FlushAsync();
            }
        });
        app.MapPost("/sha", async (HttpContext c) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await c.Request.Body.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }

            return Results.Text($"{total}:{Convert.ToHexString(hash.GetHashAndReset())}");
        });
        app.MapGet("/download", async (HttpContext c, int mb) =>
        {
            c.Response.ContentType = "application/octet-stream";
            var chunk = Pattern(64 * 1024);
            for (var i = 0; i < mb * 16; i++)
            {
                await c.Response.Body.WriteAsync(chunk);
            }
        });
        app.Map("/headers", (HttpContext c) =>
        {
            var headers = c.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            return Results.Text(JsonSerializer.Serialize(headers), "application/json");
        });
        // The request target exactly as this server received it (percent-encoding untouched).
        app.Map("/raw/{**rest}", (HttpContext c) => Results.Text(c.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget));
        // An absolute redirect built from the Host the request carried, as many applications build them.
        app.MapGet("/redirect-absolute", (HttpContext c) => Results.Redirect($"{c.Request.Scheme}://{c.Request.Host}/target"));
        app.MapGet("/response-headers", (HttpContext c) =>
        {
            c.Response.Headers["X-Custom"] = "custom-value";
            c.Response.Headers["Keep-Alive"] = "timeout=5";
            c.Response.Headers["Set-Cookie"] = "a=1";
            return Results.StatusCode(201);
        });
        app.MapGet("/slow", async (int ms) =>
        {
            await Task.Delay(ms);
            return Results.Text("slow");
        });
        app.MapGet("/hang", async (HttpContext c) =>
        {
            self!.HangStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, c.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                self.HangAborted.TrySetResult();
            }
        });
        app.MapGet("/gate", async () =>
        {
            await self!.Gate.Task;
            return Results.Text(id);
        });
        app.Map("/status/{code:int}", (int code) => Results.StatusCode(code)); // any method; a request body is not read
        app.MapPost("/limited", async (HttpContext c) =>
        {
            // At most 1,000 bytes of body, as a replica with a small limit: Kestrel answers a larger one with 413 and closes.
            c.Features.GetRequiredFeature<IHttpMaxRequestBodySizeFeature>().MaxRequestBodySize = 1000;
            await c.Request.Body.CopyToAsync(Stream.Null);
            return Results.Ok();
        });
        // Echoes every frame; the text message "whoami" is answered with this replica's id instead.
        app.Map("/ws", async (HttpContext c) =>
        {
            if (!c.WebSockets.IsWebSocketRequest)
            {
                return Results.BadRequest();
            }

            using var socket = await c.WebSockets.AcceptWebSocketAsync();
            lock (self!._webSocketRequests)
            {
                self._webSocketRequests.Add(c);
            }

            try
            {
                var buffer = new byte[4096];
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        break;
                    }

                    var reply = result is { MessageType: WebSocketMessageType.Text, EndOfMessage: true } && buffer.AsSpan(0, result.Count).SequenceEqual("whoami"u8)
                        ? System.Text.Encoding.UTF8.GetBytes(id)
                        : buffer.AsMemory(0, result.Count);
                    await socket.SendAsync(reply, result.MessageType, result.EndOfMessage, CancellationToken.None);
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
                // The connection was aborted (a killed replica, a balancer that gave up on the tunnel).
            }
            finally
            {
                lock (self._webSocketRequests)
                {
                    self._webSocketRequests.Remove(c);
                }
            }

            return Results.Empty;
        });
        self = new TestBackend(id, app, await LoopbackApp.StartAsync(app));
        return self;
    }

    public static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 31 % 251);
        }

        return bytes;
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            Gate.TrySetResult();
            await LoopbackApp.StopAsync(_app, TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>Aborts the TCP connections of the open WebSocket sessions, as a replica that crashed mid-session; the server keeps running.</summary>
    public void AbortWebSockets()
    {
        lock (_webSocketRequests)
        {
            foreach (var context in _webSocketRequests)
            {
                context.Abort();
            }
        }
    }

    /// <summary>Stops at once, without a grace period: the listener closes and open connections (WebSockets too) are aborted.</summary>
    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            Gate.TrySetResult();
            await LoopbackApp.StopAsync(_app, TimeSpan.Zero);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
