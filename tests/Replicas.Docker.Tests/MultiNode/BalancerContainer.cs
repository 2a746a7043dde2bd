using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ringway.TestSupport.Samples;

namespace Ringway.Replicas.Docker.Tests.MultiNode;

/// <summary>
/// The sample host as a user runs it on a swarm (docs/docker.md, "More than one machine"): a container on a manager, attached
/// to the replicas' overlay network, with the engine's socket, reaching every replica by its service name whatever node it
/// runs on. It runs this build of samples/LoadBalancer (mounted read-only) on the runtime of the ringway/sample-server image,
/// so the test needs no balancer image built from the current source. The test reaches it through a port published on
/// 127.0.0.1. Disposing stops it with SIGTERM (it removes its replicas) and removes the container.
/// </summary>
public sealed class BalancerContainer : IAsyncDisposable
{
    private BalancerContainer(string name, Uri address)
    {
        Name = name;
        Address = address;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Name { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>Starts the balancer and waits until /rep lists <paramref name="replicas"/> replicas.</summary>
    /// <param name="name">The container's name (also labelled with the test's id, for clean-up).</param>
    /// <param name="testId">The test's id: the container carries the label io.ringway.test=ID.</param>
    /// <param name="network">The overlay network it joins.</param>
    /// <param name="replicas">How many replicas /rep must list before it counts as started.</param>
    /// <param name="tcpRetries">The container's net.ipv4.tcp_retries2 (Linux's default: 15).</param>
    /// <param name="arguments">The sample host's settings (--Replicas:Swarm:Image=..., --Balancer:...).</param>
    public static async Task<BalancerContainer> StartAsync(string name, string testId, string network, int replicas, int tcpRetries, params string[] arguments)
    {
        var build = Path.GetDirectoryName(SampleHost.LoadBalancerDll)!;
        string[] run =
        [
            "run", "-d", "--name", name, "--label", $"{TestResources.TestLabel}={testId}", "--label", MultiNodeSwarm.SweptLabel, "--network", network,
            "-p", "127.0.0.1::5000", "-v", "/var/run/docker.sock:/var/run/docker.sock", "-v", $"{build}:/app:ro", "-w", "/app",
            "--user", "0", "--entrypoint", "dotnet",
            // 4: a connection to a vanished replica fails after about 6 s of unanswered retransmissions, not 15 minutes (docs/docker.md).
            "--sysctl", $"net.ipv4.tcp_retries2={tcpRetries}",
            DockerEnvironment.ServerImage,
            "Ringway.Samples.LoadBalancer.dll", "--urls", "http://0.0.0.0:5000", "--Replicas:Provider=swarm", .. arguments,
        ];
        for (var attempt = 1; ; attempt++)
        {
            var (exit, text) = Cli.TryRun(TimeSpan.FromMinutes(2), run);
            if (exit == 0)
            {
                break;
            }
            // An engine that just dropped its last local endpoint on the overlay may not find the network for a moment.
            Cli.TryRun(TimeSpan.FromSeconds(30), "rm", "-f", name);
            if (attempt == 5 || !text.Contains("not found", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"docker run {name}: {text}");
            }
            await Task.Delay(1000);
        }
        var published = Cli.Run("port", name, "5000/tcp").Split('\n')[0].Trim();
        var balancer = new BalancerContainer(name, new Uri($"http://{published}/"));
        try
        {
            var clock = Stopwatch.StartNew();
            while ((await balancer.TryReplicasAsync())?.Count != replicas)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(2) || Cli.Run("inspect", "--format", "{{.State.Running}}", name) != "true")
                {
                    throw new InvalidOperationException($"The balancer {name} did not list {replicas} replicas:\n{balancer.Logs()}");
                }
                await Task.Delay(250);
            }
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }
        return balancer;
    }

    /// <summary>The hostnames /rep lists.</summary>
    public async Task<IReadOnlyList<string>> ReplicasAsync() =>
        await TryReplicasAsync() ?? throw new InvalidOperationException($"/rep did not answer:\n{Logs()}");

    private async Task<IReadOnlyList<string>?> TryReplicasAsync()
    {
        try
        {
            using var json = JsonDocument.Parse(await Client.GetStringAsync("/rep"));
            return [.. json.RootElement.GetProperty("message").GetProperty("replicas").EnumerateArray().Select(e => e.GetString()!)];
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Which replica answers GET /home for each key ("Hello from Server: NAME").</summary>
    public async Task<string?> ServerForAsync(string key)
    {
        using var response = await Client.GetAsync($"/home?key={key}");
        var body = await response.Content.ReadAsStringAsync();
        const string marker = "Hello from Server: ";
        var at = body.IndexOf(marker, StringComparison.Ordinal);
        return response.IsSuccessStatusCode && at >= 0 ? body[(at + marker.Length)..].Split('"')[0] : null;
    }

    /// <summary>The balancer's output so far (its membership log: replicas started, where, joined, left).</summary>
    public string Logs() => Cli.TryRun(TimeSpan.FromSeconds(30), "logs", Name).Output;

    /// <summary>When the balancer wrote each output line containing <paramref name="text"/> (the engine's timestamps, UTC).</summary>
    public IReadOnlyList<DateTime> Logged(string text) =>
        [.. Cli.TryRun(TimeSpan.FromSeconds(30), "logs", "--timestamps", Name).Output.Split('\n')
            .Where(line => line.Contains(text, StringComparison.Ordinal))
            .Select(line => DateTime.Parse(line[..line.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal))];

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        // SIGTERM: the host removes its replicas on the way out (OnShutdown = Remove), then exits.
        Cli.TryRun(TimeSpan.FromSeconds(90), "stop", "-t", "60", Name);
        Cli.TryRun(TimeSpan.FromSeconds(60), "rm", "-f", Name);
        return ValueTask.CompletedTask;
    }
}
