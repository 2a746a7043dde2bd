using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Routing;

public sealed class KeySourceTests : BackendsPerTest
{
    public KeySourceTests()
        : base("A", "B", "C", "D")
    {
    }

    public static TheoryData<string> Sources => new() { "header:X-User", "query:user", "cookie:session", "route:userId", "path" };

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task GetKey_EachSource_SameKeySameReplicaAndKeysSpread(string source)
    {
        await using var balancer = await TestBalancer.StartAsync(
            Backends,
            o => o.Keys.Sources.Add(source),
            map: app => app.MapConsistentHashBalancer("/users/{userId}/{**rest}"));
        var owners = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var first = await SendAsync(balancer, source, $"u{i}");
            var second = await SendAsync(balancer, source, $"u{i}");
            Assert.Equal(first, second);
            owners.Add(first);
        }

        // 40 keys over 4 replicas: a source that is ignored (random ids) would not repeat; one that hashed nothing would not spread.
        Assert.True(owners.Count >= 3, string.Join(",", owners));
    }

    [Fact]
    public async Task GetKey_ClientAddress_AllRequestsFromOneAddressSameReplica()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends, o => o.Keys.Sources.Add("client-address"));
        var owners = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            owners.Add(await balancer.Client.GetStringAsync($"/whoami?user=u{i}"));
        }

        Assert.Single(owners);
    }

    [Fact]
    public async Task GetKey_NoSourceMatches_RandomIdSpreadsRequests()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends, o => o.Keys.Sources.Add("header:X-Absent"));
        var owners = new HashSet<string>();
        for (var i = 0; i < 60; i++)
        {
            owners.Add(await balancer.Client.GetStringAsync("/whoami"));
        }

        Assert.True(owners.Count >= 3);
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(999_999)]
    public void RequestKeyChars_RandomIdOrText_IdAsItsDigitsTextAsIs(int id)
    {
        var key = RequestKey.RandomId(id);
        var chars = key.Chars(stackalloc char[RequestKey.IdLength]).ToString();
        Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), chars);
        Assert.Equal(chars, key.ToString());

        var text = new RequestKey("user-7".AsMemory());
        Assert.Equal("user-7", text.Chars(stackalloc char[RequestKey.IdLength]).ToString());
    }

    [Fact]
    public async Task GetKey_CustomSelector_UsedBeforeSources()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends, o =>
        {
            o.Keys.Selector = c => c.Request.Headers["X-Tenant"].ToString();
            o.Keys.Sources.Add("query:user");
        });
        var owners = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/whoami?user=u{i}");
            request.Headers.Add("X-Tenant", "tenant-1");
            using var response = await balancer.Client.SendAsync(request);
            owners.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Single(owners);
    }

    [Theory]
    [InlineData("?a=1&key=abc&b=2", "key", "abc")]
    [InlineData("?key=a%20b", "key", "a b")]
    [InlineData("?key=a+b", "key", "a b")]
    [InlineData("?KEY=x", "key", "x")]
    [InlineData("?key=&key=second", "key", "second")]
    [InlineData("?keys=1", "key", "")]
    [InlineData("", "key", "")]
    [InlineData("?k%65y=v", "key", "v")]
    public void ReadQuery_RawQuery_FindsFirstNonEmptyValue(string query, string name, string expected)
        => Assert.Equal(expected, KeySource.ReadQuery(query, name).ToString());

    [Property]
    public bool ReadQuery_AnyEncodedValue_RoundTrips(NonEmptyString value, PositiveInt before)
    {
        var query = $"?x{before.Get}=1&key={Uri.EscapeDataString(value.Get)}&y=2";
        return KeySource.ReadQuery(query, "key").ToString() == value.Get;
    }

    [Theory]
    [InlineData("header:X-User", true)]
    [InlineData("Query: key ", true)]
    [InlineData("path", true)]
    [InlineData("client-address", true)]
    [InlineData("header:", false)]
    [InlineData("path:x", false)]
    [InlineData("body:x", false)]
    [InlineData("", false)]
    public void TryParse_Entry_AcceptsDocumentedForms(string text, bool valid)
        => Assert.Equal(valid, KeySource.TryParse(text, out _));

    private static async Task<string> SendAsync(TestBalancer balancer, string source, string key)
    {
        var uri = source switch
        {
            "query:user" => $"/whoami?user={key}",
            "route:userId" => $"/users/{key}/profile",
            "path" => $"/users/{key}/profile",
            _ => "/whoami",
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (source == "header:X-User")
        {
            request.Headers.Add("X-User", key);
        }

        if (source == "cookie:session")
        {
            request.Headers.Add("Cookie", $"other=1; session={key}");
        }

        using var response = await balancer.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
