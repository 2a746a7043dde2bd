using System.Net;
using System.Net.Sockets;

namespace Ringway.TestSupport.Http;

/// <summary>
/// Ports on 127.0.0.1 for servers the tests start as child processes (which cannot be handed port 0 and report back) and
/// for addresses where nothing listens. Also compiled into Samples.Server.Tests as a linked file.
/// </summary>
public static class LoopbackPort
{
    /// <summary>A port nobody listens on now (the system's pick for a socket bound and closed at once).</summary>
    public static int Free()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
