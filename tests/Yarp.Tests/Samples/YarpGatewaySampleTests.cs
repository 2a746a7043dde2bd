using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Ringway.ConsistentHashing;
using Ringway.TestSupport.Waiting;
using Ringway.Yarp.Tests.Infrastructure;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.Tests.Samples;

/// <summary>
/// samples/YarpGateway's appsettings.json as a gateway reads it (YARP's own configuration provider, reloaded when the
/// file changes), with its destinations' addresses pointed at real backends named as in the file.
/// </summary>
public sealed class YarpGatewaySampleTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ringway-yarp-sample-").FullName;

    private string SettingsPath => Path.Combine(_directory, "appsettings.json");

    [Fact]
    public async Task SampleSettings_KeyInHeaderOrQuery_SameServerAsTheHashingLibrary()
    {
        await using var backends = await Backends.StartAsync("Server 1", "Server 2", "Server 3");
        await using var gateway = await StartSampleAsync(backends);
        await gateway.WaitForHealthAsync(_ => DestinationHealth.Healthy);
        var library = Library.Hash(ConsistentHashAlgorithm.Rendezvous, backends.Select(b => b.Id));

        var keys = Clusters.Keys(30).ToList();
        Assert.All(await gateway.OwnersOneByOneAsync(keys), pair => Assert.Equal(library.GetNode(pair.Key), pair.Value));
        foreach (var key in keys)
        {
            await Eventually.AssertAsync(() => gateway.Cluster.Destinations.Values.All(d => d.ConcurrentRequestCount == 0), "no request in flight", TimeSpan.FromSeconds(30));
            using var request = new HttpRequestMessage(HttpMethod.Get, "/home");
            request.Headers.Add("X-User-Id", key);
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal(library.GetNode(key), await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task SampleSettings_FileEditedWithBadFactor_GatewayKeepsItsLastGoodConfiguration()
    {
        await using var backends = await Backends.StartAsync("Server 1", "Server 2", "Server 3");
        await using var gateway = await StartSampleAsync(backends);
        var keys = Clusters.Keys(60).ToList();
        var before = await gateway.OwnersOneByOneAsync(keys);

        // A bad edit that also drops a server: neither may take effect.
        Edit(backends, settings =>
        {
            settings["Metadata"]!["Ringway.BoundedLoadFactor"] = "1";
            settings["Destinations"]!.AsObject().Remove("Server 3");
        });
        await Eventually.AssertAsync(() => gateway.FailedReloads.Count > 0, "YARP to refuse the edited file", TimeSpan.FromSeconds(30));

        Assert.Contains("'Ringway.BoundedLoadFactor' = '1'", gateway.FailedReloads[0].ToString(), StringComparison.Ordinal);
        Assert.Equal(3, gateway.Cluster.Destinations.Count);
        Assert.Equal(before, await gateway.OwnersOneByOneAsync(keys));

        Edit(backends, settings => settings["Destinations"]!.AsObject().Remove("Server 3"));
        // The list requests pick from, which YARP replaces after its dictionary of destinations.
        await Eventually.AssertAsync(() => gateway.Cluster.DestinationsState.AllDestinations.Count == 2, "the corrected file to apply", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("Server 3", (await gateway.OwnersOneByOneAsync(keys)).Values);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<Gateway> StartSampleAsync(Backends backends)
    {
        Edit(backends, _ => { });
        var configuration = new ConfigurationBuilder().AddJsonFile(SettingsPath, optional: false, reloadOnChange: true).Build();
        return await Gateway.StartAsync(configuration.GetSection("ReverseProxy"), "servers");
    }

    /// <summary>Writes the sample's file with the backends' addresses and an edit of the cluster's settings.</summary>
    private void Edit(Backends backends, Action<JsonNode> editCluster)
    {
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "YarpGateway", "appsettings.json")))!;
        var cluster = sample["ReverseProxy"]!["Clusters"]!["servers"]!;
        foreach (var backend in backends)
        {
            cluster["Destinations"]![backend.Id]!["Address"] = backend.Address;
        }

        editCluster(cluster);
        File.WriteAllText(SettingsPath, sample.ToJsonString());
    }
}
