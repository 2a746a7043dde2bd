using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;

/// <summary>
/// Makes one forwarder the default of every balancer this test assembly starts, without touching the tests:
/// <c>RINGWAY_TEST_FORWARDER=Yarp dotnet test tests/LoadBalancing.AspNetCore.Tests</c> (the library's default is the lean
/// path). Tests that choose a forwarder keep their choice. Hosts announce themselves on
/// the "Microsoft.Extensions.Hosting" diagnostic listener just before they are built (the hook WebApplicationFactory
/// uses); this puts a configure action of the forwarder first there. Without the variable nothing subscribes.
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
                // First of the options' configure actions: it replaces the library's default, and a test that picks a
                // forwarder itself (the theories over both, the lean path's own tests) still gets the one it picked.
                builder.ConfigureServices(services => services.Insert(0, ServiceDescriptor.Singleton<IConfigureOptions<ConsistentHashBalancerOptions>>(
                    new ConfigureOptions<ConsistentHashBalancerOptions>(o => o.Forwarding.Forwarder = forwarder))));
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
