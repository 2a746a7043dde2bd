using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore.Admin;

namespace Ringway.LoadBalancing.AspNetCore.Dashboard;

/// <summary>
/// Whether the dashboard may offer /add and /rm to this caller: the admin API must be mapped, and the caller must pass
/// the authorization it carries (its <c>RequireAuthorization()</c> policy, evaluated as the endpoint would). The API key
/// needs no check here: the dashboard's data endpoints require the same key.
/// </summary>
internal sealed class AdminAccess(EndpointDataSource endpoints)
{
    /// <summary>Where the change endpoints answer, when the caller may use them; null for a read-only dashboard.</summary>
    public async Task<AdminRoutes?> ForAsync(HttpContext context)
    {
        Endpoint? add = null;
        Endpoint? remove = null;
        foreach (var endpoint in endpoints.Endpoints)
        {
            var operation = endpoint.Metadata.GetMetadata<ReplicaAdminOperation>();
            add ??= ReferenceEquals(operation, ReplicaAdminOperation.Add) ? endpoint : null;
            remove ??= ReferenceEquals(operation, ReplicaAdminOperation.Remove) ? endpoint : null;
        }

        if (add is not RouteEndpoint addRoute || remove is not RouteEndpoint removeRoute)
        {
            return null;
        }

        if (!await IsAuthorizedAsync(context, add).ConfigureAwait(false) || !await IsAuthorizedAsync(context, remove).ConfigureAwait(false))
        {
            return null;
        }

        return new AdminRoutes(context.Request.PathBase + Path(addRoute), context.Request.PathBase + Path(removeRoute));
    }

    private static string Path(RouteEndpoint endpoint) => "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');

    private static async Task<bool> IsAuthorizedAsync(HttpContext context, Endpoint endpoint)
    {
        var data = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
        var policies = endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>();
        if ((data.Count == 0 && policies.Count == 0) || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return true;
        }

        var provider = context.RequestServices.GetService<IAuthorizationPolicyProvider>();
        var evaluator = context.RequestServices.GetService<IPolicyEvaluator>();
        if (provider is null || evaluator is null)
        {
            return false;
        }

        var policy = await AuthorizationPolicy.CombineAsync(provider, data, policies).ConfigureAwait(false);
        if (policy is null)
        {
            return true;
        }

        var authentication = await evaluator.AuthenticateAsync(policy, context).ConfigureAwait(false);
        var authorization = await evaluator.AuthorizeAsync(policy, authentication, context, resource: null).ConfigureAwait(false);
        return authorization.Succeeded;
    }
}

/// <summary>The paths of the admin change endpoints, as the page calls them.</summary>
internal sealed record AdminRoutes(string Add, string Remove);
