using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ringway.Replicas.Docker.Tests.Swarm;

/// <summary>Where the Swarm provider puts new replicas: spread over the eligible nodes (or groups of them), never elsewhere.</summary>
public sealed class NodePlacementTests
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    private static SwarmNode Node(string id, bool ready = true, string role = "worker", string? zone = null) =>
        new(id, $"host-{id}", role, ready, "linux", "x86_64",
            zone is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["zone"] = zone },
            new Dictionary<string, string>());

    /// <summary>1 to 6 nodes, some not ready; some replicas on them already; 1 to 12 replicas to place.</summary>
    private static Arbitrary<(List<SwarmNode> Nodes, Dictionary<string, int> Running, int Count, int Seed)> Cases() =>
        (from nodeCount in Gen.Choose(1, 6)
         from ready in Gen.Elements(true, true, true, false).ListOf(nodeCount)
         from running in Gen.Choose(0, 4).ListOf(nodeCount)
         from count in Gen.Choose(1, 12)
         from seed in Gen.Choose(0, 10_000)
         let nodes = ready.Select((r, i) => Node($"n{i}", r)).ToList()
         select (nodes, nodes.Select((n, i) => (n.Id, running[i])).ToDictionary(p => p.Id, p => p.Item2), count, seed)).ToArbitrary();

    [Property]
    public Property Reserve_SpreadOverNodes_OnlyReadyNodesAndTheFewestFirst() =>
        Prop.ForAll(Cases(), c =>
        {
            var placement = new NodePlacement(c.Nodes, [], "node.id", c.Running, new Random(c.Seed));
            var ready = c.Nodes.Where(n => n.Ready).ToList();
            for (var i = 0; i < c.Count; i++)
            {
                var fewest = ready.Count == 0 ? 0 : ready.Min(placement.Count);
                var chosen = placement.Reserve(None);
                if (ready.Count == 0)
                {
                    return chosen is null;
                }
                // Each replica goes to a ready node that had the fewest replicas: the counts even out and then stay within one.
                if (chosen is null || !chosen.Ready || placement.Count(chosen) - 1 != fewest)
                {
                    return false;
                }
            }
            return true;
        });

    [Fact]
    public void Reserve_FromNothingOnThreeNodes_OneEach()
    {
        var nodes = new[] { Node("a"), Node("b"), Node("c") };
        var placement = new NodePlacement(nodes, [], "node.id", new Dictionary<string, int>(), new Random(1));

        var chosen = Enumerable.Range(0, 3).Select(_ => placement.Reserve(None)!.Id).Order().ToList();

        Assert.Equal(["a", "b", "c"], chosen);
    }

    [Fact]
    public void Reserve_ConstraintsAndExclusions_NeverPicksOthers()
    {
        var nodes = new[] { Node("m", role: "manager"), Node("a"), Node("b"), Node("down", ready: false) };
        var workers = NodeConstraint.Parse("node.role==worker", out _)!;
        var placement = new NodePlacement(nodes, [workers], "node.id", new Dictionary<string, int>(), new Random(2));

        var first = placement.Reserve(new HashSet<string> { "a" });
        var second = placement.Reserve(new HashSet<string> { "a", "b" });

        Assert.Equal("b", first!.Id);
        Assert.Null(second);
    }

    [Fact]
    public void Reserve_SpreadOverZones_FillsTheEmptierZoneFirst()
    {
        // Zone x has two nodes, zone y one: spreading over zones puts every other replica in y.
        var nodes = new[] { Node("x1", zone: "x"), Node("x2", zone: "x"), Node("y1", zone: "y") };
        var placement = new NodePlacement(nodes, [], "node.labels.zone", new Dictionary<string, int>(), new Random(3));

        var zones = Enumerable.Range(0, 4).Select(_ => placement.Reserve(None)!.Attribute("node.labels.zone")).ToList();

        Assert.Equal(2, zones.Count(z => z == "y"));
        Assert.Equal(2, zones.Count(z => z == "x"));
    }

    [Fact]
    public void Release_AReservationTakenBack_TheNodeIsTheFewestAgain()
    {
        var nodes = new[] { Node("a"), Node("b") };
        var placement = new NodePlacement(nodes, [], "node.id", new Dictionary<string, int> { ["a"] = 1 }, new Random(4));

        var b = placement.Reserve(None)!;
        placement.Release(b);

        Assert.Equal("b", b.Id);
        Assert.Equal(0, placement.Count(b));
        Assert.Equal("b", placement.Reserve(None)!.Id);
    }

    [Theory]
    [InlineData("node.role==worker", "worker", true)]
    [InlineData("node.role==WORKER", "worker", true)]
    [InlineData("node.role!=manager", "worker", true)]
    [InlineData("node.role==manager", "worker", false)]
    [InlineData("node.labels.zone==x", "worker", true)]
    [InlineData("node.labels.disk==ssd", "worker", false)]
    [InlineData("node.labels.disk!=ssd", "worker", true)]
    [InlineData("node.hostname == host-a", "worker", true)]
    public void Constraint_Matches_LikeSwarm(string text, string role, bool expected)
    {
        var constraint = NodeConstraint.Parse(text, out var error);

        Assert.Null(error);
        Assert.Equal(expected, constraint!.Matches(Node("a", role: role, zone: "x")));
    }

    [Theory]
    [InlineData("node.role", "is not ATTRIBUTE==VALUE")]
    [InlineData("==worker", "is not ATTRIBUTE==VALUE")]
    [InlineData("node.color==red", "'node.color' is not a node attribute")]
    [InlineData("node.labels.==x", "is not a node attribute")]
    [InlineData("node.role==", "no single value")]
    [InlineData("node.role==a==b", "no single value")]
    public void Constraint_Invalid_ClearError(string text, string expected)
    {
        Assert.Null(NodeConstraint.Parse(text, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Options_BadSpreadOverOrConstraint_NamedInTheErrors()
    {
        var options = new SwarmReplicaOptions { Image = "x", SpreadOver = "zone", TaskStartTimeout = TimeSpan.Zero };
        options.Constraints.Add("node.role=worker");

        var errors = options.Validate().ToList();

        Assert.Contains(errors, e => e.Contains("SpreadOver must name a node attribute", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("\"node.role=worker\" is not ATTRIBUTE==VALUE", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("TaskStartTimeout must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public void AddSwarmReplicas_FromConfiguration_BindsSpreadOverConstraintsAndTimeout()
    {
        // As the sample host gets them: --Replicas:Swarm:Constraints:0=node.role==worker (the first '=' ends the key).
        var configuration = new ConfigurationBuilder().AddCommandLine([
            "--Replicas:Swarm:Image=x", "--Replicas:Swarm:SpreadOver=node.labels.zone",
            "--Replicas:Swarm:Constraints:0=node.role==worker", "--Replicas:Swarm:Constraints:1=node.labels.disk!=hdd",
            "--Replicas:Swarm:TaskStartTimeout=00:00:10",
        ]).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddConsistentHashBalancer().AddSwarmReplicas(configuration.GetSection("Replicas:Swarm"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<SwarmReplicaOptions>>().Value;

        Assert.Equal("node.labels.zone", options.SpreadOver);
        Assert.Equal(["node.role==worker", "node.labels.disk!=hdd"], options.Constraints);
        Assert.Equal(TimeSpan.FromSeconds(10), options.TaskStartTimeout);
    }

    [Fact]
    public void Options_Defaults_SpreadOverNodesNoConstraints()
    {
        var options = new SwarmReplicaOptions { Image = "x" };

        Assert.Empty(options.Validate());
        Assert.Equal("node.id", options.SpreadOver);
        Assert.Empty(options.Constraints);
        Assert.Equal(TimeSpan.FromSeconds(30), options.TaskStartTimeout);
        Assert.Empty(new SwarmReplicaOptions { Image = "x", SpreadOver = null }.Validate());
    }
}
