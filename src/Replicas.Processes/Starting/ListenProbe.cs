using System.Net;
using System.Net.Sockets;

namespace Ringway.Replicas.Processes;

/// <summary>
/// Waits until a new process accepts TCP connections on its port, the proof that it started (heartbeats are the
/// balancer's business).
/// </summary>
internal static class ListenProbe
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// True once a connection to <paramref name="endpoint"/> succeeds; false when the process exits first or
    /// <paramref name="timeout"/> passes. Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async Task<bool> WaitAsync(IPEndPoint endpoint, Task exited, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        while (true)
        {
            if (exited.IsCompleted)
            {
                return false;
            }

            using (var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
            {
                try
                {
                    await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
                    return true;
                }
                catch (SocketException)
                {
                    // Not listening yet.
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return false;
                }
            }

            await Task.WhenAny(exited, Task.Delay(RetryDelay, time, linked.Token)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (deadline.IsCancellationRequested)
            {
                return false;
            }
        }
    }
}
