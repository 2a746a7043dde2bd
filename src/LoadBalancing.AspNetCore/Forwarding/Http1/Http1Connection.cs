using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>
/// One keep-alive HTTP/1.1 connection to a replica with its own read buffer and timeout source, reused across requests
/// so a forwarded request allocates neither.
/// </summary>
internal sealed class Http1Connection : IDisposable
{
    public const int BufferSize = 16 * 1024;

    /// <summary>The largest response head accepted, as SocketsHttpHandler's default (so YARP's): 64 KiB.</summary>
    public const int MaxHeadSize = 64 * 1024;

    private Http1Connection(Socket socket)
    {
        Socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: true);
        Buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    public Socket Socket { get; }

    public NetworkStream Stream { get; }

    /// <summary>Bytes read from the replica; the unread ones are <c>Buffer[Start..End]</c>.</summary>
    public byte[] Buffer { get; private set; }

    public int Start { get; set; }

    public int End { get; set; }

    /// <summary>Cancelled on the response timeout or when the client leaves; reset between requests.</summary>
    public CancellationTokenSource Timeout { get; private set; } = new();

    /// <summary>Whether this connection served a request before (a failure on it may be a stale keep-alive).</summary>
    public bool Reused { get; set; }

    /// <summary>When it was returned to its pool (a <see cref="TimeProvider"/> timestamp).</summary>
    public long IdleSince { get; set; }

    /// <summary>Response body bytes were written to the client but not flushed yet (this exchange).</summary>
    public bool ClientBytesUnflushed { get; set; }

    /// <summary>The last value of each known response header on this connection, reused while the bytes repeat.</summary>
    public string?[] HeaderValues { get; } = new string?[Http1Syntax.KnownCount];

    public int Buffered => End - Start;

    public static async ValueTask<Http1Connection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new Http1Connection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads more bytes from the replica after the unread ones, compacting first; 0 at end of stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> FillAsync(CancellationToken cancellationToken)
    {
        if (Start > 0)
        {
            Array.Copy(Buffer, Start, Buffer, 0, End - Start);
            End -= Start;
            Start = 0;
        }

        if (End == Buffer.Length)
        {
            return -1; // full: the caller decides whether that is an error
        }

        var read = await Stream.ReadAsync(Buffer.AsMemory(End), cancellationToken).ConfigureAwait(false);
        End += read;
        return read;
    }

    /// <summary>
    /// Swaps the read buffer for one of <see cref="MaxHeadSize"/> bytes, keeping the unread bytes; false when it is that
    /// large already. Only a response head that does not fit asks for it, so ordinary connections stay at 16 KiB.
    /// </summary>
    public bool TryGrowForHead()
    {
        if (Buffer.Length >= MaxHeadSize)
        {
            return false;
        }

        var larger = ArrayPool<byte>.Shared.Rent(MaxHeadSize);
        Array.Copy(Buffer, Start, larger, 0, End - Start);
        ArrayPool<byte>.Shared.Return(Buffer);
        Buffer = larger;
        End -= Start;
        Start = 0;
        return true;
    }

    /// <summary>Prepares for the next request: a fresh timeout source if the old one fired.</summary>
    public bool TryResetForReuse()
    {
        if (!Timeout.TryReset())
        {
            return false;
        }

        Reused = true;
        ClientBytesUnflushed = false;
        return true;
    }

    /// <summary>An idle keep-alive connection with readable data (or end of stream) was closed or confused by the replica.</summary>
    public bool LooksClosed()
    {
        try
        {
            // Readable while idle means the replica closed it (or sent bytes nobody asked for): either way unusable.
            return Socket.Poll(0, SelectMode.SelectRead);
        }
        catch (SocketException)
        {
            return true;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        Stream.Dispose();
        Timeout.Dispose();
        var buffer = Buffer;
        Buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
