using System.Diagnostics;
using Ringway.TestSupport;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>
/// A conformance test: it needs nginx, gunicorn and httpbin from Debian. Skipped, with the reason, when one is missing,
/// unless RINGWAY_REQUIRE_CONFORMANCE=1 (CI, after .ci/conformance-setup.sh), which makes it run and fail instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ConformanceTheoryAttribute : TheoryAttribute
{
    public ConformanceTheoryAttribute()
    {
        Skip = ThirdParty.Requirement.SkipReason;
    }
}

/// <summary>Where the third-party programs are, checked once per test run.</summary>
public static class ThirdParty
{
    // Debian's paths, not PATH's: python3-httpbin installs into Debian's interpreter, and a python3 or gunicorn earlier
    // on PATH (pyenv, pip) may lack it.
    public const string Python = "/usr/bin/python3";

    public const string Nginx = "/usr/sbin/nginx";

    public const string Gunicorn = "/usr/bin/gunicorn";

    /// <summary>The three programs; RINGWAY_REQUIRE_CONFORMANCE=1 makes a missing one fail the tests instead of skipping them.</summary>
    public static MachineRequirement Requirement { get; } = new("RINGWAY_REQUIRE_CONFORMANCE", Probe);

    private static string? Probe()
    {
        var missing = new List<string>();
        if (!File.Exists(Nginx))
        {
            missing.Add("nginx (nginx-light)");
        }

        if (!File.Exists(Gunicorn))
        {
            missing.Add("gunicorn");
        }

        if (!File.Exists(Python) || Run(Python, "-c", "import httpbin") != 0)
        {
            missing.Add("httpbin (python3-httpbin)");
        }

        return missing.Count == 0
            ? null
            : $"Missing: {string.Join(", ", missing)}. Run .ci/conformance-setup.sh (apt-get install nginx-light gunicorn python3-httpbin)";
    }

    private static int Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        return process.WaitForExit(30_000) ? process.ExitCode : -1;
    }
}
