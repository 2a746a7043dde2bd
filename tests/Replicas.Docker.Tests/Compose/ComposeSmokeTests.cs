using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.Compose;

/// <summary>
/// samples/docker/docker-compose.yml as a user runs it: up -> /rep shows 3 -> /home -> /add, /rm -> down leaves nothing.
/// Uses the images ringway/sample-loadbalancer and ringway/sample-server (samples/docker/build-images.sh) and a private
/// project name, network, instance label and a random loopback port, so it never meets a user's own system.
/// </summary>
[Collection(Tests.Containers.DockerCollection.Name)]
public sealed class ComposeSmokeTests(ITestOutputHelper output)
{
    [ComposeFact]
    public async Task Compose_UpAddRemoveDown_ThreeReplicasThenNothingLeft()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var environment = new Dictionary<string, string>
        {
            ["RINGWAY_PUBLISH"] = "127.0.0.1:",
            ["RINGWAY_NETWORK"] = $"ringway-test-net1-{id}",
            ["RINGWAY_INSTANCE"] = $"test-{id}",
        };
        var project = $"ringwaytest{id}";
        var clock = Stopwatch.StartNew();
        try
        {
            Compose(environment, "-p", project, "up", "-d");
            var port = Compose(environment, "-p", project, "port", "loadbalancer", "5000").Trim().Split(':')[^1];
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

            string rep = "";
            var ready = await Eventually.TrueAsync(() =>
            {
                try
                {
                    rep = client.GetStringAsync("/rep").GetAwaiter().GetResult();
                    return Replicas(rep).Count == 3;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), pollMilliseconds: 200);
            output.WriteLine($"compose up -> /rep lists 3 replicas: {clock.ElapsedMilliseconds} ms");
            Assert.True(ready, $"/rep: {rep}\n{Compose(environment, "-p", project, "logs", "--tail", "30")}");
            Assert.Equal(["Server 1", "Server 2", "Server 3"], Replicas(rep));
            Assert.Equal(3, Containers($"label=io.ringway.instance=test-{id}").Length);

            using var home = await client.GetAsync("/home");
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            Assert.Contains("Hello from Server: Server ", await home.Content.ReadAsStringAsync());

            using var add = await client.PostAsync("/add", Json("""{"n": 2, "hostnames": ["S5", "S4"]}"""));
            Assert.Equal(HttpStatusCode.OK, add.StatusCode);
            Assert.Equal(["Server 1", "Server 2", "Server 3", "S5", "S4"], Replicas(await add.Content.ReadAsStringAsync()));
            Assert.Equal(5, Containers($"label=io.ringway.instance=test-{id}").Length);

            using var rm = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/rm") { Content = Json("""{"n": 1, "hostnames": ["S5"]}""") });
            Assert.Equal(HttpStatusCode.OK, rm.StatusCode);
            Assert.Equal(["Server 1", "Server 2", "Server 3", "S4"], Replicas(await rm.Content.ReadAsStringAsync()));
            Assert.True(await Eventually.TrueAsync(() => Containers($"label=io.ringway.instance=test-{id}").Length == 4, TimeSpan.FromSeconds(30), pollMilliseconds: 200));

            using var missing = await client.GetAsync("/other");
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        }
        finally
        {
            clock.Restart();
            Compose(environment, "-p", project, "down", "--remove-orphans");
            output.WriteLine($"compose down: {clock.ElapsedMilliseconds} ms");
            var leftovers = Containers($"label=io.ringway.instance=test-{id}");
            if (leftovers.Length > 0)
            {
                Cli.TryRun(TimeSpan.FromMinutes(1), ["rm", "-f", .. leftovers]);
            }
            Assert.Empty(leftovers);
        }

        Assert.Empty(Containers($"label=com.docker.compose.project={project}"));
        Assert.NotEqual(0, Cli.TryRun(TimeSpan.FromSeconds(30), "network", "inspect", environment["RINGWAY_NETWORK"]).ExitCode);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static List<string> Replicas(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("message").GetProperty("replicas").EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private static string[] Containers(string filter) =>
        Cli.Run("ps", "-aq", "--filter", filter).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>samples/docker/compose.sh: docker compose v2 when installed, docker-compose v1 otherwise.</summary>
    private static string Compose(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(ComposeFactAttribute.RepositoryRoot!, "samples", "docker", "compose.sh"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"compose {string.Join(' ', args)} timed out");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"compose {string.Join(' ', args)} exited with {process.ExitCode}: {stdout.Result}{stderr.Result}");
        }
        return stdout.Result;
    }

    /// <summary>Needs the engine (see <see cref="DockerFactAttribute"/>), a compose tool, the balancer image, and a sample host wired to Docker.</summary>
    private sealed class ComposeFactAttribute : FactAttribute
    {
        public static readonly string? RepositoryRoot = TestSupport.RepositoryRoot.Find();

        public ComposeFactAttribute()
        {
            if (RepositoryRoot is null)
            {
                Skip = "Runs from the repository only (no Ringway.slnx above the test binaries).";
                return;
            }
            var project = File.ReadAllText(Path.Combine(RepositoryRoot, "samples", "LoadBalancer", "LoadBalancer.csproj"));
            if (!project.Contains("Replicas.Docker", StringComparison.Ordinal))
            {
                // A state of the repository, not of the machine: not turned into a failure by RINGWAY_REQUIRE_DOCKER.
                Skip = "samples/LoadBalancer does not use Ringway.Replicas.Docker yet (docs/docker.md, 'The sample host'), so its image cannot start server containers.";
                return;
            }
            if (DockerEnvironment.Requirement.Required)
            {
                return;
            }
            if (DockerEnvironment.Requirement.Missing is { } reason)
            {
                Skip = reason;
            }
            else if (Cli.TryRun(TimeSpan.FromSeconds(15), "image", "inspect", "ringway/sample-loadbalancer").ExitCode != 0)
            {
                Skip = DockerEnvironment.Requirement.Because("The image ringway/sample-loadbalancer is missing: samples/docker/build-images.sh --offline");
            }
            else if (Cli.TryRun(TimeSpan.FromSeconds(15), "compose", "version").ExitCode != 0 && !OnPath("docker-compose"))
            {
                Skip = DockerEnvironment.Requirement.Because("Neither docker compose (v2) nor docker-compose (v1) is installed");
            }
        }

        private static bool OnPath(string name) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));
    }
}
