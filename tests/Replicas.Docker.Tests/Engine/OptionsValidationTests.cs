using System.Net;
using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Docker.Tests.Engine;

public sealed class OptionsValidationTests
{
    [Fact]
    public void Validate_Defaults_ImageRequired()
    {
        var errors = new DockerReplicaOptions().Validate().ToList();

        Assert.Contains(errors, e => e.StartsWith("Image is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ImageSet_NoErrorsAndDocumentedDefaults()
    {
        var options = new DockerReplicaOptions { Image = "ringway/sample-server" };

        Assert.Empty(options.Validate());
        Assert.Equal("net1", options.Network);
        Assert.Equal(5000, options.ContainerPort);
        Assert.Equal("default", options.InstanceName);
        Assert.Equal(ReplicaShutdownBehavior.Remove, options.OnShutdown);
        Assert.False(options.UsePublishedPorts);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(70000)]
    public void Validate_BadPort_Error(int port) =>
        Assert.Contains(new SwarmReplicaOptions { Image = "x", ContainerPort = port }.Validate(), e => e.Contains("ContainerPort", StringComparison.Ordinal));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void Validate_BadInstanceName_Error(string name) =>
        Assert.Contains(new DockerReplicaOptions { Image = "x", InstanceName = name }.Validate(), e => e.Contains("InstanceName", StringComparison.Ordinal));

    [Fact]
    public void AddDockerReplicas_NoImage_FailsOnStartWithTheReason()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddConsistentHashBalancer().AddDockerReplicas(_ => { });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DockerReplicaOptions>>().Value);

        Assert.Contains("Image is required", error.Message);
    }

    [Fact]
    public void AddDockerReplicas_AfterAnotherProvider_ReplacesIt()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddConsistentHashBalancer()
            .AddSwarmReplicas(o => o.Image = "x")
            .AddDockerReplicas(o => { o.Image = "x"; o.OnShutdown = ReplicaShutdownBehavior.Keep; });

        var registrations = services.Where(d => d.ServiceType == typeof(IReplicaProvider)).ToList();
        using var provider = services.BuildServiceProvider();

        Assert.Single(registrations);
        Assert.IsType<DockerReplicaProvider>(provider.GetRequiredService<IReplicaProvider>());
        Assert.False(provider.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value.Replicas.StopOnShutdown);
    }

    [Fact]
    public void Translate_ImageNotFound_NamesTheImage()
    {
        var error = DockerEngine.Translate(new DockerImageNotFoundException(HttpStatusCode.NotFound, "{\"message\":\"No such image: x:1\"}"),
            "start replica 'A'", "unix:///var/run/docker.sock", "x:1", "net1");

        Assert.Equal("Cannot start replica 'A': image 'x:1' is not present on the Docker engine (build or pull it first).", error.Message);
    }

    [Fact]
    public void Translate_Conflict_QuotesTheEngine()
    {
        var error = DockerEngine.Translate(new DockerApiException(HttpStatusCode.Conflict, "{\"message\":\"Conflict. The container name \\\"/x\\\" is already in use\"}"),
            "start replica 'A'", "unix:///var/run/docker.sock", "img", "net1");

        Assert.Contains("conflict (Conflict. The container name \"/x\" is already in use)", error.Message);
    }
}
