// The sample server replica (docs/contract.md): GET /home names the replica, GET /heartbeat answers empty, /ws is a
// WebSocket echo (WebSocketEcho.cs), anything else 404.
// Its id comes from SERVER_ID; it listens on port 5000 unless PORT, --port or --urls says otherwise.
// Started by a balancer's process replica provider, it exits when the process named by RINGWAY_PARENT_PID is gone.
// Every answer, heartbeats included, reports the server's load in ORCA's endpoint-load-metrics header (TEXT form,
// named_metrics.rif = its requests in flight, counted when the request arrived), which balancers with Hashing:ReportedLoad on read (docs/hashing.md).
using System.Diagnostics;
using System.Globalization;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var serverId = builder.Configuration["SERVER_ID"] ?? Environment.MachineName;
if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
{
    var port = builder.Configuration["port"] ?? builder.Configuration["PORT"] ?? "5000";
    builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
}

var app = builder.Build();

var inFlight = new InFlight();
app.Use(async (context, next) =>
{
    // Counted on arrival, this request included: answers without a body start only after the pipeline has returned.
    context.Response.Headers["endpoint-load-metrics"] = inFlight.Enter();
    try
    {
        await next(context);
    }
    finally
    {
        inFlight.Exit();
    }
});

app.MapGet("/home", () => Results.Json(new HomeResponse($"Hello from Server: {serverId}", "successful"), ServerJson.Default.HomeResponse));
app.MapGet("/heartbeat", () => Results.Ok());
app.MapWebSocketEcho(serverId);

// Started by a balancer (RINGWAY_PARENT_PID): exit when the balancer is gone, even if it was killed and could not stop us.
if (int.TryParse(Environment.GetEnvironmentVariable("RINGWAY_PARENT_PID"), NumberStyles.None, CultureInfo.InvariantCulture, out var parentPid))
{
    _ = ParentWatch.ExitWhenGoneAsync(parentPid, app.Lifetime);
}

app.Run();

internal sealed record HomeResponse(string message, string status);

[System.Text.Json.Serialization.JsonSerializable(typeof(HomeResponse))]
internal sealed partial class ServerJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>The requests this server is answering now, reported as an ORCA TEXT load report.</summary>
internal sealed class InFlight
{
    private int _count;

    /// <summary>Counts a request in and returns the report of the load with it.</summary>
    public string Enter() => string.Create(CultureInfo.InvariantCulture, $"TEXT named_metrics.rif={Interlocked.Increment(ref _count)}");

    public void Exit() => Interlocked.Decrement(ref _count);
}

/// <summary>Stops the server once a given process no longer runs.</summary>
internal static class ParentWatch
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    public static async Task ExitWhenGoneAsync(int processId, IHostApplicationLifetime lifetime)
    {
        // The start time tells the parent apart from a later process that reuses its id.
        var startTime = StartTimeOf(processId);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (startTime is not null && StartTimeOf(processId) == startTime)
            {
                await timer.WaitForNextTickAsync(lifetime.ApplicationStopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return; // the server stops anyway
        }

        lifetime.StopApplication();
    }

    /// <summary>An opaque start time of a live process, or null when it does not run (or is a zombie).</summary>
    private static string? StartTimeOf(int processId)
    {
        if (OperatingSystem.IsLinux())
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ... starttime(22nd field) ..."; comm may hold spaces and parentheses.
            try
            {
                var stat = File.ReadAllText($"/proc/{processId}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields[0] is "Z" or "X" or "x" ? null : fields[19];
            }
            catch (IOException)
            {
                return null;
            }
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return process.HasExited ? null : process.StartTime.Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
