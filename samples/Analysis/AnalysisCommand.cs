using System.Globalization;
using System.Text.Json;
using Ringway.ConsistentHashing;
using Ringway.Samples.Analysis.Analyses;
using Ringway.Samples.Analysis.Cluster;
using Spectre.Console;

namespace Ringway.Samples.Analysis;

/// <summary>Parses the command line, runs the chosen analyses and writes report.md, results.json and the charts.</summary>
internal static class AnalysisCommand
{
    public const int Ok = 0;
    public const int Unreachable = 2;
    public const int ChecksFailed = 3;
    public const int Usage = 64;

    private const string Help = """
        Runs the load balancer analyses A-1 to A-5 and writes charts (PNG) and a markdown report.

        usage: analysis [a1] [a2] [a3] [a4] [a5] [all] [options]   (default: all)
          --url URL               balancer to analyse (default http://127.0.0.1:5000)
          --requests N            requests per load run (default 10000)
          --concurrency N         requests in flight at once (default 100)
          --out DIR               where report.md, results.json and the charts go (default analysis-out)
          --json                  print the results as JSON on standard output (tables go to standard error)
          --kills N               A-3: how many times a replica is killed and its recovery timed (default 3)
          --kill-mode MODE        A-3: auto | process | docker (default auto: a labelled container if any, else a local process)
          --min N, --max N        A-2: the range of N (default 2..6)
          --offline-keys N        A-4: random 6-digit ids hashed offline (default 100000)
          --seed N                A-4: seed of the offline ids (default 2024)
          --offline               A-4, A-5: skip the live parts (starting balancers); A-5 then runs its offline
                                  simulations only (a few minutes; --seed sets the Zipf streams)
          --balancer-command CMD  A-4, A-5 live: how to start a balancer; {url}, {algorithm} and {maxReplicas} (the
                                  larger of --max and 3; A-5: its replicas + 1) are filled in, A-5 appends options
                                  (default: the sample LoadBalancer built next to this tool)
        exit codes: 0 done, 2 the balancer cannot be reached, 3 a contract check failed, 64 bad arguments
        """;

    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken)
    {
        AnalysisOptions options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"analysis: {e.Message}");
            Console.Error.WriteLine("Run with --help for the options.");
            return Usage;
        }
        catch (HelpRequestedException)
        {
            Console.WriteLine(Help);
            return Ok;
        }

        // With --json, standard output carries only the JSON; the human view goes to standard error.
        var ui = options.Json ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : console;
        var context = new AnalysisContext(options, ui);
        Directory.CreateDirectory(options.OutDirectory);
        var results = new AnalysisResults { Url = options.Url.ToString(), Requests = options.Requests, Concurrency = options.Concurrency };
        context.Report.Heading(1, "Load balancer analysis")
            .Paragraph($"Balancer {options.Url}, {options.Requests} requests per run, {options.Concurrency} concurrent. Produced by `dotnet run --project samples/Analysis -- {string.Join(' ', args)}`.");

        var needsBalancer = options.Analyses.Any(a => a is "a1" or "a2" or "a3");
        using var client = new BalancerClient(options.Url, options.Concurrency);
        try
        {
            if (needsBalancer) await client.EnsureReachableAsync(cancellationToken).ConfigureAwait(false);

            if (options.Analyses.Contains("a1"))
            {
                results.A1 = await A1Distribution.RunAsync(context, client, "a1-requests-per-server.png", "A-1", cancellationToken).ConfigureAwait(false);
                A1Distribution.Report(context, results.A1, "a1-requests-per-server.png");
            }
            if (options.Analyses.Contains("a2"))
            {
                results.A2 = await A2Scaling.RunAsync(context, client, "a2-load-per-server.png", "A-2", cancellationToken).ConfigureAwait(false);
                A2Scaling.Report(context, results.A2, "a2-load-per-server.png", "A-2: average load per server as N grows");
            }
            if (options.Analyses.Contains("a3"))
            {
                results.A3 = await A3Endpoints.RunAsync(context, client, cancellationToken).ConfigureAwait(false);
                A3Endpoints.Report(context, results.A3);
            }
            if (options.Analyses.Contains("a4"))
            {
                results.A4Offline = A4HashComparison.RunOffline(options.OfflineKeys, options.MinReplicas, options.MaxReplicas, options.Seed);
                A4HashComparison.ReportOffline(context, results.A4Offline);
                if (options.Live)
                {
                    results.A4Live = await A4HashComparison.RunLiveAsync(context, cancellationToken).ConfigureAwait(false);
                    A4HashComparison.ReportLive(context, results.A4Live);
                }
            }
            if (options.Analyses.Contains("a5"))
            {
                context.Ui.MarkupLine("[bold]A-5:[/] simulating warm-up, hot-key spreading and shared load (offline, a few minutes)");
                results.A5 = A5LoadAware.RunOffline(new A5Settings { HotKeys = new() { Seed = options.Seed } });
                A5LoadAware.ReportOffline(context, results.A5);
                if (options.Live)
                {
                    context.Ui.MarkupLine("[bold]A-5 live:[/] starting the sample host per scheme (two to three minutes)");
                    results.A5Live = await A5Live.RunAsync(context, new A5LiveSettings { Seed = options.Seed }, cancellationToken).ConfigureAwait(false);
                    A5LiveReport.Write(context, results.A5Live);
                }
            }
        }
        catch (BalancerException e)
        {
            ui.MarkupLineInterpolated($"[red]analysis: {e.Message}[/]");
            return Unreachable;
        }
        catch (HttpRequestException e)
        {
            ui.MarkupLineInterpolated($"[red]analysis: the balancer at {options.Url} stopped answering: {e.Message}[/]");
            return Unreachable;
        }

        await File.WriteAllTextAsync(context.OutPath("report.md"), context.Report.ToString(), cancellationToken).ConfigureAwait(false);
        var json = JsonSerializer.Serialize(results, JsonOptions);
        await File.WriteAllTextAsync(context.OutPath("results.json"), json, cancellationToken).ConfigureAwait(false);
        if (options.Json) Console.Out.WriteLine(json);
        ui.MarkupLineInterpolated($"Report: {Path.GetFullPath(context.OutPath("report.md"))}");
        return results.A3 is { AllPassed: false } ? ChecksFailed : Ok;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    internal static AnalysisOptions Parse(string[] args)
    {
        var options = new AnalysisOptions { BalancerCommand = DefaultBalancerCommand() };
        var analyses = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int Number(int min)
            {
                var text = Value();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
                    ? n : throw new ArgumentException($"{arg} takes a whole number of at least {min}, not '{text}'");
            }
            switch (arg)
            {
                case "a1" or "a2" or "a3" or "a4" or "a5": analyses.Add(arg); break;
                case "all": analyses.AddRange(["a1", "a2", "a3", "a4", "a5"]); break;
                case "--help" or "-h": throw new HelpRequestedException();
                case "--url":
                    var url = Value();
                    options = options with { Url = Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" ? u : throw new ArgumentException($"--url takes an http(s) address, not '{url}'") };
                    break;
                case "--requests": options = options with { Requests = Number(1) }; break;
                case "--concurrency": options = options with { Concurrency = Number(1) }; break;
                case "--out": options = options with { OutDirectory = Value() }; break;
                case "--json": options = options with { Json = true }; break;
                case "--kills": options = options with { Kills = Number(0) }; break;
                case "--kill-mode":
                    var mode = Value();
                    options = options with { KillMode = Enum.TryParse<KillMode>(mode, ignoreCase: true, out var m) ? m : throw new ArgumentException($"--kill-mode takes auto, process or docker, not '{mode}'") };
                    break;
                case "--min": options = options with { MinReplicas = Number(1) }; break;
                case "--max": options = options with { MaxReplicas = Number(1) }; break;
                case "--offline-keys": options = options with { OfflineKeys = Number(1) }; break;
                case "--seed": options = options with { Seed = Number(0) }; break;
                case "--offline": options = options with { Live = false }; break;
                case "--balancer-command": options = options with { BalancerCommand = Value() }; break;
                default: throw new ArgumentException($"unknown argument '{arg}'");
            }
        }
        if (options.MinReplicas > options.MaxReplicas) throw new ArgumentException("--min must not exceed --max");
        if (analyses.Count == 0 || analyses.Contains("a4")) EnsureEveryAlgorithmHolds(options.MaxReplicas + 1);
        if (options.Live && options.BalancerCommand is null && (analyses.Count == 0 || analyses.Contains("a4") || analyses.Contains("a5")))
        {
            throw new ArgumentException("A-4 and A-5 live need a balancer to start: build samples/LoadBalancer, pass --balancer-command, or use --offline");
        }
        return options with { Analyses = analyses.Count == 0 ? ["a1", "a2", "a3", "a4", "a5"] : analyses.Distinct().ToList() };
    }

    /// <summary>
    /// A-4 hashes onto up to --max + 1 servers with every algorithm; the classic ring holds only so many, and the hashing
    /// library says how many.
    /// </summary>
    private static void EnsureEveryAlgorithmHolds(int servers)
    {
        foreach (var algorithm in A4HashComparison.Algorithms)
        {
            try
            {
                ConsistentHash.Create(algorithm, Enumerable.Range(1, servers).Select(i => new HashNode<int>($"Server {i}", i)));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"--max is too large for A-4 ({algorithm} with {servers} servers): {WithoutParameter(e)}", e);
            }
        }
    }

    private static string WithoutParameter(ArgumentException e)
        => e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

    /// <summary>The sample LoadBalancer built beside this tool (same configuration), if it is there.</summary>
    private static string? DefaultBalancerCommand()
    {
        // bin/<Configuration>/net10.0/ of this tool -> samples/LoadBalancer/bin/<Configuration>/net10.0/
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent?.Name;
        var samples = here.Parent?.Parent?.Parent?.Parent;
        if (samples is null || configuration is null) return null;
        var dll = Path.Combine(samples.FullName, "LoadBalancer", "bin", configuration, framework, "Ringway.Samples.LoadBalancer.dll");
        return File.Exists(dll) ? BalancerCommandFor(dll) : null;
    }

    /// <summary>How A-4 live starts the sample LoadBalancer at <paramref name="dll"/>: one algorithm, and a MaxReplicas every algorithm accepts.</summary>
    internal static string BalancerCommandFor(string dll)
        => $"dotnet \"{dll}\" --urls {{url}} --Balancer:Hashing:Algorithm={{algorithm}} --Balancer:Replicas:MaxCount={{maxReplicas}}";

    private sealed class HelpRequestedException : Exception;
}

/// <summary>Everything a run measured, for --json and results.json.</summary>
internal sealed class AnalysisResults
{
    public string Url { get; init; } = "";
    public int Requests { get; init; }
    public int Concurrency { get; init; }
    public LoadSummary? A1 { get; set; }
    public IReadOnlyList<ScalingPoint>? A2 { get; set; }
    public EndpointResult? A3 { get; set; }
    public IReadOnlyList<OfflinePoint>? A4Offline { get; set; }
    public IReadOnlyList<LiveRun>? A4Live { get; set; }
    public A5Result? A5 { get; set; }
    public A5LiveResult? A5Live { get; set; }
}
