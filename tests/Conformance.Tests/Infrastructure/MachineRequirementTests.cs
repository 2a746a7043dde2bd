using Ringway.TestSupport;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>
/// The rule <see cref="ThirdParty"/> (and the Docker and browser tests) follow: skip where something is missing, fail
/// instead where the variable is 1. Each test has a variable of its own, so tests running beside it are not affected.
/// </summary>
public sealed class MachineRequirementTests
{
    [Fact]
    public void SomethingMissing_VariableUnset_SkipsWithTheReasonAndHowToMakeItFail()
    {
        var requirement = new MachineRequirement(NewVariable(), () => "nginx is missing");

        var expected = $"nginx is missing; {requirement.Variable}=1 turns this skip into a failure.";
        Assert.Equal(expected, requirement.SkipReason);
        Assert.Equal(expected, requirement.Missing);
        Assert.False(requirement.Required);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", false)]
    [InlineData("0", false)]
    public void SomethingMissing_OnlyTheVariableSetTo1_RunsTheTest(string value, bool runs)
    {
        var variable = NewVariable();
        Environment.SetEnvironmentVariable(variable, value);
        try
        {
            var requirement = new MachineRequirement(variable, () => "nginx is missing");

            Assert.Equal(runs, requirement.Required);
            Assert.Equal(runs, requirement.SkipReason is null);
            Assert.NotNull(requirement.Missing); // still said: the test that runs fails with it
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void NothingMissing_Runs_AndTheProbeRunsOnce()
    {
        var probes = 0;
        var requirement = new MachineRequirement(NewVariable(), () =>
        {
            probes++;
            return null;
        });

        Assert.Null(requirement.SkipReason);
        Assert.Null(requirement.Missing);
        Assert.Equal(1, probes);
    }

    private static string NewVariable() => "RINGWAY_REQUIRE_TEST_" + Guid.NewGuid().ToString("N");
}
