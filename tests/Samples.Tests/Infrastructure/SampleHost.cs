using System.Diagnostics;
using System.Net.Http.Json;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ringway.Samples.Tests.Infrastructure;

/// <summary>
/// The built samples/LoadBalancer run as a real child process on 127.0.0.1 port 0 (its banner names the port).
/// Disposing stops it with SIGTERM, so it stops its own replica processes, and kills the tree if it does not exit.
/// </summary>
public sealed partial class SampleHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SampleHost(Process process) => _process = process;

    public Uri Address { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static Task<SampleHost> StartAsync(params string[] arguments) => StartAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Starts the host with extra environment variables (on top of this process's).</summary>
    public static async Task<SampleHost> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var dll = typeof(SampleHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LoadBalancerDll").Value!;
        var start = new ProcessStartInfo(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var host = new SampleHost(process);
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data, ready);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data, ready);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var exited = process.WaitForExitAsync();
            var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
            if (first != ready.Task)
            {
                throw new InvalidOperationException($"The sample host did not start:\n{host.Output}");
            }
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        host.Address = ready.Task.Result;
        host.Client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };
        return host;
    }

    private void OnLine(string? line, TaskCompletionSource<Uri> ready)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var match = BannerRegex().Match(line);
        if (match.Success)
        {
            ready.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Ringway load balancer on (http://[0-9.]+:\d+)")]
    private static partial Regex BannerRegex();

    /// <summary>The replica processes this host runs, by SERVER_ID (Linux: children whose environment names them).</summary>
    public Dictionary<string, int> ReplicaProcesses()
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var child in Children(_process.Id))
        {
            try
            {
                var environ = File.ReadAllText($"/proc/{child}/environ").Split('\0');
                var cmdline = File.ReadAllText($"/proc/{child}/cmdline");
                var id = environ.FirstOrDefault(e => e.StartsWith("SERVER_ID=", StringComparison.Ordinal));
                if (id is not null && cmdline.Contains("Ringway.Samples.Server.dll", StringComparison.Ordinal))
                {
                    result[id["SERVER_ID=".Length..]] = child;
                }
            }
            catch (IOException)
            {
                // Exited meanwhile.
            }
        }

        return result;
    }

    private static IEnumerable<int> Children(int pid)
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string children;
            try
            {
                children = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return int.Parse(child, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    public async Task<string[]> ReplicasAsync()
    {
        using var json = JsonDocument.Parse(await Client.GetStringAsync("/rep"));
        return [.. json.RootElement.GetProperty("message").GetProperty("replicas").EnumerateArray().Select(e => e.GetString()!)];
    }

    public Task<HttpResponseMessage> AddAsync(string body) => SendJsonAsync(HttpMethod.Post, "/add", body);

    public Task<HttpResponseMessage> RemoveAsync(string body) => SendJsonAsync(HttpMethod.Delete, "/rm", body);

    public Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, string? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15); // SIGTERM: the host stops its replicas, then exits.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
