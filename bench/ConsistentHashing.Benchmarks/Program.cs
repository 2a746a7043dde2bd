using BenchmarkDotNet.Running;
using Ringway.ConsistentHashing.Benchmarks;

// `-- distribution [keys]` prints the balance and movement table; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "distribution")
{
    int keys = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    DistributionReport.Run(keys, Console.Out);
    DistributionReport.RunRingSpread(200, Console.Out);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(LookupBenchmarks).Assembly).Run(args);
return 0;
