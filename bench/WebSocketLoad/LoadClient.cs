using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;

namespace Ringway.Benchmarks.WebSocketLoad;

/// <summary>
/// Closed-loop WebSocket load: each connection sends one message and waits for its echo before sending the next, for a
/// fixed time. Reports completed echoes (one message each way through the proxy), their rate and latency percentiles.
/// </summary>
internal static class LoadClient
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        var url = options.Get("url") ?? throw new ArgumentException("--url ws://host:port/ws is required");
        var connections = int.Parse(options.Get("connections") ?? "32", CultureInfo.InvariantCulture);
        var seconds = double.Parse(options.Get("seconds") ?? "10", CultureInfo.InvariantCulture);
        var size = int.Parse(options.Get("size") ?? "64", CultureInfo.InvariantCulture);

        var sockets = await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
        {
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            await socket.ConnectAsync(new Uri($"{url}?key=k{i}"), CancellationToken.None);
            return socket;
        }));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var clock = Stopwatch.StartNew();
        var runs = await Task.WhenAll(sockets.Select(socket => Task.Run(() => EchoLoopAsync(socket, size, stop.Token))));
        var elapsed = clock.Elapsed.TotalSeconds;

        var latencies = runs.SelectMany(r => r.LatencyTicks).Order().ToArray();
        var echoes = latencies.Length;
        var errors = runs.Count(r => r.Failed);
        double Percentile(double p) => echoes == 0 ? 0 : latencies[Math.Min(echoes - 1, (int)(p * echoes))] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"echoes {echoes} seconds {elapsed:0.00} echoes/s {echoes / elapsed:0} p50-us {Percentile(0.50):0} p99-us {Percentile(0.99):0} errors {errors}"));
        foreach (var socket in sockets)
        {
            socket.Abort(); // no close handshake: the run is over, and closes are not what is measured
            socket.Dispose();
        }

        return errors == 0 ? 0 : 1;
    }

    private static async Task<Run> EchoLoopAsync(ClientWebSocket socket, int size, CancellationToken stop)
    {
        var message = new byte[size];
        var buffer = new byte[Math.Max(size, 4096)];
        var latencies = new List<long>(capacity: 100_000);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var sent = Stopwatch.GetTimestamp();
                await socket.SendAsync(message.AsMemory(), WebSocketMessageType.Binary, true, CancellationToken.None);
                var received = 0;
                while (received < size)
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return new Run(latencies, Failed: true);
                    }

                    received += result.Count;
                }

                latencies.Add(Stopwatch.GetTimestamp() - sent);
            }

            return new Run(latencies, Failed: false);
        }
        catch (WebSocketException)
        {
            return new Run(latencies, Failed: true);
        }
    }

    private sealed record Run(List<long> LatencyTicks, bool Failed);

    private sealed class Options(Dictionary<string, string> values)
    {
        public static Options Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                values[args[i].TrimStart('-')] = args[i + 1];
            }

            return new Options(values);
        }

        public string? Get(string name) => values.GetValueOrDefault(name);
    }
}
