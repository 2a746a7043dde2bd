using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ringway.LoadBalancing.AspNetCore.Forwarding;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;

/// <summary>
/// <see cref="ConnectionHeaderCapture"/> under a reader that consumes a connection's bytes as Kestrel does (a head's
/// complete lines first, then the whole head, then the body): after each head it names that request's own Connection
/// lines, however the bytes were split into reads, and lines inside bodies never count for the request before them.
/// </summary>
public sealed class ConnectionHeaderCaptureTests
{
    private const string Body = "line one\r\nConnection: X-Fake\r\n\r\nstill the body ";

    /// <summary>Pipelined requests on one connection: the head, its body, and the Connection values expected for it.</summary>
    private static readonly (string Head, string Body, string[]? Connection)[] Requests =
    [
        ("GET /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n\r\n", "", ["keep-alive, X-Hop"]),
        ("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: " + Body.Length + "\r\n\r\n", Body, null),
        ("GET /c HTTP/1.1\r\nconnection:close\r\nCONNECTION:  X-A , X-B\t\r\n\r\n", "", ["X-A , X-B"]), // a lone option adds nothing
        ("GET /f HTTP/1.1\r\nConnection: Keep-Alive\r\n\r\n", "", null),
        ("GET /d HTTP/1.1\r\nHost: x\r\n\r\n", "", null),
        ("GET /e HTTP/1.1\nConnection: upgrade, X-C\n\n", "", ["upgrade, X-C"]),
    ];

    [Fact]
    public async Task TryGetConnectionValues_WholeStreamInOneRead_EachRequestsOwnLines()
        => Assert.Equal(Expected(), await RunAsync([int.MaxValue]));

    [Property(MaxTest = 200)]
    public Property TryGetConnectionValues_AnySplitIntoReads_SameAnswers()
        => Prop.ForAll(Gen.Choose(1, 40).ArrayOf().Where(a => a.Length > 0).ToArbitrary(), chunks =>
            Expected().SequenceEqual(Task.Run(() => RunAsync(chunks)).GetAwaiter().GetResult()));

    [Fact]
    public async Task TryGetConnectionValues_Http2Preface_NothingFollowed()
    {
        var pipe = new Pipe();
        var capture = new ConnectionHeaderCapture(pipe.Reader);
        await pipe.Writer.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nConnection: X\r\n\r\n"u8.ToArray());
        var result = await capture.ReadAsync();
        capture.AdvanceTo(result.Buffer.End);
        Assert.False(capture.TryGetConnectionValues(out _));
    }

    [Fact]
    public async Task TryGetConnectionValues_HeadEndNotWhereConsumed_NoAnswer()
    {
        var pipe = new Pipe();
        var capture = new ConnectionHeaderCapture(pipe.Reader);
        await pipe.Writer.WriteAsync("GET / HTTP/1.1\r\nConnection: keep-alive, X-Hop\r\n\r\n"u8.ToArray());
        var result = await capture.ReadAsync();
        capture.AdvanceTo(result.Buffer.GetPosition(10)); // not at a head's end: a reader this capture cannot follow
        Assert.False(capture.TryGetConnectionValues(out _));
    }

    private static string[] Expected() => [.. Requests.Select(r => r.Connection is null ? "-" : string.Join("|", r.Connection))];

    /// <summary>
    /// Writes the requests in pieces of the given sizes (cycled), one more piece each time the reader reads, so lines and
    /// heads fall across reads; and consumes them as Kestrel does.
    /// </summary>
    private static async Task<string[]> RunAsync(int[] chunks)
    {
        var bytes = Encoding.ASCII.GetBytes(string.Concat(Requests.Select(r => r.Head + r.Body)));
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var wanted = new SemaphoreSlim(0);
        var writing = Task.Run(async () =>
        {
            for (int offset = 0, i = 0; offset < bytes.Length; i++)
            {
                await wanted.WaitAsync();
                var size = Math.Min(chunks[i % chunks.Length], bytes.Length - offset);
                await pipe.Writer.WriteAsync(bytes.AsMemory(offset, size));
                offset += size;
            }

            await pipe.Writer.CompleteAsync();
        });

        var capture = new ConnectionHeaderCapture(pipe.Reader);
        var answers = new List<string>();
        foreach (var (head, body, _) in Requests)
        {
            await ConsumeHeadAsync(capture, wanted, head.Length);
            answers.Add(capture.TryGetConnectionValues(out var values) ? string.Join("|", values.ToArray()) : "-");
            await ConsumeAsync(capture, wanted, body.Length);
        }

        wanted.Release(int.MaxValue / 2);
        await writing;
        return [.. answers];
    }

    private static ValueTask<ReadResult> ReadAsync(PipeReader reader, SemaphoreSlim wanted)
    {
        wanted.Release();
        return reader.ReadAsync();
    }

    /// <summary>As Kestrel parses a head: complete lines are consumed while the head is incomplete, then the head's end.</summary>
    private static async Task ConsumeHeadAsync(PipeReader reader, SemaphoreSlim wanted, int length)
    {
        var left = length;
        while (true)
        {
            var buffer = (await ReadAsync(reader, wanted)).Buffer;
            if (buffer.Length >= left)
            {
                reader.AdvanceTo(buffer.GetPosition(left));
                return;
            }

            var consumed = LastIndexOf(buffer, (byte)'\n') + 1;
            left -= consumed;
            reader.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
        }
    }

    private static async Task ConsumeAsync(PipeReader reader, SemaphoreSlim wanted, int length)
    {
        while (length > 0)
        {
            var buffer = (await ReadAsync(reader, wanted)).Buffer;
            var take = (int)Math.Min(length, buffer.Length);
            reader.AdvanceTo(buffer.GetPosition(take));
            length -= take;
        }
    }

    private static int LastIndexOf(ReadOnlySequence<byte> buffer, byte value) => buffer.ToArray().AsSpan().LastIndexOf(value);
}
