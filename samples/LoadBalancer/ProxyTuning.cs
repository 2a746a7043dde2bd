namespace Ringway.Samples.LoadBalancer;

/// <summary>
/// The sample host's settings for a proxy on a small machine (docs/benchmarks.md, "What the sample host does, and what
/// each part is worth"). Each is a default the user can turn off: <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c>,
/// <c>--Kestrel:Transport:UnsafePreferInlineScheduling=false</c>, <c>--Balancer:Forwarding:Forwarder=Yarp</c>,
/// <c>--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information</c>.
/// </summary>
internal static class ProxyTuning
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// Socket completions run on the epoll thread instead of hopping to the thread pool: a proxy's work per event is a
    /// short parse and a write, cheaper than the hand-off. The runtime reads the variable when the first socket is made,
    /// so this must run before the host is built; a value already set (0 or 1) wins.
    /// </summary>
    public static void BeforeFirstSocket()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }
    }

    /// <summary>Whether this process runs socket completions inline (what the runtime read from the variable).</summary>
    public static bool InlineCompletionsEnabled => Environment.GetEnvironmentVariable(InlineCompletions) == "1";

    public static void Configure(WebApplicationBuilder builder)
    {
        // Kestrel runs its pipe continuations where the socket completed, for the same reason; safe here because nothing
        // on the request path blocks. Other socket transport options bind from Kestrel:Transport.
        builder.WebHost.UseSockets(o =>
        {
            o.UnsafePreferInlineScheduling = true;
            builder.Configuration.GetSection("Kestrel:Transport").Bind(o);
        });

        // Hosting's request logger off: while it is enabled at any level, hosting starts an Activity and a log scope for
        // every request (3 to 5 % of the CPU per request here); a tracing listener (OpenTelemetry) still gets its Activity,
        // and Kestrel still logs unhandled exceptions.
        if (builder.Configuration[$"Logging:LogLevel:{HostingDiagnostics}"] is null)
        {
            builder.Logging.AddFilter(HostingDiagnostics, LogLevel.None); // a filter in code would win over configuration
        }

        // The lean HTTP/1.1 forwarding path; the library's default stays YARP's forwarder for every request.
        builder.Services.Configure<Ringway.LoadBalancing.AspNetCore.ConsistentHashBalancerOptions>(
            o => o.Forwarding.Forwarder = Ringway.LoadBalancing.AspNetCore.ReplicaForwarder.Http1);
    }
}
