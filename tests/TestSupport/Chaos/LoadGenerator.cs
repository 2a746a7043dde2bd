using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Ringway.TestSupport.Chaos;

/// <summary>
/// Closed-loop load: <c>clients</c> tasks, each sending one request after another until stopped. GETs go to /home with a
/// random key (so every replica gets some); a share of POSTs (not idempotent, never retried once sent) goes to /home too,
/// which the replicas answer with 405: that answer is a delivered request, a 5xx or an exception is a lost one.
/// </summary>
public sealed class LoadGenerator(HttpClient client, int clients, double postShare, int seed)
{
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentQueue<TimeSpan> _failedGetStarts = new();
    private readonly Stopwatch _clock = new();
    private long _gets;
    private long _posts;
    private long _failedGets;
    private long _failedPosts;

    public long Gets => Interlocked.Read(ref _gets);

    public long Posts => Interlocked.Read(ref _posts);

    public long FailedGets => Interlocked.Read(ref _failedGets);

    public long FailedPosts => Interlocked.Read(ref _failedPosts);

    /// <summary>The first failures, with what happened and when.</summary>
    public IReadOnlyList<string> Failures => [.. _failures.Take(20)];

    /// <summary>When each failed GET was sent, as <see cref="Elapsed"/> then.</summary>
    public IReadOnlyList<TimeSpan> FailedGetStarts => [.. _failedGetStarts];

    /// <summary>The time since the load started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public async Task RunAsync(CancellationToken stop)
    {
        _clock.Start();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => ClientAsync(new Random(seed + i), _clock, stop))));
    }

    private async Task ClientAsync(Random random, Stopwatch clock, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var sent = clock.Elapsed;
            var post = random.NextDouble() < postShare;
            var key = random.Next(1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var request = new HttpRequestMessage(post ? HttpMethod.Post : HttpMethod.Get, $"/home?key={key}");
            if (post)
            {
                request.Content = new StringContent("payload " + key);
            }

            string? failure = null;
            try
            {
                using var response = await client.SendAsync(request, CancellationToken.None);
                var expected = post ? HttpStatusCode.MethodNotAllowed : HttpStatusCode.OK;
                if (response.StatusCode != expected)
                {
                    failure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}";
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                failure = exception.GetType().Name + ": " + exception.Message;
            }

            Interlocked.Increment(ref post ? ref _posts : ref _gets);
            if (failure is not null)
            {
                Interlocked.Increment(ref post ? ref _failedPosts : ref _failedGets);
                if (!post)
                {
                    _failedGetStarts.Enqueue(sent);
                }
                if (_failures.Count < 20)
                {
                    _failures.Enqueue($"{clock.Elapsed.TotalSeconds:F2} s {(post ? "POST" : "GET")} key {key} (sent at {sent.TotalSeconds:F2} s): {failure}");
                }
            }
        }
    }
}
