namespace Ringway.Replicas.Docker.Tests;

/// <summary>Requests from inside an overlay network, the way a balancer attached to it sends them.</summary>
public static class OverlayProbe
{
    /// <summary>
    /// GET /home to <paramref name="host"/>:5000 from a throwaway container on <paramref name="network"/> (on this machine's
    /// engine), retried for up to 30 s while the replica starts; the container carries the label io.ringway.test=<paramref name="testId"/>.
    /// </summary>
    public static async Task<string> GetHomeAsync(string testId, string network, string host)
    {
        var script = $"for i in $(seq 1 100); do (exec 3<>/dev/tcp/{host}/5000 && printf 'GET /home HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3) 2>/dev/null && exit 0; sleep 0.3; done; exit 1";
        var (exit, text) = await Task.Run(() => Cli.TryRun(TimeSpan.FromMinutes(2), "run", "--rm", "--label", $"{TestResources.TestLabel}={testId}",
            "--network", network, "--entrypoint", "bash", DockerEnvironment.ServerImage, "-c", script));
        Assert.True(exit == 0, text);
        return text;
    }
}
