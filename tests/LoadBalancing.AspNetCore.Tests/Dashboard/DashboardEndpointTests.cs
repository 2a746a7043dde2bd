using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Dashboard;

/// <summary>
/// The dashboard's endpoints on a real balancer with three in-process replicas: what <c>api/state</c> and <c>api/key</c>
/// answer, who may read them, and when the page offers /add and /rm.
/// </summary>
public sealed class DashboardEndpointTests
{
    private const string Scheme = "Test";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task State_ListsEveryReplicaInTheRingWithHeartbeatShareAndTheirEvents()
    {
        await using var provider = new InProcessReplicaProvider();
        await using var balancer = await StartAsync(provider);

        JsonElement state = default;
        await Eventually.AssertAsync(
            async () => (state = await GetStateAsync(balancer)).GetProperty("replicas").EnumerateArray()
                .Count(r => r.GetProperty("state").GetString() == "in ring" && r.GetProperty("heartbeatMs").ValueKind == JsonValueKind.Number) == 3,
            "three replicas in the ring with a heartbeat latency", Within);

        var replicas = state.GetProperty("replicas").EnumerateArray().ToArray();
        Assert.Equal(["Server 1", "Server 2", "Server 3"], replicas.Select(r => r.GetProperty("name").GetString()));
        Assert.All(replicas, r => Assert.Equal(provider.Backend(r.GetProperty("name").GetString()!).Address.ToString(), r.GetProperty("address").GetString()));
        Assert.InRange(replicas.Sum(r => r.GetProperty("share").GetDouble()), 0.999, 1.001);
        Assert.All(replicas, r => Assert.InRange(r.GetProperty("share").GetDouble(), 0.2, 0.47));
        var events = state.GetProperty("events").EnumerateArray().Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("replica").GetString(), e.GetProperty("reason").GetString())).ToArray();
        foreach (var name in new[] { "Server 1", "Server 2", "Server 3" })
        {
            Assert.Contains(("Starting", name, "Initial"), events);
            Assert.Contains(("Added", name, "Initial"), events);
            Assert.Contains(("Joined", name, "Initial"), events);
        }

        Assert.True(state.GetProperty("admin").GetProperty("enabled").GetBoolean());
        Assert.Equal("/add", state.GetProperty("admin").GetProperty("add").GetString());
        Assert.Equal("/rm", state.GetProperty("admin").GetProperty("remove").GetString());
    }

    [Fact]
    public async Task State_AfterRemoveAndKill_ShowsDrainingReplicaAndRespawnEventsWithReasons()
    {
        await using var provider = new InProcessReplicaProvider();
        await using var balancer = await StartAsync(provider, o => o.Replicas.DrainTimeout = TimeSpan.FromSeconds(30));
        await Eventually.AssertAsync(async () => InRing(await GetStateAsync(balancer)) == 3, "three in the ring", Within);

        // A request held open on Server 2 keeps it draining after /rm.
        var key = "";
        for (var i = 0; (await GetPreferenceOrder(balancer, key = $"k{i}"))[0] != "Server 2"; i++)
        {
        }

        using var hold = new CancellationTokenSource();
        var hanging = balancer.Client.GetAsync($"/hang?key={key}", hold.Token);
        await provider.Backend("Server 2").HangStarted.Task.WaitAsync(Within);
        using (var rm = await balancer.RemoveAsync("""{"n": 1, "hostnames": ["Server 2"]}"""))
        {
            Assert.Equal(HttpStatusCode.OK, rm.StatusCode);
        }

        var state = await GetStateAsync(balancer);
        var draining = state.GetProperty("replicas").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "Server 2");
        Assert.Equal("draining", draining.GetProperty("state").GetString());
        Assert.Equal(1, draining.GetProperty("inFlight").GetInt32());
        Assert.Equal(0, draining.GetProperty("share").GetDouble());
        Assert.Contains(Events(state), e => e == ("Left", "Server 2", "Admin"));
        await hold.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging);

        await provider.KillAsync("Server 1", reportExit: true);
        await Eventually.AssertAsync(
            async () => Events(await GetStateAsync(balancer)) is var e && e.Contains(("Left", "Server 1", "Exited")) && e.Any(x => x is ("Joined", _, "Respawn")),
            "Server 1 leaving as exited and a respawned replica joining", Within);
    }

    [Fact]
    public async Task Key_PreferenceOrderFirstIsWhereTheRoutedRequestLands()
    {
        await using var provider = new InProcessReplicaProvider();
        await using var balancer = await StartAsync(provider);
        await Eventually.AssertAsync(async () => InRing(await GetStateAsync(balancer)) == 3, "three in the ring", Within);

        var landed = new HashSet<string>();
        foreach (var key in Enumerable.Range(0, 40).Select(i => $"user-{i}").Append("ключ ü").Append("<b>x</b>"))
        {
            var order = await GetPreferenceOrder(balancer, key);
            Assert.Equal(3, order.Length);
            Assert.Equal(3, order.Distinct().Count());
            var answeredBy = await balancer.Client.GetStringAsync("/whoami?key=" + Uri.EscapeDataString(key));
            Assert.Equal(order[0], answeredBy);
            landed.Add(answeredBy);
        }

        Assert.Equal(3, landed.Count);
    }

    [Fact]
    public async Task WarmUp_AddedReplicaShownWarmingUp_KeyOrderStillWhereRoutedRequestsLand()
    {
        await using var provider = new InProcessReplicaProvider();
        // A window far longer than the test: the newcomer stays near the start of its ramp, holding almost none of its keys.
        await using var balancer = await StartAsync(provider, o => o.Hashing.WarmUp = TimeSpan.FromHours(1));
        await Eventually.AssertAsync(async () => InRing(await GetStateAsync(balancer)) == 3, "three in the ring", Within);

        using (var add = await balancer.Client.AddReplicasAsync(1, "Server 4"))
        {
            Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        }

        await Eventually.AssertAsync(
            async () => (await GetStateAsync(balancer)).GetProperty("replicas").EnumerateArray()
                .Any(r => r.GetProperty("name").GetString() == "Server 4" && r.GetProperty("state").GetString() == "warming up"),
            "Server 4 warming up", Within);

        // About a quarter of these keys belong to Server 4 in the plain hash order; while it ramps they stay where they
        // were, and the page's order must say so rather than show the plain order.
        var heldBack = 0;
        foreach (var key in Enumerable.Range(0, 40).Select(i => $"user-{i}"))
        {
            var order = await GetPreferenceOrder(balancer, key);
            Assert.Equal(4, order.Length);
            var answeredBy = await balancer.Client.GetStringAsync("/whoami?key=" + Uri.EscapeDataString(key));
            Assert.Equal(order[0], answeredBy);
            heldBack += balancer.PreferenceOrder(key)[0] == "Server 4" && answeredBy != "Server 4" ? 1 : 0;
        }

        Assert.True(heldBack > 0, "no key of Server 4 was held back by its warm-up");
    }

    [Fact]
    public async Task Key_MissingOrTooLong_400InTheErrorShape()
    {
        await using var provider = new InProcessReplicaProvider();
        await using var balancer = await StartAsync(provider);
        foreach (var query in new[] { "", "?key=", "?key=" + new string('k', 1025) })
        {
            using var response = await balancer.Client.GetAsync("/ringway/api/key" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("\"status\":\"failure\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ApiKey_DataRefusedWithoutIt_PageServedWithoutDataAndScriptPolicy()
    {
        await using var provider = new InProcessReplicaProvider();
        await using var balancer = await StartAsync(provider, o => o.Admin.ApiKey = "s3cret");

        foreach (var path in new[] { "/ringway/api/state", "/ringway/api/key?key=a" })
        {
            using var anonymous = await balancer.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.DoesNotContain("Server", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var wrong = await SendAsync(balancer, path, ("X-Api-Key", "S3CRET"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            using var right = await SendAsync(balancer, path, ("X-Api-Key", "s3cret"));
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }

        using var page = await balancer.Client.GetAsync("/ringway/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Server 1", html, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        using var redirect = await balancer.Client.GetAsync("/ringway");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/ringway/", redirect.Headers.Location!.OriginalString);
        foreach (var asset in new[] { "dashboard.js", "dashboard.css" })
        {
            using var response = await balancer.Client.GetAsync("/ringway/" + asset);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("innerHTML", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Admin_NotMapped_ReadOnly()
    {
        await using var provider = new InProcessReplicaProvider();
        await using var balancer = await TestBalancer.StartAsync(
            b => b.Services.AddSingleton<IReplicaProvider>(provider),
            map: app =>
            {
                app.MapBalancerDashboard();
                app.MapConsistentHashBalancer();
            },
            mapBalancer: false);

        var admin = (await GetStateAsync(balancer)).GetProperty("admin");
        Assert.False(admin.GetProperty("enabled").GetBoolean());
        Assert.False(admin.GetProperty("canAdd").GetBoolean());
        Assert.Equal(JsonValueKind.Null, admin.GetProperty("add").ValueKind);
    }

    [Fact]
    public async Task Admin_BehindAPolicy_ControlsOnlyForCallersThePolicyAdmits()
    {
        await using var provider = new InProcessReplicaProvider();
        await using var balancer = await TestBalancer.StartAsync(
            b => b.Services.AddSingleton<IReplicaProvider>(provider),
            map: app =>
            {
                app.MapReplicaAdmin().RequireAuthorization("replica-admin");
                app.MapBalancerDashboard("/ops/ringway");
                app.MapConsistentHashBalancer();
            },
            services: builder =>
            {
                builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, RoleFromHeaderHandler>(Scheme, null);
                builder.Services.AddAuthorizationBuilder().AddPolicy("replica-admin", p => p.RequireRole("admin"));
            },
            mapBalancer: false);

        async Task<bool> EnabledFor(params (string, string)[] headers)
        {
            using var response = await SendAsync(balancer, "/ops/ringway/api/state", headers);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("admin").GetProperty("enabled").GetBoolean();
        }

        Assert.False(await EnabledFor());
        Assert.False(await EnabledFor(("X-Test-Role", "reader")));
        Assert.True(await EnabledFor(("X-Test-Role", "admin")));
    }

    private static Task<TestBalancer> StartAsync(InProcessReplicaProvider provider, Action<ConsistentHashBalancerOptions>? configure = null)
        => TestBalancer.StartAsync(
            b => b.Services.AddSingleton<IReplicaProvider>(provider),
            o =>
            {
                o.Keys.Sources.Add("query:key");
                configure?.Invoke(o);
            },
            map: app => app.MapBalancerDashboard());

    private static async Task<JsonElement> GetStateAsync(TestBalancer balancer, string? apiKey = null)
    {
        using var response = apiKey is null
            ? await balancer.Client.GetAsync("/ringway/api/state")
            : await SendAsync(balancer, "/ringway/api/state", ("X-Api-Key", apiKey));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    private static async Task<string[]> GetPreferenceOrder(TestBalancer balancer, string key)
    {
        using var json = JsonDocument.Parse(await balancer.Client.GetStringAsync("/ringway/api/key?key=" + Uri.EscapeDataString(key)));
        Assert.Equal(key, json.RootElement.GetProperty("key").GetString());
        return [.. json.RootElement.GetProperty("order").EnumerateArray().Select(r => r.GetProperty("name").GetString()!)];
    }

    private static int InRing(JsonElement state) => state.GetProperty("replicas").EnumerateArray().Count(r => r.GetProperty("state").GetString() == "in ring");

    private static (string?, string?, string?)[] Events(JsonElement state)
        => [.. state.GetProperty("events").EnumerateArray().Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("replica").GetString(), e.GetProperty("reason").GetString()))];

    private static Task<HttpResponseMessage> SendAsync(TestBalancer balancer, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return balancer.Client.SendAsync(request);
    }
}
