using System.Collections.Concurrent;
using System.Net;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

/// <summary>How a scripted replica answers its heartbeat.</summary>
internal enum HeartbeatAnswer
{
    /// <summary>200 OK, after <see cref="ScriptedHeartbeats.Delay"/> on the clock.</summary>
    Ok,

    /// <summary>Connection refused, at once: a replica that is gone.</summary>
    Refused,

    /// <summary>Never answers: only the probe's timeout ends the wait.</summary>
    Hangs,
}

/// <summary>
/// The network under the heartbeat prober, scripted per replica address: each replica answers as told, and slow
/// answers wait on the test's clock. It counts the probes each replica got, so tests can wait for probe rounds.
/// </summary>
internal sealed class ScriptedHeartbeats(TimeProvider time) : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Script> _scripts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long an <see cref="HeartbeatAnswer.Ok"/> answer takes, on the clock, for every replica.</summary>
    public TimeSpan Delay { get; set; }

    public void Set(Uri address, HeartbeatAnswer answer) => _scripts.GetOrAdd(address.Authority, _ => new Script()).Answer = answer;

    public int Probes(Uri address) => _scripts.TryGetValue(address.Authority, out var script) ? Volatile.Read(ref script.Probes) : 0;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!_scripts.TryGetValue(request.RequestUri!.Authority, out var script))
        {
            throw new HttpRequestException($"Connection refused: nothing listens at {request.RequestUri.Authority} (scripted).");
        }

        Interlocked.Increment(ref script.Probes);
        switch (script.Answer)
        {
            case HeartbeatAnswer.Refused:
                throw new HttpRequestException($"Connection refused by {request.RequestUri.Authority} (scripted).");
            case HeartbeatAnswer.Hangs:
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                break;
            default:
                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, time, cancellationToken);
                }

                break;
        }

        return new HttpResponseMessage(request.RequestUri.AbsolutePath == "/heartbeat" ? HttpStatusCode.OK : HttpStatusCode.NotFound);
    }

    private sealed class Script
    {
        public int Probes;

        public volatile HeartbeatAnswer Answer;
    }
}
