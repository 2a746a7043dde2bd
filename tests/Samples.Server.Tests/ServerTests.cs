using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Ringway.TestSupport.Http;

namespace Ringway.Samples.Server.Tests;

/// <summary>The sample server keeps the contract of docs/contract.md ("Server replica").</summary>
public sealed class ServerTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("Server 1")]
    [InlineData("S5")]
    [InlineData("a-b_c.d")]
    public async Task Home_Get_Returns200WithGreetingNamingServerId(string serverId)
    {
        using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["SERVER_ID"] = serverId });

        using var response = await Http.GetAsync(new Uri(server.Address, "home"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        // Exactly {"message": "Hello from Server: <SERVER_ID>", "status": "successful"}, in this order.
        Assert.Equal(
            [("message", $"Hello from Server: {serverId}"), ("status", "successful")],
            body.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ToArray());
    }

    [Theory]
    [InlineData("heartbeat")]
    [InlineData("home")]
    [InlineData("missing")]
    public async Task AnyAnswer_ReportsRequestsInFlightAsOrcaText(string path)
    {
        using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["SERVER_ID"] = "S1" });

        using var response = await Http.GetAsync(new Uri(server.Address, path));

        // The request being answered is the only one in flight (docs/hashing.md, "Replica-reported load").
        Assert.Equal(["TEXT named_metrics.rif=1"], response.Headers.GetValues("endpoint-load-metrics"));
    }

    [Fact]
    public async Task Home_NoServerId_NamesTheMachine()
    {
        using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>());

        using var body = JsonDocument.Parse(await Http.GetStringAsync(new Uri(server.Address, "home")));

        Assert.Equal($"Hello from Server: {Environment.MachineName}", body.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Heartbeat_Get_Returns200WithEmptyBody()
    {
        using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["SERVER_ID"] = "hb" });

        using var response = await Http.GetAsync(new Uri(server.Address, "heartbeat"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task UnknownPath_Get_Returns404()
    {
        using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["SERVER_ID"] = "x" });

        foreach (var path in new[] { "", "other", "home/more", "heartbeats", "rep" })
        {
            using var response = await Http.GetAsync(new Uri(server.Address, path));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"/{path} answered {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Ws_WebSocketSession_EchoesAndAnswersWhoamiWithServerId()
    {
        using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["SERVER_ID"] = "ws 1" });
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/ws"), timeout.Token);
        var buffer = new byte[1024];
        foreach (var (sent, expected) in new[] { ("hello", "hello"), ("whoami", "ws 1"), ("whoami?", "whoami?") })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(sent), WebSocketMessageType.Text, true, timeout.Token);
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.Equal(expected, Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
        using var plain = await Http.GetAsync(new Uri(server.Address, "ws"));
        Assert.Equal(HttpStatusCode.NotFound, plain.StatusCode); // not an upgrade
    }

    [Fact]
    public async Task Port_FromPortEnvironmentVariable_IsListenedOn()
    {
        // StartAsync passes the port as PORT and waits until that port accepts connections.
        using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["SERVER_ID"] = "env" }, portArgument: false);

        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri(server.Address, "heartbeat"))).StatusCode);
    }

    [Fact]
    public async Task Port_FromPortArgument_WinsOverPortEnvironmentVariable()
    {
        // PORT names another free port: the server must listen on the --port one.
        var other = LoopbackPort.Free();
        using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["SERVER_ID"] = "arg", ["PORT"] = other.ToString(System.Globalization.CultureInfo.InvariantCulture) }, portArgument: true);

        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri(server.Address, "heartbeat"))).StatusCode);
        Assert.False(server.Process.HasExited);
    }

    [Fact]
    public async Task ParentWatch_ParentProcessEnds_ServerExits()
    {
        using var parent = StartSleeper();
        try
        {
            using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["SERVER_ID"] = "child", ["RINGWAY_PARENT_PID"] = parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri(server.Address, "heartbeat"))).StatusCode);

            parent.Kill();
            using var limit = new CancellationTokenSource(ExitLimit);
            await server.Process.WaitForExitAsync(limit.Token);

            Assert.Equal(0, server.Process.ExitCode); // a graceful stop, not a crash
        }
        finally
        {
            KillQuietly(parent);
        }
    }

    [Fact]
    public async Task ParentWatch_ParentGoneBeforeStart_ServerExits()
    {
        int goneId;
        using (var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            await gone.WaitForExitAsync();
            goneId = gone.Id;
        }

        using var server = ServerProcess.Start(
            new Dictionary<string, string?> { ["SERVER_ID"] = "orphan", ["RINGWAY_PARENT_PID"] = goneId.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            LoopbackPort.Free(),
            portArgument: false);
        using var limit = new CancellationTokenSource(ExitLimit);
        await server.Process.WaitForExitAsync(limit.Token);

        Assert.True(server.Process.HasExited);
    }

    private static Process StartSleeper() => Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Exited already.
        }
    }
}
