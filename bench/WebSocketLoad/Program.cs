// The parts of the WebSocket benchmark (bench/run-websockets.sh):
//   WebSocketLoad echo --urls http://127.0.0.1:P [--id NAME]        a replica: /ws echoes every message; /home, /heartbeat
//   WebSocketLoad yarp --urls http://127.0.0.1:P --backends A,B,C  YARP's reverse proxy, destination by a hash of ?key=
//   WebSocketLoad load --url ws://HOST:P/ws [--connections 32] [--seconds 10] [--size 64]
//       one ClientWebSocket per connection (key k0, k1, ...), each sending a message and waiting for its echo in a loop;
//       prints "echoes N seconds S echoes/s R p50-us X p99-us Y errors E".
using Ringway.Benchmarks.WebSocketLoad;

return args.FirstOrDefault() switch
{
    "echo" => await EchoReplica.RunAsync(args[1..]),
    "yarp" => await YarpProxy.RunAsync(args[1..]),
    "load" => await LoadClient.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: WebSocketLoad echo|yarp|load [options] (see Program.cs)");
    return 2;
}
