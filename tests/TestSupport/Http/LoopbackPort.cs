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

    /// <summary>
    /// Keeps <paramref name="port"/> bound without listening until disposed: connections to it are refused, as to a
    /// stopped server, and the system hands the port to no other listener meanwhile (a server another test process
    /// started on port 0 once took a just-stopped backend's port, and answered in its place).
    /// </summary>
    public static Socket Hold(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // The stopped server's connections may linger in TIME_WAIT on the port.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }
}
