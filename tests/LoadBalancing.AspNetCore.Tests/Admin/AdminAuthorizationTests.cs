using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Admin;

/// <summary>
/// The admin API behind an ordinary ASP.NET Core authorization policy (<c>MapReplicaAdmin().RequireAuthorization(...)</c>),
/// the alternative to <c>Admin:ApiKey</c>: refused requests change nothing, and routed requests are not affected.
/// </summary>
public sealed class AdminAuthorizationTests
{
    private const string Scheme = "Test";

    [Fact]
    public async Task Admin_PolicyRequired_AnonymousAndWrongRoleRefusedNothingChanges()
    {
        var provider = new InProcessReplicaProvider();
        await using var _ = provider;
        await using var balancer = await TestBalancer.StartAsync(
            b => b.Services.AddSingleton<IReplicaProvider>(provider),
            o => o.Keys.Sources.Add("query:key"),
            map: app =>
            {
                app.MapReplicaAdmin().RequireAuthorization("replica-admin");
                app.MapConsistentHashBalancer();
            },
            services: builder =>
            {
                builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, RoleFromHeaderHandler>(Scheme, null);
                builder.Services.AddAuthorizationBuilder().AddPolicy("replica-admin", p => p.RequireRole("admin"));
            },
            mapBalancer: false);

        using var anonymousRep = await balancer.Client.GetAsync("/rep");
        using var anonymousAdd = await balancer.AddAsync("""{"n": 1, "hostnames": ["S9"]}""");
        using var wrongRoleRm = await SendAsync(balancer, HttpMethod.Delete, "/rm", "reader", """{"n": 1, "hostnames": ["Server 1"]}""");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousRep.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousAdd.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongRoleRm.StatusCode);

        // Nothing changed, as the admin sees it; and routed requests need no credentials.
        using var rep = await SendAsync(balancer, HttpMethod.Get, "/rep", "admin", null);
        Assert.Equal(HttpStatusCode.OK, rep.StatusCode);
        Assert.Contains("\"replicas\":[\"Server 1\",\"Server 2\",\"Server 3\"]", await rep.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var routed = await balancer.Client.GetAsync("/whoami?key=anyone");
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);

        using var add = await SendAsync(balancer, HttpMethod.Post, "/add", "admin", """{"n": 1, "hostnames": ["S9"]}""");
        Assert.Equal(HttpStatusCode.OK, add.StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(TestBalancer balancer, HttpMethod method, string path, string role, string? json)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Test-Role", role);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return balancer.Client.SendAsync(request);
    }
}
