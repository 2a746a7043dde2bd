using Ringway.Samples.Analysis.Cluster;

namespace Ringway.Samples.Analysis.Tests;

public class BalancerClientTests
{
    [Theory]
    [InlineData("Hello from Server: Server 2", "Server 2")]
    [InlineData("Hello from Server: a b c", "a b c")]
    [InlineData("Hi", null)]
    [InlineData(null, null)]
    public void ParseHomeServer_Message_YieldsServerName(string? message, string? expected)
        => Assert.Equal(expected, BalancerClient.ParseHomeServer(message));

    [Fact]
    public void ParseReplicas_SpecBody_YieldsReplicasInOrder()
    {
        const string body = """{"message": {"N": 3, "replicas": ["Server 1", "Server 2", "Server 3"]}, "status": "successful"}""";

        Assert.Equal(["Server 1", "Server 2", "Server 3"], BalancerClient.ParseReplicas(body));
    }

    [Fact]
    public void ParseReplicas_ErrorBody_ThrowsBalancerException()
        => Assert.Throws<BalancerException>(() => BalancerClient.ParseReplicas("""{"message": "<Error> x", "status": "failure"}"""));

    [Fact]
    public void ChangeBody_WithAndWithoutHostnames_IsSpecJson()
    {
        Assert.Equal("""{"n":2,"hostnames":["S5","S 4"]}""", BalancerClient.ChangeBody(2, ["S5", "S 4"]));
        Assert.Equal("""{"n":1}""", BalancerClient.ChangeBody(1, null));
    }

    [Fact]
    public void ApiReply_ErrorBody_ExposesMessageAndStatus()
    {
        var reply = new ApiReply(System.Net.HttpStatusCode.BadRequest, """{"message": "<Error> nope", "status": "failure"}""");

        Assert.Equal("<Error> nope", reply.Message);
        Assert.Equal("failure", reply.StatusField);
    }
}
