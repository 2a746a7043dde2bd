// The sample load balancer (docs/contract.md): /rep /add /rm, and every other path routed by consistent hashing.
//   dotnet run --project samples/LoadBalancer                                   local Server processes (N = 3)
//   dotnet run --project samples/LoadBalancer -- --backends http://a,http://b   existing servers, not managed
// Listens on port 5000 unless --urls says otherwise; the live dashboard is at /ringway/ (Dashboard:Path, Dashboard:Enabled).
// Options: section "Balancer" (docs/configuration.md).
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.Samples.LoadBalancer;

// An option the balancer refuses ends the host with one line naming it and exit code 78 (InvalidConfiguration.cs).
try
{
    ProxyTuning.BeforeFirstSocket();
    var builder = WebApplication.CreateSlimBuilder(args);
    if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
    {
        builder.WebHost.UseUrls("http://0.0.0.0:5000");
    }

    // HTTPS endpoints from configuration (Kestrel:Endpoints:NAME:Url=https://..., Certificate:Path/Password): TLS ends here,
    // with HTTP/2 by ALPN. The slim builder leaves this out unless asked. An endpoint with Protocols=Http2 takes h2c with prior
    // knowledge (gRPC over cleartext); docs/configuration.md, "HTTP/2, gRPC and TLS".
    builder.WebHost.UseKestrelHttpsConfiguration();

    // Kestrel's limits, set deliberately (KestrelLimits.cs, docs/reliability.md) and changeable under Kestrel:Limits.
    KestrelLimits.Configure(builder);

    // Every name a client lists in its Connection header is kept, so those headers are not forwarded (docs/configuration.md).
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(endpoint => endpoint.UseConnectionHeaderCapture()));

    // Warnings and errors only, except the balancer's own membership messages: nothing is logged per request.
    builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Ringway", LogLevel.Information);

    // Inline socket continuations, the lean forwarding path, no per-request hosting log (ProxyTuning.cs, docs/benchmarks.md).
    ProxyTuning.Configure(builder);

    // The sample keeps the contract's 404 -> 400 mapping and keys requests by a header or ?key= (random id otherwise).
    builder.Services.Configure<ConsistentHashBalancerOptions>(o => o.Forwarding.NotFoundAsBadRequest = true);
    var balancer = builder.Services.AddConsistentHashBalancer(builder.Configuration.GetSection("Balancer"));
    builder.Services.PostConfigure<ConsistentHashBalancerOptions>(o =>
    {
        if (o.Keys.Sources.Count == 0)
        {
            o.Keys.Sources.Add("header:X-Ringway-Key");
            o.Keys.Sources.Add("query:key");
        }
    });

    var mode = SampleReplicas.Add(balancer, builder.Configuration);

    var app = builder.Build();
    app.MapReplicaAdmin().WithMetadata(KestrelLimits.AdminBodyLimit(app.Configuration));
    // The live dashboard (off with Dashboard:Enabled=false); its data needs Balancer:Admin:ApiKey when one is set.
    var dashboard = app.Configuration.GetValue("Dashboard:Enabled", true) ? app.Configuration["Dashboard:Path"] ?? "/ringway" : null;
    if (dashboard is not null)
    {
        app.MapBalancerDashboard(dashboard);
    }

    app.MapConsistentHashBalancer();
    app.Lifetime.ApplicationStarted.Register(() => StartupBanner.Print(app, mode, dashboard));
    app.Run();
    return 0;
}
catch (OptionsValidationException e)
{
    return InvalidConfiguration.Report(e);
}
