namespace Ringway.Samples.Analysis.Simulation;

/// <summary>A least-recently-used cache of key indexes (0 to keyCount - 1), array-backed so replaying millions of requests stays fast.</summary>
internal sealed class LruCache
{
    private const int None = -1;
    private readonly int[] _previous;
    private readonly int[] _next;
    private readonly bool[] _cached;
    private readonly int _capacity;
    private int _head = None; // most recent
    private int _tail = None; // least recent
    private int _count;

    public LruCache(int capacity, int keyCount)
    {
        _capacity = capacity;
        _previous = new int[keyCount];
        _next = new int[keyCount];
        _cached = new bool[keyCount];
    }

    /// <summary>Looks the key up and caches it; false on a miss (then the least recently used key may be evicted).</summary>
    public bool Touch(int key)
    {
        if (_cached[key])
        {
            Unlink(key);
            PushFront(key);
            return true;
        }

        if (_count == _capacity)
        {
            var evicted = _tail;
            Unlink(evicted);
            _cached[evicted] = false;
            _count--;
        }

        _cached[key] = true;
        _count++;
        PushFront(key);
        return false;
    }

    private void Unlink(int key)
    {
        var previous = _previous[key];
        var next = _next[key];
        if (previous == None) _head = next;
        else _next[previous] = next;
        if (next == None) _tail = previous;
        else _previous[next] = previous;
    }

    private void PushFront(int key)
    {
        _previous[key] = None;
        _next[key] = _head;
        if (_head != None) _previous[_head] = key;
        _head = key;
        if (_tail == None) _tail = key;
    }
}
