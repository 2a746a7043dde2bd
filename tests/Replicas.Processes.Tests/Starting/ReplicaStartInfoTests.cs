using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Ringway.Replicas.Processes.Tests.Starting;

/// <summary>What a replica's process is started with, before anything runs.</summary>
public sealed class ReplicaStartInfoTests
{
    [Fact]
    public void Create_Placeholders_ReplacedInArgumentsAndEnvironmentValues()
    {
        var options = new ProcessReplicaOptions { FileName = "server" };
        options.Arguments.Add("--urls");
        options.Arguments.Add("http://{host}:{port}");
        options.Arguments.Add("{id}");
        options.Environment["GREETING"] = "{id} on {host}:{port}";

        var startInfo = ReplicaStartInfo.Create(options, "127.0.0.2", useWatchdog: false, "Server 1", 5123);

        Assert.Equal("server", startInfo.FileName);
        Assert.Equal(["--urls", "http://127.0.0.2:5123", "Server 1"], startInfo.ArgumentList);
        Assert.Equal("Server 1 on 127.0.0.2:5123", startInfo.Environment["GREETING"]);
        Assert.False(startInfo.UseShellExecute);
        Assert.True(startInfo.RedirectStandardInput);
    }

    [Fact]
    public void Create_DefaultVariables_CarryPortHostnameAndBalancerProcessId()
    {
        var startInfo = ReplicaStartInfo.Create(new ProcessReplicaOptions { FileName = "server" }, "127.0.0.1", useWatchdog: false, "a", 5123);

        Assert.Equal("5123", startInfo.Environment["PORT"]);
        Assert.Equal("a", startInfo.Environment["SERVER_ID"]);
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), startInfo.Environment[ProcessReplicaOptions.ParentProcessIdVariable]);
    }

    [Fact]
    public void Create_OptionsEnvironment_AppliedLastAndNullRemovesInheritedVariable()
    {
        var options = new ProcessReplicaOptions { FileName = "server", PortEnvironmentVariable = "HTTP_PORT", IdEnvironmentVariable = null };
        options.Environment["HTTP_PORT"] = "8080";
        options.Environment["PATH"] = null;

        var startInfo = ReplicaStartInfo.Create(options, "127.0.0.1", useWatchdog: false, "a", 5123);

        Assert.Equal("8080", startInfo.Environment["HTTP_PORT"]);
        Assert.False(startInfo.Environment.ContainsKey("PATH"));
        Assert.Equal(Environment.GetEnvironmentVariable("SERVER_ID"), startInfo.Environment.TryGetValue("SERVER_ID", out var id) ? id : null);
    }

    [Fact]
    public void Create_WithWatchdog_RunsShWithGraceParentAndTheExpandedCommand()
    {
        var options = new ProcessReplicaOptions { FileName = "server", StopGracePeriod = TimeSpan.FromSeconds(2.5) };
        options.Arguments.Add("--port={port}");

        var startInfo = ReplicaStartInfo.Create(options, "127.0.0.1", useWatchdog: true, "a", 5123);

        Assert.Equal("/bin/sh", startInfo.FileName);
        Assert.Equal("-c", startInfo.ArgumentList[0]);
        Assert.Contains("exec \"$@\"", startInfo.ArgumentList[1], StringComparison.Ordinal);
        Assert.Equal(
            ["ringway-replica", "3", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "server", "--port=5123"],
            startInfo.ArgumentList.Skip(2));
    }

    [Property]
    public Property Create_AnyHostname_InsertedVerbatimEvenWhenItLooksLikeAPlaceholder(NonNull<string> hostname, PositiveInt port)
    {
        var options = new ProcessReplicaOptions { FileName = "server" };
        options.Arguments.Add("{id}");
        options.Arguments.Add("{port}");

        var startInfo = ReplicaStartInfo.Create(options, "127.0.0.1", useWatchdog: false, hostname.Get, port.Get);

        return startInfo.ArgumentList.SequenceEqual([hostname.Get, port.Get.ToString(CultureInfo.InvariantCulture)]).ToProperty();
    }
}
