using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Ringway.TestSupport;
using Ringway.TestSupport.Processes;

namespace Ringway.Dashboard.Tests.Infrastructure;

/// <summary>
/// Headless chromium from the Debian package, driven through its chromedriver: both found at fixed paths, so Selenium
/// Manager never looks for (or downloads) a browser. Each instance has its own profile directory, which also marks
/// its processes: disposing quits the browser and then kills whatever still runs with that directory.
/// </summary>
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ChromedriverPath = "/usr/bin/chromedriver";

    private readonly string _profile;

    private Browser(ChromeDriver driver, string profile)
    {
        Driver = driver;
        _profile = profile;
    }

    /// <summary>Chromium and its driver; RINGWAY_REQUIRE_BROWSER=1 makes a missing one fail the tests instead of skipping them.</summary>
    public static MachineRequirement Requirement { get; } = new("RINGWAY_REQUIRE_BROWSER", () => File.Exists(ChromiumPath) && File.Exists(ChromedriverPath)
        ? null
        : $"{ChromiumPath} or {ChromedriverPath} is missing: run .ci/browser-setup.sh (apt-get install chromium chromium-driver)");

    public ChromeDriver Driver { get; }

    public static Browser Start()
    {
        // Selenium Manager is asked nothing (both paths are given); offline mode makes sure it would not download either.
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true");
        var profile = Path.Combine(Path.GetTempPath(), "ringway-chromium-" + Guid.NewGuid().ToString("N"));
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromedriverPath)!, Path.GetFileName(ChromedriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-default-apps", "--disable-sync",
            "--disable-extensions", "--no-first-run", "--no-default-browser-check", "--metrics-recording-only",
            "--window-size=1280,1000", "--user-data-dir=" + profile);
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
        driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
        return new Browser(driver, profile);
    }

    public void Dispose()
    {
        try
        {
            Driver.Quit();
        }
        finally
        {
            Driver.Dispose();
            foreach (var id in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName))
            {
                if (int.TryParse(id, out var pid) && ProcessTable.CommandLineOf(pid) is { } arguments
                    && arguments.Any(a => a.Contains(_profile, StringComparison.Ordinal)))
                {
                    ProcessTable.Signal(pid, 9);
                }
            }

            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // A process that was just killed may still hold a file; the name is unique, nothing reuses it.
            }
        }
    }
}
