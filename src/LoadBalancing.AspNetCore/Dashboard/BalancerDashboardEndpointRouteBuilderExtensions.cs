using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.LoadBalancing.AspNetCore.Admin;
using Ringway.LoadBalancing.AspNetCore.Dashboard;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Supervision;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the balancer's live dashboard.</summary>
public static class BalancerDashboardEndpointRouteBuilderExtensions
{
    /// <summary>The path <see cref="MapBalancerDashboard"/> uses when none is given: <c>/ringway</c>.</summary>
    public const string DefaultPath = "/ringway";

    /// <summary>
    /// Maps a live dashboard at <paramref name="path"/> (default <c>/ringway</c>; the page is <c>{path}/</c>): the replicas
    /// and their state, heartbeat latency, requests per second, requests in flight and failed attempts; each replica's
    /// share of the key space; recent membership changes; where a key goes; and, when <see cref="BalancerEndpointRouteBuilderExtensions.MapReplicaAdmin"/>
    /// is mapped and the caller passes its authorization, <c>/add</c> and <c>/rm</c> controls. Not mapped unless called.
    /// Its data (<c>{path}/api/state</c>, <c>{path}/api/key?key=...</c>) requires the admin API key (<see cref="ReplicaAdminOptions.ApiKey"/>)
    /// when one is set; the page asks for it. The returned group takes conventions for all of it (for example
    /// <c>RequireAuthorization()</c>). Traffic figures are read from the <c>Ringway.LoadBalancing</c> meter only while the
    /// page is open (until 30 s after its last poll).
    /// </summary>
    public static RouteGroupBuilder MapBalancerDashboard(this IEndpointRouteBuilder endpoints, string path = DefaultPath)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.StartsWith('/') || path.EndsWith('/'))
        {
            throw new ArgumentException("The dashboard path must start with '/' and not end with one, like /ringway.", nameof(path));
        }

        var services = endpoints.ServiceProvider;
        var supervisor = services.GetService<ReplicaSupervisor>()
            ?? throw new InvalidOperationException("Call services.AddConsistentHashBalancer() before app.MapBalancerDashboard().");
        var dashboard = new BalancerDashboard(
            supervisor,
            services.GetRequiredService<ReplicaTable>(),
            services.GetRequiredService<ReplicaPicker>(),
            services.GetRequiredService<EndpointDataSource>(),
            services.GetRequiredService<IMeterFactory>(),
            services.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System);
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(dashboard.Dispose);

        var group = endpoints.MapGroup(path);
        // One route for /ringway and /ringway/ (routing ignores the trailing slash); the page's relative links need the slash.
        group.MapGet("/", context => context.Request.Path.Value?.EndsWith('/') == true
            ? DashboardAssets.WriteAsync(context, DashboardAssets.Page)
            : RedirectToSlash(context)).WithDisplayName("Ringway dashboard");
        group.MapGet("/dashboard.js", context => DashboardAssets.WriteAsync(context, DashboardAssets.Script)).WithDisplayName("Ringway dashboard script");
        group.MapGet("/dashboard.css", context => DashboardAssets.WriteAsync(context, DashboardAssets.Style)).WithDisplayName("Ringway dashboard style");
        var data = group.MapGroup("/api");
        data.AddEndpointFilter(ReplicaAdminEndpoints.RequireApiKeyAsync);
        data.MapGet("/state", dashboard.GetStateAsync).WithDisplayName("Ringway dashboard state");
        data.MapGet("/key", dashboard.GetKeyAsync).WithDisplayName("Ringway dashboard key lookup");
        return group;
    }

    private static Task RedirectToSlash(HttpContext context)
    {
        context.Response.Redirect(context.Request.PathBase + context.Request.Path + "/");
        return Task.CompletedTask;
    }
}
