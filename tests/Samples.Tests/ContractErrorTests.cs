using System.Net;
using System.Text.Json;
using Ringway.Samples.Tests.Infrastructure;
using Ringway.TestSupport.Samples;

namespace Ringway.Samples.Tests;

/// <summary>
/// Rows and decisions of docs/contract.md that must change nothing, against one running sample host. Every test checks that
/// /rep still lists the three initial replicas afterwards (all-or-nothing).
/// </summary>
public sealed class ContractErrorTests(SampleHostFixture fixture) : IClassFixture<SampleHostFixture>
{
    private static readonly string[] Initial = ["Server 1", "Server 2", "Server 3"];
    private SampleHost Host => fixture.Host;

    [Fact]
    public async Task Rep_AtStart_ThreeServersExactBody()
    {
        var body = await Host.Client.GetStringAsync("/rep");
        using var json = JsonDocument.Parse(body);
        Assert.Equal(
            """{"message":{"N":3,"replicas":["Server 1","Server 2","Server 3"]},"status":"successful"}""",
            JsonSerializer.Serialize(json.RootElement));
    }

    [Fact]
    public async Task Home_Routed_HelloFromOneReplica()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 30; i++)
        {
            using var json = JsonDocument.Parse(await Host.Client.GetStringAsync("/home"));
            Assert.Equal("successful", json.RootElement.GetProperty("status").GetString());
            var message = json.RootElement.GetProperty("message").GetString()!;
            Assert.Matches("^Hello from Server: Server [123]$", message);
            seen.Add(message);
        }

        Assert.True(seen.Count >= 2, "requests without a key get random ids and spread");
    }

    [Fact]
    public async Task Home_SameKey_SameReplica()
    {
        for (var i = 0; i < 10; i++)
        {
            var first = await Host.Client.GetStringAsync($"/home?key=user-{i}");
            Assert.Equal(first, await Host.Client.GetStringAsync($"/home?key=user-{i}"));
            using var request = new HttpRequestMessage(HttpMethod.Get, "/home");
            request.Headers.Add("X-Ringway-Key", $"user-{i}");
            Assert.Equal(first, await (await Host.Client.SendAsync(request)).Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData("/other")]
    [InlineData("/some/deep/path")]
    public async Task Get_PathReplicasDoNotServe_400NamingPath(string path)
    {
        using var response = await Host.Client.GetAsync(path);
        Assert.Equal($"<Error> '{path}' endpoint does not exist in server replicas", await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest));
    }

    [Theory]
    [InlineData("POST", "/add", """{"n": 1, "hostnames": ["S5", "S4"]}""", "<Error> Length of hostname list is more than newly added instances")]
    [InlineData("DELETE", "/rm", """{"n": 1, "hostnames": ["Server 1", "Server 2"]}""", "<Error> Length of hostname list is more than removable instances")]
    [InlineData("POST", "/add", """{"n": 0}""", "<Error> 'n' must be a whole number from 1 to 64")]
    [InlineData("POST", "/add", """{"n": 65}""", "<Error> 'n' must be a whole number from 1 to 64")]
    [InlineData("DELETE", "/rm", """{"n": -2}""", "<Error> 'n' must be a whole number from 1 to 64")]
    [InlineData("POST", "/add", """{"n": 1.5}""", "<Error> 'n' must be a whole number from 1 to 64")]
    [InlineData("POST", "/add", """{"n": "1"}""", "<Error> 'n' must be a whole number from 1 to 64")]
    [InlineData("POST", "/add", """{"hostnames": ["S5"]}""", "<Error> 'n' is missing")]
    [InlineData("POST", "/add", """{"n": 1, "hostnames": "S5"}""", "<Error> 'hostnames' must be a list of strings")]
    [InlineData("DELETE", "/rm", """{"n": 1, "hostnames": [1]}""", "<Error> 'hostnames' must be a list of strings")]
    [InlineData("POST", "/add", """[{"n": 1}]""", "<Error> Request body must be a JSON object like {\"n\": 1, \"hostnames\": [\"S1\"]}")]
    [InlineData("POST", "/add", """{"n": 1,""", "<Error> Request body is not valid JSON")]
    [InlineData("DELETE", "/rm", """n=1""", "<Error> Request body is not valid JSON")]
    [InlineData("POST", "/add", "", "<Error> Request body is missing: send JSON like {\"n\": 1, \"hostnames\": [\"S1\"]}")]
    [InlineData("POST", "/add", """{"n": 2, "hostnames": ["S5", "S5"]}""", "<Error> Hostname 'S5' appears more than once")]
    [InlineData("POST", "/add", """{"n": 1, "hostnames": ["Server 2"]}""", "<Error> Hostname 'Server 2' already exists")]
    [InlineData("DELETE", "/rm", """{"n": 1, "hostnames": ["S9"]}""", "<Error> Hostname 'S9' is not a replica")]
    [InlineData("DELETE", "/rm", """{"n": 2, "hostnames": ["Server 1", "Server 1"]}""", "<Error> Hostname 'Server 1' appears more than once")]
    [InlineData("POST", "/add", """{"n": 1, "hostnames": ["bad/name"]}""", "<Error> Hostname 'bad/name' is invalid: use 1 to 63 letters, digits, spaces, '-', '_' or '.'")]
    [InlineData("POST", "/add", """{"n": 1, "hostnames": ["0123456789012345678901234567890123456789012345678901234567890123"]}""", "<Error> Hostname '0123456789012345678901234567890123456789012345678901234567890123' is invalid: use 1 to 63 letters, digits, spaces, '-', '_' or '.'")]
    [InlineData("DELETE", "/rm", """{"n": 4}""", "<Error> Cannot remove 4 replica(s): only 3 exist")]
    [InlineData("POST", "/add", """{"n": 62}""", "<Error> Cannot add 62 replica(s): at most 64 replicas in total, 3 now")]
    public async Task Change_InvalidRequest_400AndNothingChanges(string method, string path, string body, string message)
    {
        using var response = await Host.SendJsonAsync(new HttpMethod(method), path, body);
        Assert.Equal(message, await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest));
        Assert.Equal(Initial, await Host.ReplicasAsync());
    }

    [Fact]
    public async Task Add_OversizedBody_400AndNothingChanges()
    {
        var body = $$"""{"n": 1, "hostnames": [], "padding": "{{new string('x', 20_000)}}"}""";
        using var response = await Host.AddAsync(body);
        Assert.Equal("<Error> Request body is larger than 16384 bytes", await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest));
        Assert.Equal(Initial, await Host.ReplicasAsync());
    }

    [Fact]
    public async Task Add_ValidHostnameCharset_AcceptedByValidation()
    {
        // Validation accepts letters, digits, space, '-', '_' and '.': this request only fails on the total, after validation.
        using var response = await Host.AddAsync("""{"n": 64, "hostnames": ["a-b_c.d 9"]}""");
        Assert.Equal("<Error> Cannot add 64 replica(s): at most 64 replicas in total, 3 now", await Json.AssertErrorAsync(response, HttpStatusCode.BadRequest));
    }
}
