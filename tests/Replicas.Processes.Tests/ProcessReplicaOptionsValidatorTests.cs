using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Ringway.Replicas.Processes.Tests;

public sealed class ProcessReplicaOptionsValidatorTests
{
    private static readonly ProcessReplicaOptionsValidator Validator = new();

    [Fact]
    public void Validate_CommandSet_Succeeds()
    {
        Assert.True(Validator.Validate(null, Valid()).Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_NoCommand_FailsNamingFileName(string? fileName)
    {
        var options = Valid();
        options.FileName = fileName;

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("No command is configured", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("FileName", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("")]
    public void Validate_HostNotAConnectableAddress_Fails(string host)
    {
        var options = Valid();
        options.Host = host;

        Assert.True(Validator.Validate(null, options).Failed);
    }

    [Property]
    public Property Validate_NonPositiveStartTimeout_Fails(NonNegativeInt milliseconds)
    {
        var options = Valid();
        options.StartTimeout = -TimeSpan.FromMilliseconds(milliseconds.Get);
        return Validator.Validate(null, options).Failed.ToProperty();
    }

    [Property]
    public Property Validate_AnyNonNegativeGraceAndPositiveAttempts_Succeeds(NonNegativeInt graceMilliseconds, PositiveInt attempts)
    {
        var options = Valid();
        options.StopGracePeriod = TimeSpan.FromMilliseconds(graceMilliseconds.Get);
        options.MaxStartAttempts = attempts.Get;
        return Validator.Validate(null, options).Succeeded.ToProperty();
    }

    [Property]
    public Property Validate_NonPositiveAttempts_Fails(NonNegativeInt attempts)
    {
        var options = Valid();
        options.MaxStartAttempts = -attempts.Get;
        return Validator.Validate(null, options).Failed.ToProperty();
    }

    [Property]
    public Property Validate_AnyLoopbackAddress_Succeeds(byte b, byte c, byte d)
    {
        var options = Valid();
        options.Host = new IPAddress([127, b, c, d]).ToString();
        return Validator.Validate(null, options).Succeeded.ToProperty();
    }

    private static ProcessReplicaOptions Valid() => new() { FileName = "dotnet" };
}
