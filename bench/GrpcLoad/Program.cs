// The parts of the gRPC benchmark (bench/run-grpc.sh), all speaking h2c (HTTP/2 with prior knowledge):
//   GrpcLoad replica --urls http://127.0.0.1:P [--id NAME]
//       a Grpc.AspNetCore replica on an HTTP/2-only endpoint: KeyedEcho.Unary answers with NAME; /heartbeat answers 200
//   GrpcLoad route --url http://HOST:P [--keys 12] [--min-replicas 2] [--header x-user-id]
//       calls twice per key; fails unless each key reached the same replica both times and the keys reached min-replicas
//   GrpcLoad load --url http://HOST:P [--concurrency 64] [--connections 4] [--warmup 2] [--seconds 10] [--header x-user-id] [--pid PID]
//       closed-loop unary calls, each with a fresh random key in the header, over one GrpcChannel per connection; prints
//       "calls N seconds S calls/s R p50-us X p99-us Y errors E cpu-ticks T" (T: user+system clock ticks of process PID
//       over the measured seconds, "-" without --pid)
using Grpc.Core;
using Ringway.Benchmarks.GrpcLoad;

try
{
    return args.FirstOrDefault() switch
    {
        "replica" => await Replica.RunAsync(args[1..]),
        "route" => await RouteCheck.RunAsync(Caller.Options(args[1..])),
        "load" => await LoadClient.RunAsync(Caller.Options(args[1..])),
        _ => Usage(),
    };
}
catch (RpcException e)
{
    Console.Error.WriteLine($"a call failed: {e.StatusCode} {e.Status.Detail}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: GrpcLoad replica|route|load [options] (see Program.cs)");
    return 2;
}
