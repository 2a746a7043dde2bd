namespace Ringway.TestSupport;

/// <summary>
/// Something tests need from the machine (a Docker engine, programs from Debian). Where it is missing the tests are
/// skipped with the reason, unless the requirement's variable is 1 (CI, which installs it): then they run and fail, so
/// a broken install cannot pass as a skip.
/// </summary>
public sealed class MachineRequirement
{
    private readonly Lazy<string?> _missing;

    /// <param name="variable">The variable whose value 1 turns the skip into a failure (RINGWAY_REQUIRE_...).</param>
    /// <param name="probe">What is missing here and how to install it, or null when nothing is; called once, when first asked.</param>
    public MachineRequirement(string variable, Func<string?> probe)
    {
        Variable = variable;
        _missing = new Lazy<string?>(() => probe() is { } missing ? Because(missing) : null);
    }

    public string Variable { get; }

    /// <summary>The variable is 1: what is missing fails the tests instead of skipping them.</summary>
    public bool Required => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Why the tests cannot run here, or null when they can.</summary>
    public string? Missing => _missing.Value;

    /// <summary>The reason to skip a test that needs this, or null to run it (nothing is missing, or the variable is 1).</summary>
    public string? SkipReason => Required ? null : Missing;

    /// <summary>A skip reason: <paramref name="missing"/>, and how to turn the skip into a failure.</summary>
    public string Because(string missing) => $"{missing}; {Variable}=1 turns this skip into a failure.";
}
