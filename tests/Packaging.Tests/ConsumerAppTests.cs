using Ringway.Packaging.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ringway.Packaging.Tests;

/// <summary>
/// The packages as users get them: a new app outside the repository references them by version from the packed feed
/// (nothing from the repository's build), is built, and run: it starts a replica as a child process of itself with
/// AddProcessReplicas, then two servers and a balancer with AddConsistentHashBalancer(), and must get an answer from
/// each. A missing dependency, file, embedded resource or framework reference fails here.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class ConsumerAppTests(PackedFeed feed, ITestOutputHelper output)
{
    [Fact]
    public async Task ConsumerApp_PackagesFromFeedOnly_RoutesRequestThroughBalancer()
    {
        var app = ConsumerApps.Write(feed, "ConsumerApp");
        foreach (var pack in feed.PackResults)
        {
            output.WriteLine($"{pack.Command}: {pack.Elapsed.TotalSeconds:F0} s");
        }

        var run = await ConsumerApps.BuildAndRunAsync(feed, app, "Consumer.dll", output.WriteLine);

        var answer = run.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("ANSWER: ", StringComparison.Ordinal));
        Assert.Matches(@"^ANSWER: \{""message"": ""Hello from Server: consumer-[ab]"", ""status"": ""successful""\}$", answer);
        Assert.Contains("HASH: user-42 -> consumer-", run.Output, StringComparison.Ordinal);
        Assert.Contains("DOCKER: 1 replica provider registered", run.Output, StringComparison.Ordinal);
        Assert.Contains("""PROCESSES: {"message": "Hello from Server: consumer-p", "status": "successful"}""", run.Output, StringComparison.Ordinal);
    }
}
