using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>
/// A request with a body: the body goes up while the response head is awaited, so a replica that answers before it has
/// read the whole upload (401, 413, a redirect) is heard at once and its answer forwarded, as nginx does, instead of
/// after the rest of the upload or lost when the replica closes. The rest of the upload is then not sent.
/// </summary>
internal sealed class Http1Upload(HttpContext context, Http1Connection connection, Task sending, Task<ResponseHead> reading)
{
    /// <summary>Sending the request (<see cref="RequestSender.SendAsync"/>).</summary>
    public Task Sending { get; } = sending;

    /// <summary>Reading the response head.</summary>
    public Task<ResponseHead> Reading { get; } = reading;

    /// <summary>Stops what is still running and waits for it: the connection (and its buffer) is reused or disposed next.</summary>
    /// <remarks>No token stops the upload: see <see cref="RequestSender.SendAsync"/>. A connection whose upload had not
    /// ended is never reused, so shutting its socket down is how a write stalled on a replica that stopped reading ends.</remarks>
    public async Task EndAsync()
    {
        if (!Sending.IsCompleted)
        {
            context.Request.BodyReader.CancelPendingRead(); // ends a pending read of the client's body
        }

        if (!Sending.IsCompleted || !Reading.IsCompleted)
        {
            try
            {
                connection.Socket.Shutdown(SocketShutdown.Both); // ends a pending write or read on the replica's socket
            }
            catch (SocketException)
            {
                // Already reset: what was pending has ended or is ending with it.
            }
        }

        await Task.WhenAll(Sending, Reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
