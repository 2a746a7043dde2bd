using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// Holds back the stream reset YARP's forwarder sends when a replica fails after the response began, for gRPC calls over
/// HTTP/2: a reset reaches a gRPC client as CANCELLED or INTERNAL, while trailers with <c>grpc-status</c> UNAVAILABLE
/// (<see cref="GrpcResponses.EndWithUnavailableAsync"/>) tell it the truth, that the server went away. The balancer then
/// either ends the response with those trailers or, when it cannot, resets after all (<see cref="ResetNow"/>).
/// </summary>
internal sealed class GrpcResetDeferral(IHttpResetFeature inner) : IHttpResetFeature
{
    private int _errorCode = -1;

    /// <summary>Whether a reset was asked for and held back.</summary>
    public bool Deferred => _errorCode >= 0;

    /// <summary>Puts the deferral in front of the request's reset feature, for gRPC calls only; once per request.</summary>
    public static void DeferFor(HttpContext context)
    {
        if (context.Features.Get<IHttpResetFeature>() is { } reset and not GrpcResetDeferral && GrpcResponses.IsGrpc(context.Request))
        {
            context.Features.Set<IHttpResetFeature>(new GrpcResetDeferral(reset));
        }
    }

    public void Reset(int errorCode) => _errorCode = errorCode;

    /// <summary>Sends the reset that was held back.</summary>
    public void ResetNow()
    {
        if (Deferred)
        {
            inner.Reset(_errorCode);
        }
    }
}
