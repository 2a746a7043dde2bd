using Microsoft.AspNetCore.Http;

namespace Ringway.LoadBalancing.AspNetCore.Observability;

/// <summary>
/// Values of OpenTelemetry's HTTP semantic conventions shared by the client span and the client metric, cached so that
/// recording them does not allocate: the method (known ones, or <c>_OTHER</c>), status codes as tag values.
/// </summary>
internal static class HttpClientSemantics
{
    private static readonly string[] KnownMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
    private static readonly object[] BoxedStatus = [.. Enumerable.Range(0, 600).Select(code => (object)code)];
    private static readonly string[] StatusTexts = [.. Enumerable.Range(0, 600).Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>
    /// <c>http.request.method</c>: the method when it is one of HTTP's (RFC 9110 and PATCH), else <c>_OTHER</c> with
    /// the original kept apart; the span is named after a known method, <c>HTTP</c> otherwise.
    /// </summary>
    public static (string Name, string SpanName, string? Original) Method(string method)
    {
        foreach (var known in KnownMethods)
        {
            if (string.Equals(known, method, StringComparison.Ordinal))
            {
                return (known, known, null);
            }
        }

        return ("_OTHER", "HTTP", method);
    }

    public static object Boxed(int statusCode) => (uint)statusCode < BoxedStatus.Length ? BoxedStatus[statusCode] : statusCode;

    /// <summary><c>error.type</c> for a response whose status is an error: the code as a string.</summary>
    public static string StatusText(int statusCode) => (uint)statusCode < StatusTexts.Length ? StatusTexts[statusCode] : statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
