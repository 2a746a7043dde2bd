using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// Keeps the client's own <c>Connection</c> header lines, which Kestrel does not: when a Connection value holds exactly
/// one of <c>keep-alive</c>, <c>close</c> or <c>upgrade</c> beside header names (<c>Connection: keep-alive, X-Hop</c>),
/// Kestrel replaces the whole value with that one option before any middleware runs, and the names are lost.
/// <see cref="ForwardingHeaderPolicy"/> needs them to remove the headers they name (RFC 9110 7.6.1).
/// </summary>
/// <remarks>
/// A pass-through reader over the connection's input: it looks at each complete line once, and remembers blank lines (the
/// ends of request heads) and Connection lines with their positions in the stream. When Kestrel hands a request to the
/// application it has consumed exactly that request's head, so the Connection lines between the blank line that ends
/// there and the blank line before it are that request's. Lines of a body can only ever be taken for head lines of the
/// same client's next request, and any doubt (a head end not seen, too many lines in between) gives no answer, so
/// Kestrel's value is used as before.
/// </remarks>
internal sealed class ConnectionHeaderCapture(PipeReader inner) : PipeReader
{
    private const int Capacity = 64;
    private const string KeepAlive = "keep-alive";
    private const string Close = "close";
    private const string Upgrade = "upgrade";
    private static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0"u8;
    private readonly Lock _gate = new();
    private readonly Mark[] _marks = new Mark[Capacity];
    private int _count;
    private long _consumed; // stream position of the first byte Kestrel has not consumed
    private long _scanned;  // stream position up to which complete lines were looked at
    private ReadOnlySequence<byte> _last;
    private bool _off;

    /// <summary>
    /// The raw Connection values of the request whose head Kestrel consumed last, in the order they came, lines that hold
    /// only one of Kestrel's options left out; false when there is nothing more than Kestrel's value says, or when it is
    /// unknown (nothing seen, or the stream could not be followed).
    /// </summary>
    public bool TryGetConnectionValues(out StringValues values)
    {
        values = default;
        lock (_gate)
        {
            var end = _consumed;
            var foundEnd = false;
            var foundStart = false;
            List<string>? collected = null;
            var available = Math.Min(_count, Capacity);
            for (var i = 1; i <= available && !foundStart; i++)
            {
                var mark = _marks[(_count - i) % Capacity];
                if (!foundEnd)
                {
                    if (mark.Connection is null && mark.Position == end)
                    {
                        foundEnd = true;
                    }
                    else if (mark.Position < end)
                    {
                        return false; // the head's end was not seen where Kestrel stopped: do not guess
                    }
                }
                else if (mark.Connection is null)
                {
                    foundStart = true; // the blank line before the head
                }
                else if (!IsOption(mark.Connection))
                {
                    (collected ??= []).Insert(0, mark.Connection);
                }
            }

            // Nothing but Kestrel's own options: Kestrel's value says it all. Without the blank line before it, the head's
            // start is known only if nothing was overwritten.
            if (!foundEnd || collected is null || (!foundStart && _count > Capacity))
            {
                return false;
            }

            values = collected.Count == 1 ? new StringValues(collected[0]) : new StringValues([.. collected]);
            return true;
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var pending = inner.ReadAsync(cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitAsync(pending);
        }

        var result = pending.Result;
        Observe(result.Buffer);
        return new ValueTask<ReadResult>(result);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        Observe(result.Buffer);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var length = _last.Slice(_last.Start, consumed).Length;
        lock (_gate)
        {
            _consumed += length;
        }

        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    // Pooled: a keep-alive connection waits here for every next request, which must not cost an allocation each time.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> AwaitAsync(ValueTask<ReadResult> pending)
    {
        var result = await pending.ConfigureAwait(false);
        Observe(result.Buffer);
        return result;
    }

    /// <summary>Looks at the complete lines of <paramref name="buffer"/> not seen yet (the buffer starts at <see cref="_consumed"/>).</summary>
    private void Observe(ReadOnlySequence<byte> buffer)
    {
        _last = buffer;
        if (_off)
        {
            return;
        }

        var start = _consumed;
        if (start == 0 && buffer.Length >= Http2Preface.Length && buffer.Slice(0, Http2Preface.Length).FirstSpan.SequenceEqual(Http2Preface))
        {
            _off = true; // HTTP/2 with prior knowledge: no Connection headers, nothing to follow
            return;
        }

        var position = Math.Max(_scanned, start);
        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(position - start);
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            var lineStart = position;
            position = start + reader.Consumed;
            if (line.Length == 0 || (line.Length == 1 && line.FirstSpan[0] == '\r'))
            {
                Add(new Mark(position, null));
            }
            else if (line.Length > 11 && IsConnectionLine(line))
            {
                Add(new Mark(lineStart, Value(line)));
            }
        }

        _scanned = position;
    }

    private static bool IsConnectionLine(ReadOnlySequence<byte> line)
    {
        Span<byte> name = stackalloc byte[11];
        line.Slice(0, 11).CopyTo(name);
        return Ascii.EqualsIgnoreCase(name, "connection:"u8);
    }

    /// <summary>The line's value; a lone option (the usual <c>keep-alive</c>) as a shared string, so ordinary requests allocate nothing.</summary>
    private static string Value(ReadOnlySequence<byte> line)
    {
        var rest = line.Slice(11);
        var value = (rest.IsSingleSegment ? rest.FirstSpan : rest.ToArray()).Trim(" \t\r"u8);
        return Ascii.EqualsIgnoreCase(value, KeepAlive) ? KeepAlive
            : Ascii.EqualsIgnoreCase(value, Close) ? Close
            : Ascii.EqualsIgnoreCase(value, Upgrade) ? Upgrade
            : Encoding.Latin1.GetString(value);
    }

    private static bool IsOption(string value) => ReferenceEquals(value, KeepAlive) || ReferenceEquals(value, Close) || ReferenceEquals(value, Upgrade);

    private void Add(Mark mark)
    {
        lock (_gate)
        {
            _marks[_count % Capacity] = mark;
            _count++;
        }
    }

    /// <summary>A blank line ending at <see cref="Position"/> (<see cref="Connection"/> null), or a Connection line starting there.</summary>
    private readonly record struct Mark(long Position, string? Connection);
}
