using System.Diagnostics;
using System.Net;
using Ringway.Samples.Analysis.Cluster;
using Ringway.Samples.Analysis.Reporting;
using Spectre.Console;

namespace Ringway.Samples.Analysis.Analyses;

/// <summary>
/// A-3: every endpoint and error case of the contract, each checked against the exact answer docs/contract.md gives; then a
/// replica is killed, several times, and the time until N replicas serve again is measured.
/// </summary>
internal static class A3Endpoints
{
    private const string AddTooMany = "<Error> Length of hostname list is more than newly added instances";
    private const string RemoveTooMany = "<Error> Length of hostname list is more than removable instances";

    public static async Task<EndpointResult> RunAsync(AnalysisContext context, BalancerClient client, CancellationToken cancellationToken)
    {
        var cases = new List<CaseResult>();
        var before = await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false);
        var marker = "a3-" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);

        async Task Check(string name, Func<Task<(bool Passed, string Detail)>> run)
        {
            try
            {
                var (passed, detail) = await run().ConfigureAwait(false);
                cases.Add(new CaseResult(name, passed, detail));
            }
            catch (Exception e) when (e is HttpRequestException or BalancerException or TaskCanceledException)
            {
                cases.Add(new CaseResult(name, false, e.Message));
            }
        }

        static (bool, string) Expect(ApiReply reply, HttpStatusCode status, string? message = null)
        {
            var ok = reply.Status == status && (message is null || reply.Message == message)
                && reply.StatusField == (status == HttpStatusCode.OK ? "successful" : "failure");
            return (ok, $"{(int)reply.Status} {Shorten(reply.Body)}");
        }

        // Errors first: each must leave the replica set exactly as it was.
        async Task<(bool, string)> Unchanged((bool Passed, string Detail) answer)
        {
            var now = await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false);
            var same = now.SequenceEqual(before);
            return (answer.Passed && same, answer.Detail + (same ? "" : " (replica set changed!)"));
        }

        await Check("GET /rep lists N replicas", async () =>
        {
            var reply = await client.SendAsync(HttpMethod.Get, "/rep", null, cancellationToken).ConfigureAwait(false);
            var (ok, detail) = Expect(reply, HttpStatusCode.OK);
            var n = System.Text.Json.Nodes.JsonNode.Parse(reply.Body)?["message"]?["N"]?.GetValue<int>();
            return (ok && n == before.Count, detail);
        }).ConfigureAwait(false);
        await Check("GET /home is routed to a replica", async () =>
        {
            var reply = await client.SendAsync(HttpMethod.Get, "/home", null, cancellationToken).ConfigureAwait(false);
            var (ok, detail) = Expect(reply, HttpStatusCode.OK);
            return (ok && BalancerClient.ParseHomeServer(reply.Message) is { } s && before.Contains(s), detail);
        }).ConfigureAwait(false);
        await Check("GET /<unknown path> -> 400 endpoint does not exist", async () =>
            Expect(await client.SendAsync(HttpMethod.Get, "/other", null, cancellationToken).ConfigureAwait(false),
                HttpStatusCode.BadRequest, "<Error> '/other' endpoint does not exist in server replicas")).ConfigureAwait(false);
        await Check("POST /add with more hostnames than n -> 400", async () => await Unchanged(
            Expect(await client.AddAsync(1, [marker + "-x", marker + "-y"], cancellationToken).ConfigureAwait(false), HttpStatusCode.BadRequest, AddTooMany)).ConfigureAwait(false)).ConfigureAwait(false);
        await Check("DELETE /rm with more hostnames than n -> 400", async () => await Unchanged(
            Expect(await client.RemoveAsync(1, [before[0], before[^1]], cancellationToken).ConfigureAwait(false), HttpStatusCode.BadRequest, RemoveTooMany)).ConfigureAwait(false)).ConfigureAwait(false);
        await Check("POST /add with malformed JSON -> 400", async () => await Unchanged(
            Expect(await client.SendAsync(HttpMethod.Post, "/add", "{\"n\": 1,", cancellationToken).ConfigureAwait(false), HttpStatusCode.BadRequest)).ConfigureAwait(false)).ConfigureAwait(false);
        await Check("POST /add with n = 0 -> 400", async () => await Unchanged(
            Expect(await client.SendAsync(HttpMethod.Post, "/add", "{\"n\": 0}", cancellationToken).ConfigureAwait(false), HttpStatusCode.BadRequest)).ConfigureAwait(false)).ConfigureAwait(false);
        await Check("POST /add with n of the wrong type -> 400", async () => await Unchanged(
            Expect(await client.SendAsync(HttpMethod.Post, "/add", "{\"n\": \"two\"}", cancellationToken).ConfigureAwait(false), HttpStatusCode.BadRequest)).ConfigureAwait(false)).ConfigureAwait(false);
        await Check("POST /add with an existing hostname -> 400", async () => await Unchanged(
            Expect(await client.AddAsync(1, [before[0]], cancellationToken).ConfigureAwait(false), HttpStatusCode.BadRequest)).ConfigureAwait(false)).ConfigureAwait(false);
        await Check("POST /add with an invalid hostname -> 400", async () => await Unchanged(
            Expect(await client.AddAsync(1, ["bad/name;rm -rf"], cancellationToken).ConfigureAwait(false), HttpStatusCode.BadRequest)).ConfigureAwait(false)).ConfigureAwait(false);
        await Check("DELETE /rm of an unknown hostname -> 400", async () => await Unchanged(
            Expect(await client.RemoveAsync(1, [marker + "-missing"], cancellationToken).ConfigureAwait(false), HttpStatusCode.BadRequest)).ConfigureAwait(false)).ConfigureAwait(false);
        await Check("DELETE /rm of more replicas than exist -> 400", async () => await Unchanged(
            Expect(await client.RemoveAsync(before.Count + 1, null, cancellationToken).ConfigureAwait(false), HttpStatusCode.BadRequest)).ConfigureAwait(false)).ConfigureAwait(false);

        // Then the successful changes, undone as they go.
        var added = marker + "-add";
        await Check("POST /add n=2 with one hostname -> 200, named one and a random one appended", async () =>
        {
            var reply = await client.AddAsync(2, [added], cancellationToken).ConfigureAwait(false);
            var (ok, detail) = Expect(reply, HttpStatusCode.OK);
            var now = await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false);
            ok &= now.Count == before.Count + 2 && now.Take(before.Count).SequenceEqual(before) && now.Contains(added);
            return (ok, detail);
        }).ConfigureAwait(false);
        await Check("DELETE /rm n=2 with one hostname -> 200, named one and one other removed", async () =>
        {
            var reply = await client.RemoveAsync(2, [added], cancellationToken).ConfigureAwait(false);
            var (ok, detail) = Expect(reply, HttpStatusCode.OK);
            var now = await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false);
            ok &= now.Count == before.Count && !now.Contains(added);
            return (ok, detail);
        }).ConfigureAwait(false);

        // Restore N (the /rm above may have removed an original replica) and wait until all serve.
        await ReplicaSteering.SetCountAsync(client, before.Count, context.Options.ReadyTimeout, cancellationToken).ConfigureAwait(false);

        var recoveries = new List<double>();
        var kills = new List<string>();
        for (var k = 0; k < context.Options.Kills; k++)
        {
            var replicas = await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false);
            var victim = replicas[Random.Shared.Next(replicas.Count)];
            var clock = Stopwatch.StartNew();
            var what = await ReplicaKiller.KillAsync(victim, context.Options.KillMode, cancellationToken).ConfigureAwait(false);
            await ReplicaSteering.WaitUntilServingAsync(client, replicas.Count, victim, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            recoveries.Add(clock.Elapsed.TotalSeconds);
            kills.Add($"{victim} ({what})");
        }

        var result = new EndpointResult(cases, recoveries, kills);
        Show(context, result);
        return result;
    }

    public static void Report(AnalysisContext context, EndpointResult result)
    {
        context.Report.Heading(2, "A-3: endpoints, error cases and recovery")
            .Paragraph($"{result.Cases.Count(c => c.Passed)} of {result.Cases.Count} contract checks passed.")
            .Table(["case", "result", "answer"], result.Cases.Select(c => (IReadOnlyList<string>)[c.Name, c.Passed ? "pass" : "FAIL", c.Detail]));
        if (result.RecoverySeconds.Count > 0)
        {
            context.Report.Paragraph(
                $"Replica killed {result.RecoverySeconds.Count} times ({string.Join("; ", result.Killed)}). Time from the kill until /rep lists N replicas " +
                $"without the killed one and every one of them has answered a routed request: median {MarkdownReport.Number(result.MedianSeconds, "0.00")} s, " +
                $"max {MarkdownReport.Number(result.MaxSeconds, "0.00")} s (each: {string.Join(", ", result.RecoverySeconds.Select(s => MarkdownReport.Number(s, "0.00")))} s).");
        }
    }

    private static void Show(AnalysisContext context, EndpointResult result)
    {
        var table = new Table().Title("A-3 contract checks").AddColumns("case", "result");
        foreach (var c in result.Cases) table.AddRow(Markup.Escape(c.Name), c.Passed ? "[green]pass[/]" : "[red]FAIL[/]");
        context.Ui.Write(table);
        if (result.RecoverySeconds.Count > 0)
        {
            context.Ui.MarkupLine($"Recovery after a kill: median {MarkdownReport.Number(result.MedianSeconds, "0.00")} s, max {MarkdownReport.Number(result.MaxSeconds, "0.00")} s");
        }
    }

    private static string Shorten(string body) => body.Length <= 160 ? body : body[..157] + "...";
}

internal sealed record CaseResult(string Name, bool Passed, string Detail);

internal sealed record EndpointResult(IReadOnlyList<CaseResult> Cases, IReadOnlyList<double> RecoverySeconds, IReadOnlyList<string> Killed)
{
    public double MedianSeconds => Median(RecoverySeconds);

    public double MaxSeconds => RecoverySeconds.Count == 0 ? 0 : RecoverySeconds.Max();

    public bool AllPassed => Cases.All(c => c.Passed);

    internal static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return 0;
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
