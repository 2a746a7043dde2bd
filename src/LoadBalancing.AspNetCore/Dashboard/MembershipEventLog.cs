using Ringway.LoadBalancing.AspNetCore.Supervision;

namespace Ringway.LoadBalancing.AspNetCore.Dashboard;

/// <summary>
/// The last <see cref="Capacity"/> membership changes, newest last: what the dashboard lists under "recent events".
/// Fed by the supervisor's loop (one change at a time), read by dashboard requests on any thread.
/// </summary>
internal sealed class MembershipEventLog
{
    public const int Capacity = 100;

    private readonly MembershipChange[] _ring = new MembershipChange[Capacity];
    private readonly Lock _gate = new();
    private long _total;

    /// <summary>Keeps a change, dropping the oldest once full. Quick and never throws: it runs on the supervisor's loop.</summary>
    public void Add(MembershipChange change)
    {
        lock (_gate)
        {
            _ring[_total % Capacity] = change;
            _total++;
        }
    }

    /// <summary>The kept changes, oldest first.</summary>
    public MembershipChange[] Recent()
    {
        lock (_gate)
        {
            var count = (int)Math.Min(_total, Capacity);
            var result = new MembershipChange[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = _ring[(_total - count + i) % Capacity];
            }

            return result;
        }
    }
}
