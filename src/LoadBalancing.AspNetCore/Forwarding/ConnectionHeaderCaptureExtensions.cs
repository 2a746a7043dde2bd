using System.IO.Pipelines;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Ringway.LoadBalancing.AspNetCore.Forwarding;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Kestrel endpoint settings for a consistent-hash balancer.</summary>
public static class ConnectionHeaderCaptureExtensions
{
    /// <summary>
    /// Keeps every name a client lists in its <c>Connection</c> header, so the balancer removes those headers before
    /// forwarding (RFC 9110 7.6.1). Without it Kestrel reduces a value such as <c>keep-alive, X-Hop</c> to
    /// <c>keep-alive</c> before any middleware runs, and <c>X-Hop</c> reaches the replica. Call it on every endpoint, for
    /// example <c>builder.WebHost.ConfigureKestrel(k =&gt; k.ConfigureEndpointDefaults(l =&gt; l.UseConnectionHeaderCapture()))</c>;
    /// on an HTTPS endpoint, after <c>UseHttps()</c>. It reads the bytes Kestrel reads and adds no copy of the stream.
    /// Off unless called.
    /// </summary>
    /// <param name="listenOptions">The endpoint.</param>
    /// <returns>The endpoint, for chaining.</returns>
    public static ListenOptions UseConnectionHeaderCapture(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        listenOptions.Use(next => async connection =>
        {
            var transport = connection.Transport;
            var capture = new ConnectionHeaderCapture(transport.Input);
            connection.Features.Set(capture);
            connection.Transport = new CapturedPipe(capture, transport.Output);
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                connection.Transport = transport;
            }
        });
        return listenOptions;
    }

    private sealed class CapturedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
