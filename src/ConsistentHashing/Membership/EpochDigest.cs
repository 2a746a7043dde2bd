using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Ringway.ConsistentHashing.Algorithms;

namespace Ringway.ConsistentHashing;

/// <summary>
/// Computes <see cref="MembershipEpoch"/>: xxHash3-64 (seed 0) over a canonical byte form of what placement depends on.
/// docs/hashing.md ("Membership epoch") has the layout; changing it changes every epoch, so it carries a version.
/// </summary>
internal static class EpochDigest
{
    private const string Version = "ringway-membership-v1";

    public static MembershipEpoch Compute<TNode>(ConsistentHashBase<TNode> snapshot)
    {
        var digest = new XxHash3(0);
        AppendText(digest, Version);
        AppendText(digest, snapshot.Algorithm.ToString());
        var parameters = Parameters(snapshot);
        AppendInt(digest, parameters.Length);
        foreach (string parameter in parameters)
        {
            AppendText(digest, parameter);
        }

        var nodes = snapshot.NodeArray;
        AppendInt(digest, nodes.Length);
        ReadOnlySpan<int> classicIds = snapshot is ClassicHash<TNode> classic ? classic.ServerIds : default;
        foreach (int i in PlacementOrder(snapshot))
        {
            byte[] id = Encoding.UTF8.GetBytes(nodes[i].Id);
            AppendInt(digest, id.Length);
            digest.Append(id);
            AppendInt(digest, nodes[i].Weight);
            if (!classicIds.IsEmpty)
            {
                AppendInt(digest, classicIds[i]);
            }
        }

        return new MembershipEpoch(digest.GetCurrentHashAsUInt64());
    }

    /// <summary>Only the parameters the algorithm reads, so an unrelated option does not change the epoch.</summary>
    private static string[] Parameters<TNode>(ConsistentHashBase<TNode> snapshot) => snapshot.Algorithm switch
    {
        ConsistentHashAlgorithm.Ring => ["points=" + snapshot.Options.PointsPerWeight.ToString(CultureInfo.InvariantCulture)],
        ConsistentHashAlgorithm.Maglev => ["table=" + snapshot.Options.MaglevTableSize.ToString(CultureInfo.InvariantCulture)],
        ConsistentHashAlgorithm.Classic => ["probing=" + snapshot.Options.ClassicProbing.ToString().ToLowerInvariant()],
        _ => [],
    };

    /// <summary>Node indexes by ordinal id; Jump keeps its bucket order, since a bucket is a position.</summary>
    private static int[] PlacementOrder<TNode>(ConsistentHashBase<TNode> snapshot)
    {
        var order = new int[snapshot.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[snapshot.Algorithm == ConsistentHashAlgorithm.Jump ? i : snapshot.IdRanks[i]] = i;
        }

        return order;
    }

    private static void AppendText(XxHash3 digest, string text)
    {
        digest.Append(Encoding.UTF8.GetBytes(text));
        digest.Append([0]);
    }

    private static void AppendInt(XxHash3 digest, int value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        digest.Append(bytes);
    }
}
