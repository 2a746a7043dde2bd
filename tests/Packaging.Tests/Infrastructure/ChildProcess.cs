using System.Diagnostics;
using System.Text;

namespace Ringway.Packaging.Tests.Infrastructure;

/// <summary>Runs a command to its end, capturing its output; on timeout or cancellation its whole process tree is killed.</summary>
public static class ChildProcess
{
    /// <summary>The dotnet host running these tests (or the one on PATH).</summary>
    public static string Dotnet => Ringway.TestSupport.Processes.DotnetHost.Executable;

    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The test host's MSBuild variables point into its own build; a child build must find its SDK by itself.
        foreach (var key in startInfo.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(key);
        }

        // No build servers or node processes outlive the command.
        startInfo.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        startInfo.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"'{fileName} {string.Join(' ', startInfo.ArgumentList)}' did not finish within {timeout} and was killed. Output:\n{Text()}");
        }

        // The asynchronous readers may still hold the last lines.
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, Text(), stopwatch.Elapsed, $"{fileName} {string.Join(' ', startInfo.ArgumentList)}");

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }
}

/// <summary>How a command ended.</summary>
public sealed record ProcessResult(int ExitCode, string Output, TimeSpan Elapsed, string Command)
{
    public override string ToString() => $"'{Command}' exited with {ExitCode} after {Elapsed.TotalSeconds:F0} s. Output:\n{Output}";
}
