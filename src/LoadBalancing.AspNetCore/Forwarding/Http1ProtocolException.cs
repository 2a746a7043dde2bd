namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>The replica's HTTP/1.1 response could not be read: malformed, too large, or the connection ended early.</summary>
internal sealed class Http1ProtocolException : IOException
{
    public Http1ProtocolException(string message, bool nothingReceived = false)
        : base(message) => NothingReceived = nothingReceived;

    /// <summary>The connection ended before a single response byte: on a reused connection, a stale keep-alive.</summary>
    public bool NothingReceived { get; }
}
