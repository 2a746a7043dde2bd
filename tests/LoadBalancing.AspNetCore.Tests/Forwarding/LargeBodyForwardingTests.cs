using System.Net;
using System.Security.Cryptography;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;

/// <summary>
/// Counts every byte the process allocates while 128 MiB go through the balancer, so it runs alone: tests running beside
/// it (the parser's fuzz run, property tests) would be counted too.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class LargeBodyForwardingTests : BackendsPerTest
{
    public LargeBodyForwardingTests()
        : base("A", "B", "C")
    {
    }

    [Fact]
    public async Task Forward_LargeBodies_StreamedBothWaysWithBoundedMemory()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends);
        const int megabytes = 64;
        var chunk = TestBackend.Pattern(64 * 1024);
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < megabytes * 16; i++)
        {
            expected.AppendData(chunk);
        }

        var expectedHash = Convert.ToHexString(expected.GetHashAndReset());
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        using var upload = new HttpRequestMessage(HttpMethod.Post, "/sha") { Content = new PatternContent(chunk, megabytes * 16) };
        using var uploaded = await balancer.Client.SendAsync(upload);
        Assert.Equal($"{megabytes * 1024L * 1024}:{expectedHash}", await uploaded.Content.ReadAsStringAsync());

        using var download = await balancer.Client.GetAsync($"/download?mb={megabytes}", HttpCompletionOption.ResponseHeadersRead);
        await using (var stream = await download.Content.ReadAsStreamAsync())
        {
            using var actual = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                actual.AppendData(buffer, 0, read);
            }

            Assert.Equal(expectedHash, Convert.ToHexString(actual.GetHashAndReset()));
        }

        // 128 MiB went through client, balancer and backend in this process; buffering whole bodies anywhere would allocate at least 64 MiB.
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.True(allocated < 32L * 1024 * 1024, $"allocated {allocated / (1024 * 1024)} MiB");
    }

    /// <summary>Sends the same chunk <c>count</c> times without holding the whole body.</summary>
    private sealed class PatternContent(byte[] chunk, int count) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var i = 0; i < count; i++)
            {
                await stream.WriteAsync(chunk);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = (long)chunk.Length * count;
            return true;
        }
    }
}

/// <summary>Tests that measure the whole process's allocations: run after the others, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    public const string Name = "Process-wide allocation measurements";
}
