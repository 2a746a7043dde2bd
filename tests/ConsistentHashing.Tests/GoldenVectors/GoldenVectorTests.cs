using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ringway.ConsistentHashing.Algorithms;

namespace Ringway.ConsistentHashing.Tests.GoldenVectors;

/// <summary>
/// Guards the stable hashing promise: golden.json (checked in) records, for fixed node sets, which node every
/// algorithm picks for fixed keys, and the first three of the preference order. Any change to hashing, point
/// naming, table population or scoring changes the file and fails this test. To accept an intended change,
/// run once with REGENERATE_GOLDEN=1 and review the diff.
/// </summary>
public sealed class GoldenVectorTests
{
    private static readonly string[] StringKeys =
    [
        "", "a", "b", "user-1", "user-2", "user-3", "session=0b7c1f", "/home", "/api/v1/orders/42", "192.168.1.10",
        "123456", "000001", "18446744073709551615", "Grüße", "雪の日", "emoji 😀", "key with spaces", "UPPER-lower-123",
        "0123456789abcdef", new string('x', 200),
    ];

    private static readonly ulong[] NumericKeys = [0, 1, 2, 3, 42, 123456, 999999, 1UL << 32, ulong.MaxValue];

    private static IEnumerable<(string Name, ConsistentHashAlgorithm Algorithm, HashNode<string>[] Nodes, ConsistentHashOptions Options)> Cases()
    {
        var three = new[] { "Server 1", "Server 2", "Server 3" }.Select(id => new HashNode<string>(id, id)).ToArray();
        var ten = Enumerable.Range(1, 10).Select(i => new HashNode<string>($"node-{i}", $"node-{i}")).ToArray();
        var weighted = new[] { new HashNode<string>("small", "small", 1), new HashNode<string>("medium", "medium", 2), new HashNode<string>("large", "large", 5) };
        foreach (var algorithm in Enum.GetValues<ConsistentHashAlgorithm>())
        {
            yield return ($"{algorithm}/3 servers", algorithm, three, ConsistentHashOptions.Default);
            yield return ($"{algorithm}/10 nodes", algorithm, ten, ConsistentHashOptions.Default);
            if (algorithm is ConsistentHashAlgorithm.Ring or ConsistentHashAlgorithm.Maglev or ConsistentHashAlgorithm.Rendezvous)
            {
                yield return ($"{algorithm}/weighted 1:2:5", algorithm, weighted, ConsistentHashOptions.Default);
            }
        }

        yield return ("Maglev/10 nodes, table 1009", ConsistentHashAlgorithm.Maglev, ten, new ConsistentHashOptions { MaglevTableSize = 1009 });
        yield return ("Ring/10 nodes, 40 points", ConsistentHashAlgorithm.Ring, ten, new ConsistentHashOptions { PointsPerWeight = 40 });
        yield return ("Classic/10 nodes, quadratic", ConsistentHashAlgorithm.Classic, ten, new ConsistentHashOptions { ClassicProbing = ClassicProbing.Quadratic });
    }

    /// <summary>The vectors as the current code computes them, serialized deterministically.</summary>
    internal static string Generate()
    {
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, options))
        {
            json.WriteStartObject();
            json.WriteString("description", "Ringway.ConsistentHashing golden vectors: key -> node id and the first 3 of the preference order. See docs/hashing.md.");
            json.WriteStartArray("cases");
            foreach (var (name, algorithm, nodes, hashOptions) in Cases())
            {
                var hash = (ConsistentHashBase<string>)ConsistentHash.Create(algorithm, nodes, hashOptions);
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("algorithm", algorithm.ToString());
                json.WriteStartArray("nodes");
                foreach (var node in nodes)
                {
                    json.WriteStringValue(node.Weight == 1 ? node.Id : $"{node.Id} (weight {node.Weight})");
                }

                json.WriteEndArray();
                json.WriteStartObject("stringKeys");
                var top = new string[3];
                foreach (var key in StringKeys)
                {
                    int written = hash.GetNodes(key, top);
                    json.WriteString(key, string.Join(" > ", top.Take(written)));
                }

                json.WriteEndObject();
                json.WriteStartObject("numericKeys");
                var indexes = new int[3];
                foreach (var key in NumericKeys)
                {
                    int written = hash.GetNodeIndexes(key, indexes);
                    json.WriteString(key.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(" > ", indexes.Take(written).Select(i => nodes[i].Id)));
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    [Fact]
    public void Generate_CurrentCode_MatchesCheckedInGoldenVectorsByteForByte()
    {
        string current = Generate();
        if (Environment.GetEnvironmentVariable("REGENERATE_GOLDEN") == "1")
        {
            File.WriteAllText(SourcePath(), current, new UTF8Encoding(false));
        }

        string path = Path.Combine(AppContext.BaseDirectory, "GoldenVectors", "golden.json");
        Assert.True(File.Exists(path), $"{path} is missing: run the tests once with REGENERATE_GOLDEN=1 and check the file in.");
        byte[] expected = File.ReadAllBytes(path);
        Assert.True(expected.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(current)), "The key -> node mapping changed. That breaks the stable hashing promise; if it is intended, regenerate with REGENERATE_GOLDEN=1 and review the diff.");
    }

    [Fact]
    public void Generate_GetNodeFirstEntries_AgreeWithSingleLookups()
    {
        foreach (var (_, algorithm, nodes, options) in Cases())
        {
            var hash = ConsistentHash.Create(algorithm, nodes, options);
            var top = new string[3];
            foreach (var key in StringKeys)
            {
                hash.GetNodes(key, top);
                Assert.Equal(hash.GetNode(key), top[0]);
            }
        }
    }

    private static string SourcePath([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "golden.json");
}
