using System.Xml.Linq;
using Ringway.Packaging.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ringway.Packaging.Tests;

/// <summary>
/// Ringway.Yarp as a YARP user gets it: an app outside the repository that references only Ringway.Yarp (from the packed
/// feed, by version) and Yarp.ReverseProxy, builds, and routes requests by key through a YARP gateway.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class YarpConsumerAppTests(PackedFeed feed, ITestOutputHelper output)
{
    [Fact]
    public async Task YarpConsumerApp_RingwayYarpAndYarpOnly_RoutesByKey()
    {
        var app = ConsumerApps.Write(feed, "YarpConsumerApp");

        var run = await ConsumerApps.BuildAndRunAsync(feed, app, "YarpConsumer.dll", output.WriteLine, $"YarpVersion={YarpVersion()}");

        Assert.Contains("ROUTED BY KEY: 30 of 30, over 3 servers", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"ANSWER: user-42 -> yarp-[abc]", run.Output);
    }

    /// <summary>The Yarp.ReverseProxy version the repository builds with (Directory.Packages.props).</summary>
    private static string YarpVersion()
        => XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == "Yarp.ReverseProxy")
            .Attribute("Version")!.Value;
}
