using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Ringway.Replicas.Docker.Tests.Engine;

public sealed partial class ResourceNamesTests
{
    private const string HostnameChars = "abcXYZ019 -_.";

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex DockerName();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();

    /// <summary>Hostnames docs/contract.md allows: 1 to 63 letters, digits, spaces, '-', '_' and '.'.</summary>
    private static Arbitrary<string> Hostnames() =>
        Gen.Elements(HostnameChars.ToCharArray()).ArrayOf().Where(a => a.Length is >= 1 and <= 63).Select(a => new string(a)).ToArbitrary();

    [Property]
    public Property ResourceName_AnyHostname_IsAValidDockerAndDnsName() =>
        Prop.ForAll(Hostnames(), hostname =>
        {
            var name = ResourceNames.ResourceName(hostname);
            return DockerName().IsMatch(name) && DnsLabelPattern().IsMatch(name) && name.Length <= 63;
        });

    [Property]
    public Property DnsLabel_AnyHostname_IsANonEmptyDnsLabel() =>
        Prop.ForAll(Hostnames(), hostname => DnsLabelPattern().IsMatch(ResourceNames.DnsLabel(hostname)) && ResourceNames.DnsLabel(hostname).Length <= 40);

    [Property]
    public Property Aliases_AnyHostname_StartWithTheHostnameAndIncludeADnsLabel() =>
        Prop.ForAll(Hostnames(), hostname =>
        {
            var aliases = ResourceNames.Aliases(hostname);
            return aliases[0] == hostname && aliases.Any(a => DnsLabelPattern().IsMatch(a)) && aliases.Distinct().Count() == aliases.Count;
        });

    [Property]
    public Property BelongsTo_LabelsOfAnInstance_OnlyThatInstance() =>
        Prop.ForAll(Hostnames(), hostname =>
        {
            var labels = ResourceNames.Labels("blue", hostname);
            return ResourceNames.BelongsTo(labels, "blue") && !ResourceNames.BelongsTo(labels, "green");
        });

    [Fact]
    public void ResourceName_SameHostnameTwice_DifferentNames()
    {
        // A replacement never reuses the name of the container it replaces (the suffix is random: 1 in 16.7 million to collide).
        var names = Enumerable.Range(0, 50).Select(_ => ResourceNames.ResourceName("Server 1")).ToHashSet();
        Assert.True(names.Count >= 49);
        Assert.All(names, n => Assert.StartsWith("ringway-server-1-", n));
    }

    [Fact]
    public void BelongsTo_MissingOrWrongLabels_False()
    {
        Assert.False(ResourceNames.BelongsTo(null, "blue"));
        Assert.False(ResourceNames.BelongsTo(new Dictionary<string, string>(), "blue"));
        Assert.False(ResourceNames.BelongsTo(new Dictionary<string, string> { ["io.ringway.instance"] = "blue", ["io.ringway.hostname"] = "A" }, "blue"));
        Assert.False(ResourceNames.BelongsTo(new Dictionary<string, string> { ["io.ringway.managed"] = "true", ["io.ringway.instance"] = "blue" }, "blue"));
    }

    [Theory]
    [InlineData("Server 1", "server-1")]
    [InlineData("S5", "s5")]
    [InlineData("a_b.c", "a-b-c")]
    [InlineData("  --  ", "replica")]
    public void DnsLabel_Examples(string hostname, string expected) => Assert.Equal(expected, ResourceNames.DnsLabel(hostname));
}
