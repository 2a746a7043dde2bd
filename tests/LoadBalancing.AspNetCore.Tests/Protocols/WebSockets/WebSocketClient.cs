using System.Net;
using System.Net.WebSockets;
using System.Text;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Protocols.WebSockets;

/// <summary>A real <see cref="ClientWebSocket"/> on a balancer's /ws, and what the tests ask of it.</summary>
internal static class WebSocketClient
{
    /// <summary>How long one send or receive may take on a busy machine before the test calls it a hang.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Connects to /ws with the key in <c>?key=</c> or, for <paramref name="keyHeader"/>, in that header.</summary>
    /// <param name="keepAlive">The client's ping interval; zero (the default here) sends none, so an idle tunnel stays silent.</param>
    /// <remarks>
    /// The balancer's response timeout bounds the handshake too: with the short ones of the timeout tests a replica on a busy
    /// machine may miss it (504), which is not what those tests measure, so a 504 handshake is tried again.
    /// </remarks>
    public static async Task<ClientWebSocket> ConnectAsync(TestBalancer balancer, string? key = null, string? keyHeader = null, TimeSpan? keepAlive = null)
    {
        var query = key is not null && keyHeader is null ? $"?key={Uri.EscapeDataString(key)}" : "";
        for (var attempt = 1; ; attempt++)
        {
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = keepAlive ?? TimeSpan.Zero;
            socket.Options.CollectHttpResponseDetails = true;
            if (key is not null && keyHeader is not null)
            {
                socket.Options.SetRequestHeader(keyHeader, key);
            }

            using var timeout = new CancellationTokenSource(Patience);
            try
            {
                await socket.ConnectAsync(new Uri($"ws://{balancer.Address.Authority}/ws{query}"), timeout.Token);
                return socket;
            }
            catch (WebSocketException) when (socket.HttpStatusCode == HttpStatusCode.GatewayTimeout && attempt < 5)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Sends one message and returns the whole message that comes back.</summary>
    public static async Task<byte[]> RoundTripAsync(this ClientWebSocket socket, ReadOnlyMemory<byte> message, WebSocketMessageType type = WebSocketMessageType.Binary)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await socket.SendAsync(message, type, endOfMessage: true, timeout.Token);
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            received.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return received.ToArray();
            }
        }
    }

    /// <summary>The id of the replica at the other end of the tunnel (the test backends answer "whoami" with it).</summary>
    public static async Task<string> WhoAmIAsync(this ClientWebSocket socket)
        => Encoding.UTF8.GetString(await socket.RoundTripAsync("whoami"u8.ToArray(), WebSocketMessageType.Text));

    /// <summary>
    /// Waits for the tunnel to end (a close frame, or the connection dropped) and says how; fails the test when it is still
    /// open after <paramref name="within"/>.
    /// </summary>
    public static async Task<string> EndAsync(this ClientWebSocket socket, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return $"close {socket.CloseStatus}";
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"The tunnel was still open after {within.TotalSeconds:0.#} s (state {socket.State}).");
            throw;
        }
        catch (WebSocketException e)
        {
            return $"dropped ({e.WebSocketErrorCode})";
        }
    }

    /// <summary>The test backend whose id the socket reports.</summary>
    public static TestBackend Named(this IEnumerable<TestBackend> backends, string id) => backends.Single(b => b.Id == id);
}
