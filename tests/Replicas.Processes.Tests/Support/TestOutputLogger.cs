using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ringway.Replicas.Processes.Tests.Support;

/// <summary>Writes log messages to the test's output, so a failing test shows what the provider did.</summary>
internal sealed class TestOutputLogger<T>(ITestOutputHelper output) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{logLevel} {eventId.Id} {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
        }
        catch (InvalidOperationException)
        {
            // Output after the test ended (a child's last lines); nobody reads it any more.
        }
    }
}
