using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Metrology;
using Ringway.LoadBalancing.Benchmarks;

// Everything goes to BenchmarkDotNet, for example `-- --filter '*' --job short`; sizes in bytes, so rows can be
// subtracted exactly.
var config = DefaultConfig.Instance.WithSummaryStyle(SummaryStyle.Default.WithSizeUnit(SizeUnit.B));
BenchmarkSwitcher.FromAssembly(typeof(RoutingPathBenchmarks).Assembly).Run(args, config);
return 0;
