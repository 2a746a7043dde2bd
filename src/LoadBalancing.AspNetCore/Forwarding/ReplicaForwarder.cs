namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>How requests are forwarded to replicas (<see cref="ForwardingOptions.Forwarder"/>).</summary>
public enum ReplicaForwarder
{
    /// <summary>YARP's <c>IHttpForwarder</c> over pooled <c>SocketsHttpHandler</c> connections, for every request. The default.</summary>
    Yarp,

    /// <summary>
    /// A lean HTTP/1.1 path over pooled keep-alive connections for ordinary requests (HTTP/1.x from the client, no upgrade,
    /// no <c>Expect</c>, an <c>http://</c> replica); everything else still goes through <see cref="Yarp"/>.
    /// </summary>
    Http1,
}
