using Microsoft.AspNetCore.Http;

namespace Ringway.LoadBalancing.AspNetCore.Dashboard;

/// <summary>The page, its script and its style sheet, embedded in the assembly: the dashboard works offline.</summary>
internal static class DashboardAssets
{
    // No inline script or style, nothing from elsewhere: even a name that slipped past escaping could not run.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    public static readonly Asset Page = Load("index.html", "text/html; charset=utf-8");
    public static readonly Asset Script = Load("dashboard.js", "text/javascript; charset=utf-8");
    public static readonly Asset Style = Load("dashboard.css", "text/css; charset=utf-8");

    public static Task WriteAsync(HttpContext context, Asset asset)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Content.Length;
        return context.Response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("Ringway.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard asset '{name}' is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new Asset(copy.ToArray(), contentType);
    }

    internal sealed record Asset(byte[] Content, string ContentType);
}
