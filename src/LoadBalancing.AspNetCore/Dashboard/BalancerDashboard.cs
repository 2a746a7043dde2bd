using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Supervision;

namespace Ringway.LoadBalancing.AspNetCore.Dashboard;

/// <summary>
/// One mapped dashboard: the page and its two data endpoints, <c>api/state</c> (polled by the page) and <c>api/key</c>
/// ("where does this key go?"). Everything it shows is read when asked; it adds nothing to the request path.
/// </summary>
internal sealed class BalancerDashboard : IDisposable
{
    /// <summary>Longest key <c>api/key</c> accepts.</summary>
    public const int MaxKeyLength = 1024;

    private readonly ReplicaSupervisor _supervisor;
    private readonly ReplicaTable _table;
    private readonly ReplicaPicker _picker;
    private readonly AdminAccess _admin;
    private readonly TimeProvider _time;
    private readonly bool _boundedLoads;
    private readonly MembershipEventLog _events = new();
    private readonly KeySpaceShares _shares = new();

    public BalancerDashboard(
        ReplicaSupervisor supervisor,
        ReplicaTable table,
        ReplicaPicker picker,
        EndpointDataSource endpoints,
        object meterScope,
        IOptions<ConsistentHashBalancerOptions> options,
        TimeProvider time)
    {
        _supervisor = supervisor;
        _table = table;
        _picker = picker;
        _admin = new AdminAccess(endpoints);
        _time = time;
        _boundedLoads = options.Value.Hashing.BoundedLoadFactor is not null;
        Traffic = new ReplicaTraffic(meterScope, time);
        _supervisor.MembershipChanged += _events.Add;
    }

    public ReplicaTraffic Traffic { get; }

    public async Task GetStateAsync(HttpContext context)
    {
        var admin = await _admin.ForAsync(context).ConfigureAwait(false);
        var snapshot = _table.Current;
        var shares = _shares.For(snapshot);
        var traffic = Traffic.Read();
        await WriteJsonAsync(context, writer => DashboardState.Write(writer, _supervisor, snapshot, shares, traffic, _events.Recent(), admin, _time.GetUtcNow())).ConfigureAwait(false);
    }

    public Task GetKeyAsync(HttpContext context)
    {
        var key = context.Request.Query["key"].ToString();
        if (key.Length is 0 or > MaxKeyLength)
        {
            return JsonResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"'key' must have 1 to {MaxKeyLength} characters", context.RequestAborted);
        }

        var snapshot = _table.Current;
        return WriteJsonAsync(context, writer => DashboardState.WriteKey(writer, key, snapshot, _picker, _boundedLoads));
    }

    public void Dispose()
    {
        _supervisor.MembershipChanged -= _events.Add;
        Traffic.Dispose();
    }

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
