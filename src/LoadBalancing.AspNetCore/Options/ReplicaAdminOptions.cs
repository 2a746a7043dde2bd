namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>Access to the admin endpoints <c>/rep</c>, <c>/add</c> and <c>/rm</c> (configuration section <c>Admin</c>).</summary>
public sealed class ReplicaAdminOptions
{
    /// <summary>
    /// When set, <c>/rep</c>, <c>/add</c> and <c>/rm</c> require this value in the <c>X-Api-Key</c> header (compared in constant time).
    /// Default null (no key; use <c>RequireAuthorization()</c> on the endpoints for real authentication).
    /// </summary>
    public string? ApiKey { get; set; }
}
