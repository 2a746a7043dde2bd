using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// The YARP path's request and response transforms: YARP's copy of the headers, corrected by
/// <see cref="ForwardingHeaderPolicy"/> (the rules the lean path follows too), the client's raw request target
/// (<see cref="RequestTarget"/>), and the 404 -> 400 answer when
/// <see cref="ForwardingOptions.NotFoundAsBadRequest"/> is on. A load report addressed to the balancer
/// (<see cref="ReplicaLoadReports"/>) is handed to it and not passed on.
/// </summary>
internal sealed class ForwardingTransformer : HttpTransformer
{
    private readonly ForwardingHeaderPolicy _headers;
    private readonly bool _notFoundAsBadRequest;
    private readonly ReplicaLoadReports? _loadReports;

    public ForwardingTransformer(ForwardingHeaderPolicy headers, IOptions<ConsistentHashBalancerOptions> options, ReplicaLoadReports? loadReports = null)
    {
        _headers = headers;
        _loadReports = loadReports is { Enabled: true } ? loadReports : null;
        _notFoundAsBadRequest = options.Value.Forwarding.NotFoundAsBadRequest;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var sink = new ProxyRequestHeaders(proxyRequest);
        _headers.ApplyToRequest(httpContext, ref sink);
        // The client's raw target, as the lean path sends it; without one, YARP builds the URI from the decoded path.
        proxyRequest.RequestUri = RequestTarget.RawUri(httpContext, destinationPrefix);
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (_loadReports is not null && proxyResponse is not null)
        {
            TakeLoadReport(httpContext, proxyResponse, _loadReports);
        }

        if (_notFoundAsBadRequest && proxyResponse?.StatusCode == HttpStatusCode.NotFound)
        {
            return WriteNotFoundAsync(httpContext, cancellationToken);
        }

        // YARP's copy is synchronous; the headers it must not have copied are removed after it.
        var copy = base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (!copy.IsCompletedSuccessfully)
        {
            return RemoveAfterAsync(copy, httpContext, proxyResponse!);
        }

        if (copy.Result)
        {
            RemoveHopByHop(httpContext.Response.Headers, proxyResponse!);
        }

        return copy;
    }

    private static async ValueTask<bool> RemoveAfterAsync(ValueTask<bool> copy, HttpContext httpContext, HttpResponseMessage proxyResponse)
    {
        var copied = await copy.ConfigureAwait(false);
        if (copied)
        {
            RemoveHopByHop(httpContext.Response.Headers, proxyResponse);
        }

        return copied;
    }

    /// <summary>Takes out the replica's headers that <see cref="ForwardingHeaderPolicy"/> does not forward (those its Connection header names, Trailer).</summary>
    private static void RemoveHopByHop(IHeaderDictionary destination, HttpResponseMessage proxyResponse)
    {
        var connection = proxyResponse.Headers.NonValidated.TryGetValues("Connection", out var values) ? new StringValues([.. values]) : default;
        Remove(destination, proxyResponse.Headers, connection);
        if (proxyResponse.Content is { } content)
        {
            Remove(destination, content.Headers, connection);
        }

        static void Remove(IHeaderDictionary destination, HttpHeaders source, StringValues connection)
        {
            foreach (var header in source.NonValidated)
            {
                if (!ForwardingHeaderPolicy.ForwardsResponseHeader(header.Key, connection))
                {
                    destination.Remove(header.Key);
                }
            }
        }
    }

    /// <summary>
    /// Names the replica <paramref name="context"/>'s request is being sent to, for the response transform (its load
    /// report): YARP hands transforms the context, not the destination the forwarder chose. Nothing to do when load
    /// reports are off, which is the default: the request path then touches no feature.
    /// </summary>
    public void SendingTo(HttpContext context, ReplicaState replica)
    {
        if (_loadReports is not null)
        {
            context.Features.Set(replica);
        }
    }

    /// <summary>Hands the replica's load report to the balancer, and takes it out of what YARP copies to the client.</summary>
    private static void TakeLoadReport(HttpContext httpContext, HttpResponseMessage proxyResponse, ReplicaLoadReports reports)
    {
        if (proxyResponse.Headers.NonValidated.TryGetValues(ConsistentHashing.OrcaLoadReport.HeaderName, out var values))
        {
            if (httpContext.Features.Get<ReplicaState>() is { } replica)
            {
                foreach (var value in values)
                {
                    reports.Receive(replica, value);
                    break;
                }
            }

            proxyResponse.Headers.Remove(ConsistentHashing.OrcaLoadReport.HeaderName);
        }
    }

    private static async ValueTask<bool> WriteNotFoundAsync(HttpContext context, CancellationToken cancellationToken)
    {
        await JsonResponses.WriteNotFoundAsync(context, cancellationToken).ConfigureAwait(false);
        return false; // The replica's body is not copied.
    }

    /// <summary>
    /// The policy's decisions on the request YARP built: YARP copied every header outside its own hop-by-hop list (a
    /// subset of the policy's), so forwarded headers are there already, and dropped ones are taken out.
    /// </summary>
    private readonly struct ProxyRequestHeaders(HttpRequestMessage request) : IRequestHeaderSink
    {
        public void Forward(string name, StringValues values)
        {
        }

        public void Drop(string name)
        {
            // Looked up first: removing a content header (Content-Type...) from the request's own headers would throw.
            if (request.Headers.NonValidated.Contains(name))
            {
                request.Headers.Remove(name);
            }
            else if (request.Content?.Headers.NonValidated.Contains(name) == true)
            {
                request.Content.Headers.Remove(name);
            }
        }

        public void AddForwarded(string name, StringValues prior, IPAddress address) => AddForwarded(name, prior, address.ToString());

        public void AddForwarded(string name, StringValues prior, string value)
        {
            var joined = value;
            for (var i = prior.Count - 1; i >= 0; i--)
            {
                if (!string.IsNullOrEmpty(prior[i]))
                {
                    joined = prior[i] + ", " + joined;
                }
            }

            request.Headers.TryAddWithoutValidation(name, joined);
        }

        public void Add(string name, string value) => request.Headers.TryAddWithoutValidation(name, value);
    }
}
