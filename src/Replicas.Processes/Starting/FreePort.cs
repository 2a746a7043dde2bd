using System.Net;
using System.Net.Sockets;

namespace Ringway.Replicas.Processes;

/// <summary>Finds a TCP port nobody listens on, by letting the system pick one for a socket that is closed at once.</summary>
internal static class FreePort
{
    public static int Find(IPAddress host)
    {
        using var socket = new Socket(host.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(host, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
