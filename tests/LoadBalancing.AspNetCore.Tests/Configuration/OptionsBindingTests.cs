using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ringway.ConsistentHashing;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Configuration;

/// <summary>The grouped options as configuration sees them: every key binds, errors name full keys, old flat keys are refused.</summary>
public sealed partial class OptionsBindingTests
{
    [Fact]
    public void Bind_EveryGroupedKey_SetsItsProperty()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Balancer:Hashing:Algorithm"] = "Maglev",
            ["Balancer:Hashing:PointsPerWeight"] = "100",
            ["Balancer:Hashing:MaglevTableSize"] = "65521",
            ["Balancer:Hashing:ClassicProbing"] = "Quadratic",
            ["Balancer:Hashing:BoundedLoadFactor"] = "1.5",
            ["Balancer:Hashing:WarmUp"] = "00:02:00",
            ["Balancer:Hashing:EpochHeader"] = "true",
            ["Balancer:Hashing:HotKeys:Enabled"] = "true",
            ["Balancer:Hashing:HotKeys:LoadFactor"] = "1.15",
            ["Balancer:Hashing:HotKeys:MaxReplicas"] = "4",
            ["Balancer:Hashing:HotKeys:HalfLife"] = "00:00:30",
            ["Balancer:Hashing:HotKeys:SketchWidth"] = "4096",
            ["Balancer:Hashing:HotKeys:TopKeys"] = "8",
            ["Balancer:Hashing:HotKeys:MinimumRequests"] = "500",
            ["Balancer:Hashing:ReportedLoad:Enabled"] = "true",
            ["Balancer:Hashing:ReportedLoad:StalenessLimit"] = "00:00:05",
            ["Balancer:Keys:Sources:0"] = "header:X-User",
            ["Balancer:Keys:Sources:1"] = "query:key",
            ["Balancer:Forwarding:Forwarder"] = "Http1",
            ["Balancer:Forwarding:ConnectTimeout"] = "00:00:03",
            ["Balancer:Forwarding:ResponseTimeout"] = "00:00:30",
            ["Balancer:Forwarding:MaxAttempts"] = "2",
            ["Balancer:Forwarding:RetryIdempotentRequests"] = "false",
            ["Balancer:Forwarding:NotFoundAsBadRequest"] = "true",
            ["Balancer:Health:Path"] = "/alive",
            ["Balancer:Health:Interval"] = "00:00:04",
            ["Balancer:Health:Timeout"] = "00:00:05",
            ["Balancer:Health:FailureThreshold"] = "6",
            ["Balancer:Replicas:Count"] = "5",
            ["Balancer:Replicas:MaxCount"] = "20",
            ["Balancer:Replicas:DrainTimeout"] = "00:00:07",
            ["Balancer:Replicas:StopOnShutdown"] = "false",
            ["Balancer:Autoscaling:Enabled"] = "true",
            ["Balancer:Autoscaling:MaxReplicas"] = "8",
            ["Balancer:Admin:ApiKey"] = "k",
        });

        Assert.Equal(ConsistentHashAlgorithm.Maglev, options.Hashing.Algorithm);
        Assert.Equal(100, options.Hashing.PointsPerWeight);
        Assert.Equal(65521, options.Hashing.MaglevTableSize);
        Assert.Equal(ClassicProbing.Quadratic, options.Hashing.ClassicProbing);
        Assert.Equal(1.5, options.Hashing.BoundedLoadFactor);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Hashing.WarmUp);
        Assert.True(options.Hashing.EpochHeader);
        var hot = options.Hashing.HotKeys.ToHotKeyOptions()!;
        Assert.Equal((1.15, 4, TimeSpan.FromSeconds(30), 4096, 8, 500), (hot.LoadFactor, hot.MaxReplicas, hot.HalfLife, hot.SketchWidth, hot.TopKeys, hot.MinimumRequests));
        Assert.True(options.Hashing.ReportedLoad.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Hashing.ReportedLoad.StalenessLimit);
        Assert.Equal(["header:X-User", "query:key"], options.Keys.Sources);
        Assert.Equal(ReplicaForwarder.Http1, options.Forwarding.Forwarder);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Forwarding.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Forwarding.ResponseTimeout);
        Assert.Equal(2, options.Forwarding.MaxAttempts);
        Assert.False(options.Forwarding.RetryIdempotentRequests);
        Assert.True(options.Forwarding.NotFoundAsBadRequest);
        Assert.Equal("/alive", options.Health.Path);
        Assert.Equal(TimeSpan.FromSeconds(4), options.Health.Interval);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Health.Timeout);
        Assert.Equal(6, options.Health.FailureThreshold);
        Assert.Equal(5, options.Replicas.Count);
        Assert.Equal(20, options.Replicas.MaxCount);
        Assert.Equal(TimeSpan.FromSeconds(7), options.Replicas.DrainTimeout);
        Assert.False(options.Replicas.StopOnShutdown);
        Assert.True(options.Autoscaling.Enabled);
        Assert.Equal(8, options.Autoscaling.MaxReplicas);
        Assert.Equal("k", options.Admin.ApiKey);
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnes_AndTheHashingLibrarysParameters()
    {
        var options = Bind([]);
        Assert.Equal(ConsistentHashAlgorithm.Rendezvous, options.Hashing.Algorithm);
        Assert.Equal(ConsistentHashOptions.Default.PointsPerWeight, options.Hashing.PointsPerWeight);
        Assert.Equal(ConsistentHashOptions.Default.MaglevTableSize, options.Hashing.MaglevTableSize);
        Assert.Equal(ConsistentHashOptions.Default.ClassicProbing, options.Hashing.ClassicProbing);
        Assert.Null(options.Hashing.BoundedLoadFactor);
        Assert.Equal(TimeSpan.Zero, options.Hashing.WarmUp);
        Assert.False(options.Hashing.EpochHeader);
        Assert.False(options.Hashing.HotKeys.Enabled);
        Assert.Null(options.Hashing.HotKeys.ToHotKeyOptions());
        var hot = options.Hashing.HotKeys.Build();
        var library = HotKeyOptions.Default;
        Assert.Equal(
            (library.LoadFactor, library.MaxReplicas, library.HalfLife, library.SketchWidth, library.TopKeys, library.MinimumRequests),
            (hot.LoadFactor, hot.MaxReplicas, hot.HalfLife, hot.SketchWidth, hot.TopKeys, hot.MinimumRequests));
        Assert.False(options.Hashing.ReportedLoad.Enabled);
        Assert.Equal(ReportedLoad.DefaultMaxAge, options.Hashing.ReportedLoad.StalenessLimit);
        Assert.Empty(options.Keys.Sources);
        Assert.Equal(ReplicaForwarder.Http1, options.Forwarding.Forwarder);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Forwarding.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(100), options.Forwarding.ResponseTimeout);
        Assert.Equal(3, options.Forwarding.MaxAttempts);
        Assert.True(options.Forwarding.RetryIdempotentRequests);
        Assert.False(options.Forwarding.NotFoundAsBadRequest);
        Assert.Equal("/heartbeat", options.Health.Path);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Health.Interval);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Health.Timeout);
        Assert.Equal(2, options.Health.FailureThreshold);
        Assert.Equal(3, options.Replicas.Count);
        Assert.Equal(64, options.Replicas.MaxCount);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Replicas.DrainTimeout);
        Assert.True(options.Replicas.StopOnShutdown);
        Assert.False(options.Autoscaling.Enabled);
        Assert.Null(options.Admin.ApiKey);
    }

    [Theory]
    [InlineData("Balancer:Hashing:PointsPerWeight", "0", "Balancer:Hashing:PointsPerWeight must be at least 1.")]
    [InlineData("Balancer:Hashing:BoundedLoadFactor", "1", "Balancer:Hashing:BoundedLoadFactor must be greater than 1")]
    [InlineData("Balancer:Hashing:WarmUp", "-00:00:01", "Balancer:Hashing:WarmUp must not be negative, not -00:00:01.")]
    [InlineData("Balancer:Hashing:HotKeys:LoadFactor", "1", "Balancer:Hashing:HotKeys:LoadFactor is out of range: The hot-key load factor must be a finite number above 1")]
    [InlineData("Balancer:Hashing:HotKeys:SketchWidth", "1000", "Balancer:Hashing:HotKeys:SketchWidth is out of range: SketchWidth must be a power of two")]
    [InlineData("Balancer:Hashing:HotKeys:MaxReplicas", "65", "Balancer:Hashing:HotKeys:MaxReplicas is out of range: MaxReplicas must be 1 to 64")]
    [InlineData("Balancer:Hashing:ReportedLoad:StalenessLimit", "00:00:00", "Balancer:Hashing:ReportedLoad:StalenessLimit must be positive, not 00:00:00.")]
    [InlineData("Balancer:Hashing:ReportedLoad:Enabled", "true", "Balancer:Hashing:ReportedLoad:Enabled needs Balancer:Hashing:BoundedLoadFactor or Balancer:Hashing:HotKeys:Enabled")]
    [InlineData("Balancer:Keys:Sources:0", "body:x", "Balancer:Keys:Sources:0 'body:x' is not a key source")]
    [InlineData("Balancer:Forwarding:ResponseTimeout", "00:00:00", "Balancer:Forwarding:ResponseTimeout must be positive, not 00:00:00.")]
    [InlineData("Balancer:Forwarding:MaxAttempts", "9", "Balancer:Forwarding:MaxAttempts must be from 1 to 8.")]
    [InlineData("Balancer:Health:Path", "heartbeat", "Balancer:Health:Path must start with '/'.")]
    [InlineData("Balancer:Health:Interval", "00:00:00", "Balancer:Health:Interval must be positive, not 00:00:00.")]
    [InlineData("Balancer:Health:FailureThreshold", "0", "Balancer:Health:FailureThreshold must be at least 1.")]
    [InlineData("Balancer:Replicas:Count", "65", "Balancer:Replicas:Count must be from 0 to Balancer:Replicas:MaxCount.")]
    [InlineData("Balancer:Replicas:DrainTimeout", "-00:00:01", "Balancer:Replicas:DrainTimeout must not be negative, not -00:00:01.")]
    [InlineData("Balancer:Admin:ApiKey", "", "Balancer:Admin:ApiKey must not be empty")]
    public void Validate_InvalidValue_NamesItsFullKey(string key, string value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Autoscaling_NamesItsKeysAndTheReplicaLimit()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?>
        {
            ["Balancer:Autoscaling:Enabled"] = "true",
            ["Balancer:Autoscaling:MaxReplicas"] = "100",
            ["Balancer:Autoscaling:Interval"] = "00:00:00",
        }));
        Assert.Contains(
            "Balancer:Autoscaling:MinReplicas and Balancer:Autoscaling:MaxReplicas need 1 <= MinReplicas <= MaxReplicas <= Balancer:Replicas:MaxCount.",
            error.Failures);
        Assert.Contains("Balancer:Autoscaling:Interval must be positive, not 00:00:00.", error.Failures);
    }

    [Fact]
    public void Validate_OtherSection_NamesKeysUnderIt()
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => Bind(new Dictionary<string, string?> { ["Proxy:Lb:Health:Timeout"] = "00:00:00" }, "Proxy:Lb"));
        Assert.Equal(["Proxy:Lb:Health:Timeout must be positive, not 00:00:00."], error.Failures);
    }

    [Fact]
    public void Validate_OptionsSetInCode_NamesKeysUnderBalancer()
    {
        var services = new ServiceCollection();
        services.AddConsistentHashBalancer(o => o.Health.Timeout = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value);
        Assert.Equal(["Balancer:Health:Timeout must be positive, not 00:00:00."], error.Failures);
    }

    public static TheoryData<string, string> MovedKeys()
    {
        var data = new TheoryData<string, string>();
        foreach (var (old, moved) in DocumentedMovedKeys())
        {
            data.Add(old, moved);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MovedKeys))]
    public void Bind_KeyOfTheFlatLayout_FailsNamingItsReplacement(string oldKey, string newKey)
    {
        // A value the old key accepted; the binder ignores the key, so without the check it would silently do nothing.
        var value = oldKey switch
        {
            "Balancer:Algorithm" => "Ring",
            "Balancer:KeySources" => null,
            _ => "1",
        };
        var settings = value is null
            ? new Dictionary<string, string?> { [oldKey + ":0"] = "query:key" }
            : new Dictionary<string, string?> { [oldKey] = value };
        var error = Assert.Throws<OptionsValidationException>(() => Bind(settings));
        Assert.Equal([$"{oldKey} has moved to {newKey}."], error.Failures);
    }

    [Fact]
    public void MovedKeyTable_InTheDocumentation_IsTheOneTheCodeChecks()
    {
        var inCode = AspNetCore.MovedKeys.All.Select(k => ($"Balancer:{k.Old}", $"Balancer:{k.New}"));
        Assert.Equal(inCode.Order(), DocumentedMovedKeys().Order());
    }

    private static ConsistentHashBalancerOptions Bind(Dictionary<string, string?> settings, string section = "Balancer")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddConsistentHashBalancer(configuration.GetSection(section));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value;
    }

    /// <summary>The rows of the old key -> new key table in docs/configuration.md.</summary>
    private static IEnumerable<(string Old, string New)> DocumentedMovedKeys()
    {
        var path = typeof(OptionsBindingTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ConfigurationDoc").Value!;
        return TableRow().Matches(File.ReadAllText(path)).Select(m => (m.Groups[1].Value, m.Groups[2].Value));
    }

    [GeneratedRegex(@"^\| `(Balancer:[A-Za-z]+)` \| `(Balancer:[A-Za-z]+:[A-Za-z]+)` \|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
