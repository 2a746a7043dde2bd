using System.Globalization;
using System.Net;
using System.Text.Json;
using Ringway.TestSupport;
using Ringway.TestSupport.Hostile;
using Ringway.TestSupport.Samples;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Reliability.Tests.Fuzz;

/// <summary>
/// Random mutations of valid /add and /rm bodies against the real sample host (MaxReplicas = 5, so an accepted mutation
/// stays cheap). Invariants: never a 5xx; every 4xx in the JSON error shape with /rep unchanged; every 200 did exactly what
/// its body asked, read by a strict JSON parser (no duplicate keys, nothing after the object). N is restored after each
/// accepted change. CI runs a short fixed-seed run; scripts/fuzz.sh sets RINGWAY_FUZZ_SEED and RINGWAY_FUZZ_COUNT.
/// </summary>
public sealed class AdminFuzzTests(ITestOutputHelper output)
{
    private const int MaxReplicas = 5;

    [Fact]
    public async Task AddAndRemove_MutatedBodies_No5xxAndEveryAcceptedChangeExact()
    {
        var seed = Settings.Int("RINGWAY_FUZZ_SEED", 1124);
        var count = Settings.Int("RINGWAY_FUZZ_COUNT", 300);
        await using var host = await SampleHost.StartAsync($"--Balancer:Replicas:MaxCount={MaxReplicas}");
        var n = (await host.ReplicasAsync()).Count;
        var mutator = new RequestMutator(seed);
        var statuses = new SortedDictionary<int, int>();
        var violations = new List<string>();
        var accepted = 0;

        for (var i = 0; i < count && violations.Count < 5; i++)
        {
            var before = await host.ReplicasAsync();
            var request = mutator.Next(before, i);
            using var message = new HttpRequestMessage(request.Method, request.Path) { Content = new ByteArrayContent(request.Body) };
            message.Content.Headers.ContentType = new("application/json");
            using var response = await host.Client.SendAsync(message);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var after = await host.ReplicasAsync();
            var problem = status switch
            {
                >= 500 => "5xx",
                >= 400 => ErrorShape.Problem(response.Content.Headers.ContentType?.ToString(), body)
                          ?? (after.SequenceEqual(before) ? null : $"rejected, yet /rep changed to [{string.Join(", ", after)}]"),
                200 => CheckAccepted(request, before, after, body),
                _ => "unexpected status",
            };
            if (problem is not null)
            {
                violations.Add($"seed {seed} #{i} {request.Mutation} {request.Method} {request.Path} {request.BodyText} -> {status} {body}: {problem}");
            }

            if (status == 200)
            {
                accepted++;
                await RestoreAsync(host, n);
            }
        }

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"fuzz: seed {seed}, {count} requests: statuses {string.Join(", ", statuses.Select(s => $"{s.Key} x{s.Value}"))}; {accepted} accepted and checked; {violations.Count} violations");
        output.WriteLine(summary);
        Settings.Record(summary);
        violations.ForEach(output.WriteLine);

        Assert.Empty(violations);
        Assert.True(await Eventually.TrueAsync(async () => host.ReplicaProcesses().Keys.Order().SequenceEqual((await host.ReplicasAsync()).Order()), TimeSpan.FromSeconds(15)),
            "the replica processes are the replicas /rep lists");
    }

    /// <summary>Null when an accepted request did exactly what its body asks; otherwise what is wrong.</summary>
    private static string? CheckAccepted(FuzzRequest request, IReadOnlyList<string> before, IReadOnlyList<string> after, string body)
    {
        int n;
        List<string> hostnames;
        try
        {
            using var json = JsonDocument.Parse(request.Body, new JsonDocumentOptions { AllowDuplicateProperties = false });
            n = json.RootElement.GetProperty("n").GetInt32();
            hostnames = json.RootElement.TryGetProperty("hostnames", out var list) && list.ValueKind == JsonValueKind.Array
                ? [.. list.EnumerateArray().Select(e => e.GetString()!)]
                : [];
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            return $"accepted a body a strict parser refuses ({exception.GetType().Name}: {exception.Message})";
        }

        using (var answer = JsonDocument.Parse(body))
        {
            var listed = answer.RootElement.GetProperty("message").GetProperty("replicas").EnumerateArray().Select(e => e.GetString()!);
            if (!listed.SequenceEqual(after))
            {
                return "the answer is not what /rep lists afterwards";
            }
        }

        if (request.Path == "/add")
        {
            var added = after.Skip(before.Count).ToList();
            return after.Take(before.Count).SequenceEqual(before) && added.Count == n && hostnames.All(added.Contains) && added.All(ReplicaNameIsValid)
                ? null
                : $"/add asked for {n} ({string.Join(", ", hostnames)}), /rep went from [{string.Join(", ", before)}] to [{string.Join(", ", after)}]";
        }

        var removed = before.Except(after).ToList();
        return removed.Count == n && after.Count == before.Count - n && hostnames.All(removed.Contains) && before.Where(after.Contains).SequenceEqual(after)
            ? null
            : $"/rm asked for {n} ({string.Join(", ", hostnames)}), /rep went from [{string.Join(", ", before)}] to [{string.Join(", ", after)}]";
    }

    private static bool ReplicaNameIsValid(string hostname) =>
        hostname.Length is >= 1 and <= 63 && hostname.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '_' or '.');

    private static async Task RestoreAsync(SampleHost host, int n)
    {
        var now = await host.ReplicasAsync();
        using var response = now.Count > n
            ? await host.SendJsonAsync(HttpMethod.Delete, "/rm", JsonSerializer.Serialize(new { n = now.Count - n, hostnames = now.Skip(n) }))
            : now.Count < n
                ? await host.SendJsonAsync(HttpMethod.Post, "/add", JsonSerializer.Serialize(new { n = n - now.Count }))
                : null;
        Assert.True(response is null || response.StatusCode == HttpStatusCode.OK, "restoring N failed");
    }
}
