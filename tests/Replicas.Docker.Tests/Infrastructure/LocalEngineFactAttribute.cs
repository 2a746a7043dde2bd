namespace Ringway.Replicas.Docker.Tests;

/// <summary>
/// A test that stops and starts the engine: runs only where that is allowed (the engine was started by
/// .ci/docker-setup.sh on this machine, <see cref="LocalEngine.NotRestartable"/>). <c>noForeignSwarm</c> also skips
/// when the engine is in a swarm the tests did not make (live-restore is incompatible with swarm mode).
/// </summary>
public sealed class LocalEngineFactAttribute : FactAttribute
{
    public LocalEngineFactAttribute(bool noForeignSwarm = false)
    {
        if (DockerEnvironment.Requirement.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (LocalEngine.NotRestartable is { } notOurs)
        {
            Skip = notOurs;
        }
        else if (noForeignSwarm && DockerEnvironment.Requirement.Missing is null && LocalEngine.InSwarm)
        {
            Skip = "The engine is in a swarm that the tests did not make, and live-restore is incompatible with swarm mode.";
        }
    }
}
