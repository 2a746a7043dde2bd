using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Routing;

/// <summary>
/// Taking the key from a request and looking it up on the routing snapshot allocates nothing. The
/// benchmark (bench/LoadBalancing.Benchmarks, RoutingPathBenchmarks) gives the numbers; this keeps them from regressing.
/// </summary>
public sealed class RoutingAllocationTests
{
    private const int CallsPerRound = 1000;

    // Up to about 10 s of rounds before failing; a passing run needs only as long as tiering takes (well under a second).
    private const int MaxRounds = 500;

    public static TheoryData<ConsistentHashAlgorithm, string> Cases()
    {
        var cases = new TheoryData<ConsistentHashAlgorithm, string>();
        foreach (var algorithm in Enum.GetValues<ConsistentHashAlgorithm>())
        {
            cases.Add(algorithm, "query");
            cases.Add(algorithm, "header");
            cases.Add(algorithm, "none"); // the random 6-digit id
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GetKeyThenGetNodeIndex_KeyInRequestOrRandomId_AllocatesNothing(ConsistentHashAlgorithm algorithm, string keyIn)
    {
        var (keys, table, requests) = Setup(algorithm, keyIn);

        AssertAllocatesNothing(i =>
        {
            var snapshot = table.Current;
            var key = keys.GetKey(requests[i % requests.Length]);
            return snapshot.Replicas[snapshot.Hash!.GetNodeIndex(key.Chars(stackalloc char[RequestKey.IdLength]))].Hostname.Length;
        });
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GetKeyThenGetNodeIndexes_KeyInRequestOrRandomId_AllocatesNothing(ConsistentHashAlgorithm algorithm, string keyIn)
    {
        var (keys, table, requests) = Setup(algorithm, keyIn);
        var order = new int[64];

        AssertAllocatesNothing(i =>
        {
            var hash = table.Current.Hash!;
            var key = keys.GetKey(requests[i % requests.Length]);
            return hash.GetNodeIndexes(key.Chars(stackalloc char[RequestKey.IdLength]), order.AsSpan(0, Math.Min(hash.Count, order.Length)));
        });
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GetKeyThenPick_EveryLoadAwareOptionOn_AllocatesNothing(ConsistentHashAlgorithm algorithm, string keyIn)
    {
        var (keys, _, requests) = Setup(algorithm, keyIn);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(50));
        var options = new ConsistentHashBalancerOptions
        {
            Hashing = { Algorithm = algorithm, BoundedLoadFactor = 1.25, WarmUp = TimeSpan.FromMinutes(1) },
        };
        options.Hashing.HotKeys.Enabled = true;
        options.Hashing.HotKeys.MinimumRequests = 10;
        options.Hashing.ReportedLoad.Enabled = true;
        var table = new ReplicaTable(Options.Create(options), time);
        for (var i = 1; i <= 4; i++)
        {
            // The fourth joins last and ramps up: warm-up holds some keys back.
            table.Join(new ReplicaState(new Replica($"server-{i}", new Uri($"http://127.0.0.1:{5000 + i}/"), $"{i}")), warmUp: i == 4);
        }

        table.Current.Replicas[0].Reported.Report(7, 0, time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.NotNull(table.Current.WarmUp);
        var picker = new ReplicaPicker(Options.Create(options), time);

        AssertAllocatesNothing(i =>
        {
            var snapshot = table.Current;
            var key = keys.GetKey(requests[i % requests.Length]);
            return snapshot.Replicas[picker.Pick(snapshot, key.Chars(stackalloc char[RequestKey.IdLength]))].Hostname.Length;
        });
    }

    /// <summary>
    /// Calls <paramref name="work"/> in rounds and passes on the first round that allocated nothing on this thread.
    /// Before the JIT promotes a method to tier 1, its tier-0 code may allocate where the optimised code does not (KeyHash
    /// documents one such case), so the first rounds are allowed to; an allocation in the code itself shows in every round.
    /// </summary>
    private static void AssertAllocatesNothing(Func<int, int> work)
    {
        long allocated = 0;
        var sink = 0;
        for (var round = 0; round < MaxRounds; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < CallsPerRound; i++)
            {
                sink += work(i);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0)
            {
                Assert.True(sink > 0);
                return;
            }

            // Gives the background JIT time to install tier-1 code (it waits for a quiet spell in tier-0 compilation).
            Thread.Sleep(20);
        }

        Assert.Fail($"Key extraction + lookup allocated in every one of {MaxRounds} rounds: {allocated} B per {CallsPerRound} calls in the last.");
    }

    private static (RequestKeySelector Keys, ReplicaTable Table, HttpContext[] Requests) Setup(ConsistentHashAlgorithm algorithm, string keyIn)
    {
        // The sample host's key sources, in its order.
        var options = new ConsistentHashBalancerOptions { Hashing = { Algorithm = algorithm } };
        options.Keys.Sources.Add("header:X-Ringway-Key");
        options.Keys.Sources.Add("query:key");
        var table = new ReplicaTable(Options.Create(options));
        for (var i = 1; i <= 3; i++)
        {
            table.Join(new ReplicaState(new Replica($"server-{i}", new Uri($"http://127.0.0.1:{5000 + i}/"), $"{i}")));
        }

        var random = new Random(8);
        var requests = new HttpContext[64];
        for (var r = 0; r < requests.Length; r++)
        {
            var key = string.Create(16, random, static (span, rnd) =>
            {
                for (var c = 0; c < span.Length; c++)
                {
                    span[c] = (char)('a' + rnd.Next(26));
                }
            });
            var context = new DefaultHttpContext();
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = "/home";
            if (keyIn == "query")
            {
                context.Request.QueryString = new QueryString("?user=u1&key=" + key);
            }
            else if (keyIn == "header")
            {
                context.Request.Headers["X-Ringway-Key"] = key;
            }

            requests[r] = context;
        }

        return (new RequestKeySelector(Options.Create(options)), table, requests);
    }
}
