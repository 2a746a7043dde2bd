using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ringway.Samples.Analysis.Cluster;

/// <summary>A load balancer started by the tool (A-4 live), on a free loopback port, stopped on dispose.</summary>
internal sealed class BalancerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BalancerProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>
    /// Runs <paramref name="commandTemplate"/> with {url}, {algorithm} and {maxReplicas} filled in (the first word is the
    /// program) and waits until /rep answers. A balancer that exits first is reported with the last line it wrote to
    /// standard error (the sample host's one-line reason for a configuration it refuses).
    /// </summary>
    public static async Task<BalancerProcess> StartAsync(string commandTemplate, string algorithm, int maxReplicas, CancellationToken cancellationToken)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var words = SplitCommand(commandTemplate.Replace("{url}", url.ToString().TrimEnd('/'), StringComparison.Ordinal)
            .Replace("{algorithm}", algorithm, StringComparison.Ordinal)
            .Replace("{maxReplicas}", maxReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var start = new ProcessStartInfo(words[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in words.Skip(1)) start.ArgumentList.Add(word);
        var process = Process.Start(start) ?? throw new BalancerException($"Could not start: {commandTemplate}");
        string? lastError = null;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data)) lastError = e.Data;
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var balancer = new BalancerProcess(process, url);
        using var client = new BalancerClient(url);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false); // standard error read to the end
                var reason = lastError is null ? "" : $" ({lastError.Trim()})";
                throw new BalancerException($"The balancer exited with code {process.ExitCode}{reason}: {string.Join(' ', words)}");
            }
            try
            {
                if ((await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false)).Count > 0) return balancer;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or BalancerException)
            {
                // not up yet
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                await balancer.DisposeAsync().ConfigureAwait(false);
                throw new BalancerException($"The balancer did not answer on {url} within 60 s: {string.Join(' ', words)}");
            }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM lets the balancer stop its replicas; then make sure.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync().ConfigureAwait(false);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    internal static List<string> SplitCommand(string command)
    {
        // Words separated by spaces; "double quotes" group a word with spaces.
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in command)
        {
            if (c == '"') quoted = !quoted;
            else if (c == ' ' && !quoted)
            {
                if (current.Length > 0) words.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
