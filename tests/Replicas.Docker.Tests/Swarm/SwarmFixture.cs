namespace Ringway.Replicas.Docker.Tests.Swarm;

/// <summary>A one-node swarm for the Swarm tests: made when the engine is not in one, and left again afterwards.</summary>
public sealed class SwarmFixture : IAsyncLifetime
{
    private bool _created;
    private bool _hadGatewayBridge;

    public Task InitializeAsync()
    {
        if (DockerEnvironment.Requirement.Missing is null && Cli.Run("info", "--format", "{{.Swarm.LocalNodeState}}") != "active")
        {
            _hadGatewayBridge = Cli.TryRun(TimeSpan.FromSeconds(30), "network", "inspect", "docker_gwbridge").ExitCode == 0;
            Cli.Run("swarm", "init", "--advertise-addr", "127.0.0.1");
            _created = true;
        }
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        if (_created)
        {
            Cli.Run("swarm", "leave", "--force");
            // swarm init made the gateway bridge; leaving the swarm keeps it.
            if (!_hadGatewayBridge)
            {
                Cli.TryRun(TimeSpan.FromSeconds(30), "network", "rm", "docker_gwbridge");
            }
        }
        return Task.CompletedTask;
    }
}
