namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>The replica's HTTP/1.1 response could not be read: malformed, too large, or the connection ended early.</summary>
internal sealed class Http1ProtocolException : IOException
{
    public Http1ProtocolException(string message, bool nothingReceived = false)
        : base(message) => NothingReceived = nothingReceived;

    /// <summary>The response head was rejected by <see cref="ResponseHeadParser"/>.</summary>
    public Http1ProtocolException(ResponseHeadError error)
        : base("The replica sent " + ResponseHeadParser.Describe(error) + ".") => HeadError = error;

    /// <summary>The connection ended before a single response byte: on a reused connection, a stale keep-alive.</summary>
    public bool NothingReceived { get; }

    /// <summary>Why the response head was rejected; <see cref="ResponseHeadError.None"/> when the failure was not the head's.</summary>
    public ResponseHeadError HeadError { get; }
}
