namespace Ringway.Dashboard.Tests.Infrastructure;

/// <summary>
/// A test that needs the Debian chromium and chromedriver. Skipped, with the reason, when either is missing, unless
/// RINGWAY_REQUIRE_BROWSER=1 (CI, after .ci/browser-setup.sh), which makes the test run and fail instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        Skip = Browser.Requirement.SkipReason;
    }
}
