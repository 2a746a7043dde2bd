using Ringway.TestSupport.Waiting;

namespace Ringway.TestSupport.Processes;

/// <summary>
/// Marks the processes one test starts with a unique environment variable, and kills, by id, every process that carries
/// it when the test ends, whatever happened; children inherit the variable, so the whole tree is found.
/// </summary>
public sealed class ChildProcessGuard : IDisposable
{
    public const string Variable = "RINGWAY_TEST_MARKER";

    public string Marker { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The processes of this test that still run.</summary>
    public IReadOnlyList<int> Running() => ProcessTable.WithEnvironment(Variable, Marker);

    /// <summary>Waits until none of this test's processes runs (a look at /proc every 100 ms); false when some still run after <paramref name="within"/>.</summary>
    public Task<bool> NoneRunningAsync(TimeSpan within) => Eventually.TrueAsync(() => Running().Count == 0, within, pollMilliseconds: 100);

    public void Dispose()
    {
        // Twice: a process may fork while the first sweep runs.
        for (var sweep = 0; sweep < 2; sweep++)
        {
            foreach (var processId in Running())
            {
                ProcessTable.Signal(processId, ProcessTable.SigKill);
            }
        }
    }
}
