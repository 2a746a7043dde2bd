using System.Net.WebSockets;

/// <summary>
/// <c>/ws</c>: a WebSocket session that echoes every message, and answers the text message <c>whoami</c> with the
/// server's id, so that a client can see which replica a balancer sent its session to.
/// </summary>
internal static class WebSocketEcho
{
    public static void MapWebSocketEcho(this WebApplication app, string serverId)
    {
        var whoami = System.Text.Encoding.UTF8.GetBytes(serverId);
        app.UseWebSockets();
        app.Map("/ws", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound; // only WebSocket requests exist here
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), context.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        return;
                    }

                    var reply = result is { MessageType: WebSocketMessageType.Text, EndOfMessage: true } && buffer.AsSpan(0, result.Count).SequenceEqual("whoami"u8)
                        ? whoami
                        : buffer.AsMemory(0, result.Count);
                    await socket.SendAsync(reply, result.MessageType, result.EndOfMessage, context.RequestAborted);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The client or the balancer dropped the connection.
            }
        });
    }
}
