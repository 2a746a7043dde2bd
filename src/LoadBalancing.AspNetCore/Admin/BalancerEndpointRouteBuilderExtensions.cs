using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore.Admin;
using Ringway.LoadBalancing.AspNetCore.Forwarding;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the balancer's endpoints.</summary>
public static class BalancerEndpointRouteBuilderExtensions
{
    /// <summary>The route pattern of <see cref="MapConsistentHashBalancer(IEndpointRouteBuilder)"/>: every path.</summary>
    public const string CatchAllPattern = "/{**ringwayPath}";

    /// <summary>
    /// Routes every request that no other endpoint matches, any method, to a replica chosen by consistent hashing.
    /// The returned builder takes the usual conventions (<c>RequireAuthorization()</c>, <c>RequireRateLimiting()</c>...).
    /// </summary>
    public static IEndpointConventionBuilder MapConsistentHashBalancer(this IEndpointRouteBuilder endpoints)
        => endpoints.MapConsistentHashBalancer(CatchAllPattern);

    /// <summary>
    /// Routes requests matching <paramref name="pattern"/> (for example <c>/users/{userId}/{**rest}</c>, whose route values
    /// can be key sources: <c>route:userId</c>) to a replica chosen by consistent hashing.
    /// </summary>
    public static IEndpointConventionBuilder MapConsistentHashBalancer(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var handler = endpoints.ServiceProvider.GetService<BalancerRequestHandler>()
            ?? throw new InvalidOperationException("Call services.AddConsistentHashBalancer() before app.MapConsistentHashBalancer().");
        return endpoints.Map(pattern, handler.HandleAsync).WithDisplayName("Ringway consistent-hash balancer");
    }

    /// <summary>
    /// Maps the admin API: <c>GET /rep</c>, <c>POST /add</c>, <c>DELETE /rm</c>, answering <c>{"message": ..., "status": "successful"}</c>
    /// or, when a request is refused (and nothing changes), <c>{"message": "&lt;Error&gt; ...", "status": "failure"}</c>.
    /// The returned group takes conventions for all three (for example <c>RequireAuthorization()</c>).
    /// </summary>
    public static RouteGroupBuilder MapReplicaAdmin(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<Ringway.LoadBalancing.AspNetCore.Supervision.ReplicaSupervisor>() is null)
        {
            throw new InvalidOperationException("Call services.AddConsistentHashBalancer() before app.MapReplicaAdmin().");
        }

        var group = endpoints.MapGroup("");
        group.AddEndpointFilter(ReplicaAdminEndpoints.RequireApiKeyAsync);
        group.MapGet("/rep", ReplicaAdminEndpoints.GetReplicasAsync).WithDisplayName("Ringway /rep");
        group.MapPost("/add", ReplicaAdminEndpoints.AddAsync).WithDisplayName("Ringway /add").WithMetadata(ReplicaAdminOperation.Add);
        group.MapDelete("/rm", ReplicaAdminEndpoints.RemoveAsync).WithDisplayName("Ringway /rm").WithMetadata(ReplicaAdminOperation.Remove);
        return group;
    }
}
