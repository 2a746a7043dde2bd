using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;

/// <summary>
/// Runs every balancer this test assembly starts with the lean HTTP/1.1 forwarder, without touching the tests:
/// <c>RINGWAY_TEST_FORWARDER=Http1 dotnet test tests/LoadBalancing.AspNetCore.Tests</c>. Hosts announce themselves on
/// the "Microsoft.Extensions.Hosting" diagnostic listener just before they are built (the hook WebApplicationFactory
/// uses); this adds a PostConfigure of the forwarder there. Without the variable nothing subscribes.
/// </summary>
internal static class Http1ForwarderSwitch
{
    public const string Variable = "RINGWAY_TEST_FORWARDER";

    public static ReplicaForwarder? Forced { get; } =
        Enum.TryParse<ReplicaForwarder>(Environment.GetEnvironmentVariable(Variable), ignoreCase: true, out var forced) ? forced : null;

    [ModuleInitializer]
    internal static void Initialize()
    {
        if (Forced is { } forwarder)
        {
            DiagnosticListener.AllListeners.Subscribe(new ListenerObserver(forwarder));
        }
    }

    private sealed class ListenerObserver(ReplicaForwarder forwarder) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == "Microsoft.Extensions.Hosting")
            {
                value.Subscribe(this);
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value is { Key: "HostBuilding", Value: IHostBuilder builder })
            {
                builder.ConfigureServices(services => services.PostConfigure<ConsistentHashBalancerOptions>(o => o.Forwarding.Forwarder = forwarder));
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
