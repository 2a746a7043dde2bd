using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ringway.TestSupport.Logging;

/// <summary>
/// Sends log entries to the test's output, so a failing test shows what the balancer or a provider did; and, when
/// given a queue, keeps each entry's event id and text there for the test to check.
/// </summary>
public sealed class TestOutputLogger<T>(ITestOutputHelper output, ConcurrentQueue<(int EventId, string Message)>? entries = null) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        entries?.Enqueue((eventId.Id, message));
        try
        {
            output.WriteLine($"{logLevel} {eventId.Id}: {message}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }
}
