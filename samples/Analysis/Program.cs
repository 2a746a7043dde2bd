// The sample system's analyses A-1 to A-4 (docs/contract.md) against a running load balancer, with charts and a markdown report.
//   dotnet run --project samples/Analysis -- [a1 a2 a3 a4 | all] [--url URL] [--requests N] [--concurrency N] [--out DIR] [--json] ...
// Run with --help for every option.
using Ringway.Samples.Analysis;
using Spectre.Console;

return await AnalysisCommand.RunAsync(args, AnsiConsole.Console, CancellationToken.None).ConfigureAwait(false);
