using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ringway.TestSupport.Processes;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>
/// nginx (Debian's nginx-light) as the reference reverse proxy, with a generated configuration on 127.0.0.1: one server
/// per upstream, each proxying every path the way a reverse proxy in front of an application is usually set up
/// (docs/conformance.md shows the configuration).
/// </summary>
internal sealed class Nginx : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _directory;

    private Nginx(ChildProcess process, string directory, IReadOnlyList<Uri> addresses)
    {
        _process = process;
        _directory = directory;
        Addresses = addresses;
    }

    /// <summary>The address of the server in front of each upstream, in the order given.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The location block every server uses: the reference settings the suite compares with.</summary>
    public const string Location = """
            location / {
                proxy_pass http://$upstream;
                proxy_http_version 1.1;
                proxy_set_header Connection "";
                proxy_set_header Host $http_host;
                proxy_set_header X-Forwarded-For $remote_addr;
                proxy_set_header X-Forwarded-Host $http_host;
                proxy_set_header X-Forwarded-Proto $scheme;
                proxy_buffering off;
                proxy_request_buffering off;
            }
    """;

    /// <summary>Starts nginx with a server in front of each list of upstream servers.</summary>
    public static async Task<Nginx> StartAsync(params IReadOnlyList<Uri>[] upstreams)
    {
        for (var attempt = 1; ; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("ringway-nginx-").FullName;
            var ports = upstreams.Select(_ => FreePort()).ToArray();
            var configuration = Path.Combine(directory, "nginx.conf");
            await File.WriteAllTextAsync(configuration, Configuration(directory, upstreams, ports));
            var process = ChildProcess.Start(ThirdParty.Nginx, ["-p", directory, "-c", configuration, "-e", Path.Combine(directory, "error.log")], workingDirectory: directory);
            try
            {
                await process.WaitUntilAsync(async () => (await Task.WhenAll(ports.Select(Accepts))).All(a => a), "nginx");
                return new Nginx(process, directory, [.. ports.Select(p => new Uri($"http://127.0.0.1:{p}"))]);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // A port taken between choosing and binding it: choose again.
                await process.DisposeAsync();
                Directory.Delete(directory, recursive: true);
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    public string ErrorLog => File.ReadAllText(Path.Combine(_directory, "error.log"));

    private static string Configuration(string directory, IReadOnlyList<Uri>[] upstreams, int[] ports)
    {
        var text = new StringBuilder();
        text.AppendLine("daemon off;");
        text.AppendLine("worker_processes 1;");
        if (Environment.UserName == "root")
        {
            text.AppendLine("user root;"); // the worker writes its temporary files in this test's own directory
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"pid {directory}/nginx.pid;");
        text.AppendLine(CultureInfo.InvariantCulture, $"error_log {directory}/error.log info;");
        text.AppendLine("events { worker_connections 1024; }");
        text.AppendLine("http {");
        text.AppendLine(CultureInfo.InvariantCulture, $"    access_log {directory}/access.log;");
        foreach (var temp in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {temp}_temp_path {directory}/{temp};");
        }

        // Kestrel's default body limit (30,000,000 bytes), so both proxies refuse the same uploads.
        text.AppendLine("    client_max_body_size 30000000;");
        for (var i = 0; i < upstreams.Length; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    upstream upstream{i} {{");
            foreach (var server in upstreams[i])
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"        server {server.Authority};");
            }

            text.AppendLine("        keepalive 16;");
            text.AppendLine("    }");
            text.AppendLine("    server {");
            text.AppendLine(CultureInfo.InvariantCulture, $"        listen 127.0.0.1:{ports[i]};");
            text.AppendLine(Location.Replace("$upstream", $"upstream{i}", StringComparison.Ordinal));
            text.AppendLine("    }");
        }

        text.AppendLine("}");
        return text.ToString();
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task<bool> Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
