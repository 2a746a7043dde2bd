using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Processes;
using Ringway.TestSupport.Waiting;

namespace Ringway.TestSupport.Samples;

/// <summary>
/// The built samples/LoadBalancer as a real child process on 127.0.0.1 (port 0: its banner names the port), ready once /rep
/// answers. Every process of its tree carries a marker variable; disposing sends SIGTERM (the host stops its replicas), kills
/// the tree if it does not exit, then kills by id whatever still carries the marker.
/// </summary>
public sealed partial class SampleHost : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private SampleHost(ChildProcess process)
    {
        _process = process;
    }

    public Uri Address { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The host's other endpoints (Kestrel:Endpoints beyond the first cleartext one), as its banner lists them.</summary>
    public IReadOnlyList<Uri> OtherAddresses
    {
        get
        {
            var match = OtherAddressesRegex().Match(Output);
            return match.Success ? [.. match.Groups[1].Value.Split(", ").Select(a => new Uri(a))] : [];
        }
    }

    public int ProcessId => _process.Id;

    public bool IsRunning => !_process.HasExited;

    public string Output => _process.Output;

    public static string LoadBalancerDll =>
        typeof(SampleHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LoadBalancerDll").Value!;

    public static Task<SampleHost> StartAsync(params string[] arguments) => StartAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Starts the host with extra environment variables (on top of this process's).</summary>
    public static async Task<SampleHost> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = ChildProcess.Start(
            DotnetHost.Executable,
            [LoadBalancerDll, "--urls", "http://127.0.0.1:0", .. arguments],
            environment,
            onLine: line =>
            {
                var match = BannerRegex().Match(line);
                if (match.Success)
                {
                    ready.TrySetResult(new Uri(match.Groups[1].Value));
                }
            });
        var host = new SampleHost(process);
        try
        {
            var first = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            if (first != ready.Task)
            {
                throw new InvalidOperationException($"The sample host did not start:\n{host.Output}");
            }

            host.Address = ready.Task.Result;
            // Room for the chaos tests' many concurrent clients (Reliability.Tests, Replicas.Docker.Tests).
            host.Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            {
                BaseAddress = host.Address,
                Timeout = TimeSpan.FromSeconds(30),
            };
            if (!await Eventually.TrueAsync(async () => await host.ReplicasReadyAsync(), TimeSpan.FromSeconds(30), 100))
            {
                throw new InvalidOperationException($"/rep did not answer with replicas:\n{host.Output}");
            }
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    [GeneratedRegex(@"Ringway load balancer on (http://[0-9.]+:\d+)")]
    private static partial Regex BannerRegex();

    [GeneratedRegex(@"also listening on (.+)")]
    private static partial Regex OtherAddressesRegex();

    /// <summary>The replica processes of this host by SERVER_ID: its running children that run the sample server.</summary>
    public Dictionary<string, int> ReplicaProcesses()
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var child in ProcessTable.Children(_process.Id))
        {
            if (ProcessTable.EnvironmentOf(child, "SERVER_ID") is { } id
                && ProcessTable.CommandLineOf(child) is { } arguments && arguments.Any(a => a.Contains("Ringway.Samples.Server.dll", StringComparison.Ordinal))
                && ProcessTable.IsRunning(child))
            {
                result[id] = child;
            }
        }

        return result;
    }

    /// <summary>Every running process of this host's tree (the host included), found by its marker variable.</summary>
    public IReadOnlyList<int> Tree() => _process.Tree();

    /// <summary>The host answers /rep: with replicas, or 401 when the admin API needs a key.</summary>
    private async Task<bool> ReplicasReadyAsync()
    {
        try
        {
            using var response = await Client.GetAsync("/rep");
            return response.StatusCode == System.Net.HttpStatusCode.Unauthorized
                || (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("\"replicas\":[\"", StringComparison.Ordinal));
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<string>> ReplicasAsync() => await Client.GetReplicasAsync();

    public Task<HttpResponseMessage> AddAsync(string body) => Client.AddReplicasAsync(body);

    public Task<HttpResponseMessage> RemoveAsync(string body) => Client.RemoveReplicasAsync(body);

    /// <summary>A request with a JSON body, or none when <paramref name="body"/> is null.</summary>
    public Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, string? body) => Client.SendJsonAsync(method, path, body);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await _process.DisposeAsync(); // SIGTERM: the host stops its replicas, then exits; what is left is killed by id
    }
}
