using System.Collections.ObjectModel;
using OpenQA.Selenium;
using Ringway.TestSupport.Samples;
using Ringway.TestSupport.Waiting;

namespace Ringway.Dashboard.Tests.Infrastructure;

/// <summary>
/// One sample host (three local process replicas, an admin API key) and one headless browser, shared by the browser
/// tests: each test leaves the host with three replicas again.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string ApiKey = "dashboard-test-key";

    public SampleHost Host { get; private set; } = null!;

    public Browser Browser { get; private set; } = null!;

    public IWebDriver Driver => Browser.Driver;

    /// <summary>The dashboard page's address.</summary>
    public Uri Page => new(Host.Address, "/ringway/");

    public async Task InitializeAsync()
    {
        if (Infrastructure.Browser.Requirement.SkipReason is not null)
        {
            return; // every test here is skipped
        }

        Host = await SampleHost.StartAsync("--Balancer:Admin:ApiKey=" + ApiKey);
        Host.Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        Browser = Infrastructure.Browser.Start();
    }

    public async Task DisposeAsync()
    {
        Browser?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }

    /// <summary>Opens the page; with <paramref name="apiKey"/> it is entered in the page's key form, as a person would.</summary>
    public async Task OpenAsync(string? apiKey = ApiKey)
    {
        // A loaded machine can keep the renderer from answering in chromedriver's time: such a navigation is tried again.
        await WaitUntilAsync(
            () =>
            {
                Driver.Navigate().GoToUrl(Page);
                Script("sessionStorage.clear()");
                Driver.Navigate().Refresh();
                return true;
            },
            "the page to load");
        await WaitUntilAsync(() => Driver.FindElement(By.Id("login")).Displayed, "the page to ask for the API key");
        if (apiKey is not null)
        {
            Driver.FindElement(By.Id("api-key")).SendKeys(apiKey);
            Driver.FindElement(By.CssSelector("#login-form button")).Click();
            await WaitUntilAsync(() => Rows().Count > 0, "the replica table to fill");
        }
    }

    /// <summary>The replica table as the page shows it: name, state, key share text, one entry per row.</summary>
    public IReadOnlyList<(string Name, string State, string Share)> Rows()
    {
        var rows = Script("return [...document.querySelectorAll('#replicas tr')].map(tr => [tr.dataset.name, tr.cells[3].textContent, tr.cells[8].textContent])");
        return [.. ((ReadOnlyCollection<object>)rows!).Cast<ReadOnlyCollection<object>>().Select(r => ((string)r[0], (string)r[1], (string)r[2]))];
    }

    /// <summary>The events list as shown, newest first: replica, kind and reason of each line, its text and its time.</summary>
    public IReadOnlyList<(string Replica, string Kind, string Reason, string Text, DateTimeOffset At)> Events()
    {
        var events = Script("return [...document.querySelectorAll('#events li')].map(li => [li.dataset.replica, li.dataset.kind, li.dataset.reason, li.textContent, li.dataset.at])");
        return [.. ((ReadOnlyCollection<object>)events!).Cast<ReadOnlyCollection<object>>()
            .Select(e => ((string)e[0], (string)e[1], (string)e[2], (string)e[3], DateTimeOffset.Parse((string)e[4], System.Globalization.CultureInfo.InvariantCulture)))];
    }

    /// <summary>The key box's preference order as shown, read in one go (the page redraws it as it polls).</summary>
    public IReadOnlyList<string> KeyOrder()
        => [.. ((ReadOnlyCollection<object>)Script("return [...document.querySelectorAll('#key-order li')].map(li => li.textContent)")!).Cast<string>()];

    public object? Script(string script, params object[] arguments) => ((IJavaScriptExecutor)Driver).ExecuteScript(script, arguments);

    /// <summary>Clicks an element the page may be redrawing (its rows are redrawn as it polls): found and clicked again until it takes.</summary>
    public Task ClickAsync(By selector, string what)
        => WaitUntilAsync(
            () =>
            {
                Driver.FindElement(selector).Click();
                return true;
            },
            "a click on " + what);

    /// <summary>Waits for a condition on the page (a busy machine gets 20 s unless told otherwise); page churn counts as "not yet".</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var ok = await Eventually.TrueAsync(
            () =>
            {
                try
                {
                    return condition();
                }
                catch (WebDriverException)
                {
                    return false;
                }
                catch (InvalidCastException)
                {
                    return false;
                }
            },
            within ?? TimeSpan.FromSeconds(20),
            100);
        Assert.True(ok, $"Timed out waiting for {what}. Page text:\n{Safe(() => Driver.FindElement(By.TagName("body")).Text)}\nHost output:\n{Host.Output}");
    }

    private static string Safe(Func<string> read)
    {
        try
        {
            return read();
        }
        catch (WebDriverException e)
        {
            return e.Message;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
