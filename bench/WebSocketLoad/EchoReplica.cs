using System.Net.WebSockets;

namespace Ringway.Benchmarks.WebSocketLoad;

/// <summary>A replica for the benchmark: echoes WebSocket messages on /ws, answers /home and /heartbeat like the sample server.</summary>
internal static class EchoReplica
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var id = app.Configuration["id"] ?? "1";
        app.UseWebSockets();
        app.MapGet("/home", () => Results.Text($"{{\"message\":\"Hello from Server: {id}\",\"status\":\"successful\"}}", "application/json"));
        app.MapGet("/heartbeat", () => Results.Ok());
        app.Map("/ws", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        return;
                    }

                    await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
                }
            }
            catch (WebSocketException)
            {
                // The client (or the proxy) dropped the connection at the end of a run.
            }
        });
        await app.RunAsync();
        return 0;
    }
}
