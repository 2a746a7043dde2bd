using System.Diagnostics;
using Ringway.TestSupport;

namespace Ringway.Replicas.Docker.Tests;

/// <summary>
/// A test that needs a real Docker engine and the ringway/sample-server image. Skipped, with the reason, when
/// either is missing, unless RINGWAY_REQUIRE_DOCKER=1 (CI), which makes the test run and fail instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        Skip = DockerEnvironment.Requirement.SkipReason;
    }
}

/// <summary>What the Docker tests need, checked once per test run.</summary>
public static class DockerEnvironment
{
    public const string ServerImage = "ringway/sample-server";

    /// <summary>The engine and the image; RINGWAY_REQUIRE_DOCKER=1 makes a missing one fail the tests instead of skipping them.</summary>
    public static MachineRequirement Requirement { get; } = new("RINGWAY_REQUIRE_DOCKER", Probe);

    private static string? Probe()
    {
        var (engineExit, engineOut) = Cli.TryRun(TimeSpan.FromSeconds(15), "version", "--format", "{{.Server.Version}}");
        if (engineExit != 0)
        {
            return $"No Docker engine answers ({engineOut.Trim()}). Run .ci/docker-setup.sh (or set DOCKER_HOST)";
        }
        var (imageExit, _) = Cli.TryRun(TimeSpan.FromSeconds(15), "image", "inspect", ServerImage);
        if (imageExit != 0)
        {
            return $"The image {ServerImage} is missing. Build it with samples/docker/build-images.sh --offline server (or .ci/docker-setup.sh)";
        }
        return null;
    }
}

/// <summary>Runs the docker CLI: the tests act on the engine the way a user would (docker kill, docker run).</summary>
public static class Cli
{
    public static string Run(params string[] args)
    {
        var (exit, output, errors) = TryRunSplit(TimeSpan.FromMinutes(2), args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', args)} exited with {exit}: {output}{errors}");
        }
        return output.Trim();
    }

    /// <summary>Runs docker; Output holds standard output and standard error together.</summary>
    public static (int ExitCode, string Output) TryRun(TimeSpan timeout, params string[] args)
    {
        var (exit, output, errors) = TryRunSplit(timeout, args);
        return (exit, output + errors);
    }

    private static (int ExitCode, string Output, string Errors) TryRunSplit(TimeSpan timeout, params string[] args) =>
        TryRunProgram("docker", timeout, args);

    /// <summary>Runs another program the Docker tests need (ip, bash scripts); standard output and standard error apart.</summary>
    public static (int ExitCode, string Output, string Errors) TryRunProgram(string program, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("docker did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", $"{program} is not installed: {e.Message}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, "", $"{program} {string.Join(' ', args)} timed out");
            }
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
