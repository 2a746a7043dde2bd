namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>The replica's HTTP/1.1 response could not be read: malformed, too large, or the connection ended early.</summary>
internal sealed class Http1ProtocolException : IOException
{
    public Http1ProtocolException(string message, bool nothingReceived = false, bool malformed = false)
        : base(message)
    {
        NothingReceived = nothingReceived;
        Malformed = malformed;
    }

    /// <summary>The response head was rejected by <see cref="ResponseHeadParser"/>.</summary>
    public Http1ProtocolException(ResponseHeadError error)
        : this("The replica sent " + ResponseHeadParser.Describe(error) + ".", malformed: true)
    {
    }

    /// <summary>The connection ended before a single response byte: on a reused connection, a stale keep-alive.</summary>
    public bool NothingReceived { get; }

    /// <summary>The replica sent bytes that are not valid HTTP (as opposed to a connection that ended early).</summary>
    public bool Malformed { get; }
}
