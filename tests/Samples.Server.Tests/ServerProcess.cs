using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Ringway.TestSupport.Http;

namespace Ringway.Samples.Server.Tests;

/// <summary>The sample server as a real child process on a free port; disposing it kills it by its process id.</summary>
internal sealed class ServerProcess : IDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private ServerProcess(Process process, int port)
    {
        Process = process;
        Port = port;
        Address = new Uri($"http://127.0.0.1:{port}/");
    }

    public Process Process { get; }

    public int Port { get; }

    public Uri Address { get; }

    public static string ServerDll
    {
        get
        {
            var metadata = typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
            return Path.Combine(TestSupport.RepositoryRoot.Get(), "samples", "Server", "bin", metadata["Configuration"]!, metadata["TargetFramework"]!, "Ringway.Samples.Server.dll");
        }
    }

    /// <summary>
    /// Starts the server with the given environment; <paramref name="portArgument"/> passes the port as <c>--port</c>,
    /// otherwise as <c>PORT</c>. Tries another port when the server exits before listening (someone took the port).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string?> environment, bool portArgument = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPort.Free();
            var server = Start(environment, port, portArgument);
            try
            {
                if (await server.WaitUntilListeningAsync())
                {
                    return server;
                }
            }
            catch
            {
                server.Dispose();
                throw;
            }

            server.Dispose();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"The server did not start on a free port in {attempt} attempts.");
            }
        }
    }

    public static ServerProcess Start(IReadOnlyDictionary<string, string?> environment, int port, bool portArgument)
    {
        var startInfo = new ProcessStartInfo(Ringway.TestSupport.Processes.DotnetHost.Executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(ServerDll);
        startInfo.Environment.Remove("SERVER_ID");
        startInfo.Environment.Remove("PORT");
        startInfo.Environment.Remove("ASPNETCORE_URLS");
        startInfo.Environment.Remove("RINGWAY_PARENT_PID");
        if (portArgument)
        {
            startInfo.ArgumentList.Add("--port");
            startInfo.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            startInfo.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = Process.Start(startInfo)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServerProcess(process, port);
    }

    /// <summary>True once the server accepts connections; false when it exited first.</summary>
    public async Task<bool> WaitUntilListeningAsync()
    {
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < StartLimit)
        {
            if (Process.HasExited)
            {
                return false;
            }

            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"The server did not listen on port {Port} within {StartLimit}.");
    }

    public void Dispose()
    {
        try
        {
            Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited already.
        }

        Process.Dispose();
    }
}
