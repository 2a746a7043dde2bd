using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Grpc;

namespace Ringway.Benchmarks.GrpcLoad;

/// <summary>
/// Closed-loop gRPC load: each caller makes one unary call at a time, each with a fresh random key, for a warm-up and then
/// for the measured seconds. Counts the calls that completed within the measured seconds, their rate and latency
/// percentiles, every failed call (warm-up included), and the CPU time a given process (the proxy) used meanwhile.
/// </summary>
internal static class LoadClient
{
    public static async Task<int> RunAsync(IConfiguration options)
    {
        var url = Caller.Url(options);
        var concurrency = options.GetValue("concurrency", 64);
        var connections = options.GetValue("connections", 4);
        var warmUp = TimeSpan.FromSeconds(options.GetValue("warmup", 2.0));
        var measured = TimeSpan.FromSeconds(options.GetValue("seconds", 10.0));
        var header = options["header"] ?? Caller.DefaultKeyHeader;
        var pid = options.GetValue<int?>("pid");

        var channels = Enumerable.Range(0, connections).Select(_ => Caller.Open(url)).ToArray();
        var window = new Window();
        var errors = new Errors();
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, concurrency)
            .Select(i => Task.Run(() => CallLoopAsync(new KeyedEcho.KeyedEchoClient(channels[i % connections]), header, window, errors, stop.Token)))
            .ToArray();

        await Task.Delay(warmUp);
        var cpuBefore = ProcessCpu.Ticks(pid);
        window.Open();
        await Task.Delay(measured);
        window.Close();
        var cpuAfter = ProcessCpu.Ticks(pid);
        await stop.CancelAsync();
        var latencies = (await Task.WhenAll(callers)).SelectMany(l => l).Order().ToArray();
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        var calls = latencies.Length;
        double Percentile(double p) => calls == 0 ? 0 : latencies[Math.Min(calls - 1, (int)(p * calls))] * 1e6 / Stopwatch.Frequency;
        var ticks = cpuBefore is { } before && cpuAfter is { } after ? (after - before).ToString(CultureInfo.InvariantCulture) : "-";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calls {calls} seconds {window.Seconds:0.00} calls/s {calls / window.Seconds:0} p50-us {Percentile(0.50):0} p99-us {Percentile(0.99):0} errors {errors.Count} cpu-ticks {ticks}"));
        if (errors.First is { } first)
        {
            Console.Error.WriteLine($"{errors.Count} calls failed; the first: {first.StatusCode} {first.Status.Detail}");
        }

        return errors.Count == 0 && calls > 0 ? 0 : 1;
    }

    private static async Task<List<long>> CallLoopAsync(KeyedEcho.KeyedEchoClient client, string header, Window window, Errors errors, CancellationToken stop)
    {
        var latencies = new List<long>(capacity: 100_000);
        var request = new EchoRequest { Text = "x" };
        while (!stop.IsCancellationRequested)
        {
            var key = Random.Shared.NextInt64().ToString("x16", CultureInfo.InvariantCulture);
            var started = Stopwatch.GetTimestamp();
            try
            {
                await Caller.CallAsync(client, request, header, key);
            }
            catch (RpcException e)
            {
                errors.Add(e);
                continue;
            }

            var ended = Stopwatch.GetTimestamp();
            if (window.Contains(ended))
            {
                latencies.Add(ended - started);
            }
        }

        return latencies;
    }

    /// <summary>The measured seconds: calls that complete inside them count.</summary>
    private sealed class Window
    {
        private long _start = long.MaxValue;
        private long _end = long.MaxValue;

        public double Seconds => (double)(_end - _start) / Stopwatch.Frequency;

        public void Open() => Volatile.Write(ref _start, Stopwatch.GetTimestamp());

        public void Close() => Volatile.Write(ref _end, Stopwatch.GetTimestamp());

        public bool Contains(long timestamp) => timestamp >= Volatile.Read(ref _start) && timestamp <= Volatile.Read(ref _end);
    }

    private sealed class Errors
    {
        private int _count;
        private RpcException? _first;

        public int Count => Volatile.Read(ref _count);

        public RpcException? First => Volatile.Read(ref _first);

        public void Add(RpcException e)
        {
            Interlocked.Increment(ref _count);
            Interlocked.CompareExchange(ref _first, e, null);
        }
    }
}
