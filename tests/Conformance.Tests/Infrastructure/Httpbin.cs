using System.Text.RegularExpressions;
using Ringway.TestSupport.Processes;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>
/// httpbin (Debian's python3-httpbin) under gunicorn's threaded worker on 127.0.0.1, port 0: the third-party application
/// behind every proxy of the suite. Its access log tells which requests reached it.
/// </summary>
internal sealed partial class Httpbin : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _directory;

    private Httpbin(ChildProcess process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
    }

    public Uri Address { get; }

    private string AccessLog => Path.Combine(_directory, "access.log");

    /// <summary>User-Agent, request line as received (gunicorn's RAW_URI: the target exactly as sent), status.</summary>
    private const string AccessLogFormat = "%(a)s\t%(r)s\t%(s)s";

    public static async Task<Httpbin> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("ringway-httpbin-").FullName;
        // No request-line or header-size limits of its own (0 = none; the field count needs a number), so the proxies'
        // limits are the ones the suite sees. The keep-alive timeout stays gunicorn's default (2 s).
        var process = ChildProcess.Start(ThirdParty.Gunicorn,
        [
            "--bind", "127.0.0.1:0", "--worker-class", "gthread", "--workers", "1", "--threads", "16",
            "--access-logfile", Path.Combine(directory, "access.log"), "--access-logformat", AccessLogFormat,
            "--limit-request-line", "0", "--limit-request-fields", "32768", "--limit-request-field_size", "0",
            "httpbin:app",
        ], workingDirectory: directory);
        Uri? address = null;
        try
        {
            await process.WaitUntilAsync(() =>
            {
                var match = ListeningRegex().Match(process.Output);
                address = match.Success ? new Uri(match.Groups[1].Value) : null;
                return Task.FromResult(address is not null && process.Output.Contains("Booting worker", StringComparison.Ordinal));
            }, "gunicorn with httpbin");
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return new Httpbin(process, directory, address!);
    }

    /// <summary>
    /// The request lines (method, target as received, version) of the requests that reached httpbin with
    /// <paramref name="marker"/> as their User-Agent. gunicorn logs a request once it is answered.
    /// </summary>
    public IReadOnlyList<string> RequestLines(string marker)
    {
        using var stream = new FileStream(AccessLog, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split('\t');
            if (fields.Length == 3 && fields[0] == marker)
            {
                lines.Add(fields[1]);
            }
        }

        return lines;
    }

    /// <summary>
    /// Waits until everything sent to httpbin so far has been logged: a request of its own, sent directly once the case's
    /// exchange is over, is logged after any request a proxy forwarded before it (plus a moment for a slow proxy).
    /// </summary>
    public async Task SettleAsync()
    {
        var sentinel = "settle-" + Guid.NewGuid().ToString("N");
        using var client = new HttpClient { BaseAddress = Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status/204");
        request.Headers.TryAddWithoutValidation("User-Agent", sentinel);
        using var _ = await client.SendAsync(request);
        await WaitForRequestLinesAsync(sentinel);
        await Task.Delay(250);
    }

    /// <summary>The request lines logged for <paramref name="marker"/>, once at least <paramref name="count"/> are there (or after 5 s).</summary>
    public async Task<IReadOnlyList<string>> WaitForRequestLinesAsync(string marker, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        IReadOnlyList<string> lines;
        while ((lines = RequestLines(marker)).Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(25);
        }

        return lines;
    }

    [GeneratedRegex(@"Listening at: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningRegex();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
