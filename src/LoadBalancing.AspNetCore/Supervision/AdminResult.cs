namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>The answer to an /add or /rm command: the replicas after it, or an error with its status code.</summary>
internal sealed record AdminResult(int StatusCode, string? Error, IReadOnlyList<string> Hostnames)
{
    public static AdminResult Ok(IReadOnlyList<string> hostnames) => new(200, null, hostnames);

    public static AdminResult Fail(int statusCode, string error, IReadOnlyList<string> hostnames) => new(statusCode, error, hostnames);
}
