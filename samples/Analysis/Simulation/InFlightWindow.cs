namespace Ringway.Samples.Analysis.Simulation;

/// <summary>
/// Requests in flight per replica when every request takes the same time: a request sent at arrival i finishes when
/// arrival i + Depth comes, so once full exactly Depth requests are in flight. Deterministic, unlike timed load.
/// </summary>
internal sealed class InFlightWindow(int replicas, int depth)
{
    private readonly int[] _sentTo = Enumerable.Repeat(-1, depth).ToArray();
    private int _next;

    /// <summary>Requests in flight at each replica.</summary>
    public int[] Loads { get; } = new int[replicas];

    /// <summary>The replica of the request that finishes when the next one arrives, or -1 while the window fills.</summary>
    public int Oldest => _sentTo[_next];

    /// <summary>Where the oldest request sits in the window (0 to Depth - 1), for callers that track more about it.</summary>
    public int OldestSlot => _next;

    /// <summary>The replica of the request that finishes as a new one arrives (or -1), after taking it off the loads.</summary>
    public int Finish()
    {
        var replica = _sentTo[_next];
        if (replica >= 0) Loads[replica]--;
        return replica;
    }

    /// <summary>Records the new request (call after <see cref="Finish"/>).</summary>
    public void Send(int replica)
    {
        _sentTo[_next] = replica;
        Loads[replica]++;
        _next = (_next + 1) % _sentTo.Length;
    }
}
