using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests;

public sealed class ConsistentHashHolderTests
{
    [Theory]
    [InlineData(ConsistentHashAlgorithm.Ring)]
    [InlineData(ConsistentHashAlgorithm.Maglev)]
    [InlineData(ConsistentHashAlgorithm.Rendezvous)]
    [InlineData(ConsistentHashAlgorithm.Jump)]
    [InlineData(ConsistentHashAlgorithm.Classic)]
    public async Task Current_ReadersWhileWriterSwaps_EveryReadSeesOneConsistentSnapshot(ConsistentHashAlgorithm algorithm)
    {
        var holder = new ConsistentHashHolder<string>(ConsistentHash.Create(algorithm, Build.Nodes(5)));
        var keys = Build.RandomKeys(256, 11);
        const int swaps = 300;
        int writerDone = 0;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();

        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            var top = new string[3];
            long reads = 0;
            while (Volatile.Read(ref writerDone) == 0 || reads < 1000)
            {
                var snapshot = holder.Current!;
                string key = keys[reads++ % keys.Length];
                string node = snapshot.GetNode(key);
                int written = snapshot.GetNodes(key, top);

                // Everything read from one snapshot agrees with itself, whatever the writer does meanwhile.
                if (node != top[0] || node != snapshot.Nodes[snapshot.GetNodeIndex(key)].Value || written != Math.Min(3, snapshot.Count) || !snapshot.Nodes.Any(n => n.Value == node))
                {
                    errors.Enqueue($"reader {r}: inconsistent answer for '{key}' on a snapshot of {snapshot.Count} nodes");
                }
            }
        })).ToArray();

        var writer = Task.Run(() =>
        {
            for (int i = 0; i < swaps; i++)
            {
                // Grow to 8 nodes, then shrink back from the end (Jump removes its last bucket cleanly).
                holder.Update(current => current!.Count < 8
                    ? current.Add(new HashNode<string>($"extra-{i}", $"extra-{i}"))
                    : current.Remove(current.Nodes[^1].Id));
            }

            Volatile.Write(ref writerDone, 1);
        });

        await Task.WhenAll([writer, .. readers]);
        Assert.Empty(errors);
        Assert.InRange(holder.Current!.Count, 5, 8);
    }

    [Fact]
    public void Update_ConcurrentWriters_NoUpdateIsLost()
    {
        var holder = new ConsistentHashHolder<string>(ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, Build.Nodes(1)));
        Parallel.For(0, 40, i => holder.Update(current => current!.Add(new HashNode<string>($"w-{i}", $"w-{i}"))));
        Assert.Equal(41, holder.Current!.Count);
    }

    [Fact]
    public void Set_Null_CurrentIsNull()
    {
        var holder = new ConsistentHashHolder<string>(ConsistentHash.Create(ConsistentHashAlgorithm.Ring, Build.Nodes(2)));
        holder.Set(null);
        Assert.Null(holder.Current);
        Assert.Throws<ArgumentNullException>(() => holder.Update(null!));
    }
}
