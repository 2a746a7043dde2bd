using FsCheck;
using FsCheck.Fluent;

namespace Ringway.ConsistentHashing.Tests.Support;

/// <summary>1 to 50 distinct node ids (ASCII, spaces and non-ASCII characters included).</summary>
public sealed record NodeIds(string[] Ids)
{
    public HashNode<string>[] Nodes => Ids.Select(id => new HashNode<string>(id, id)).ToArray();

    public override string ToString() => $"[{Ids.Length}] " + string.Join(", ", Ids.Select(id => $"\"{id}\""));
}

/// <summary>Random string keys (0 to 40 characters; some longer than the stack buffer, some with surrogate pairs).</summary>
public sealed record Keys(string[] Values)
{
    public override string ToString() => $"[{Values.Length}] " + string.Join(", ", Values.Take(5).Select(k => $"\"{k}\"")) + (Values.Length > 5 ? ", ..." : "");
}

/// <summary>An algorithm of the package.</summary>
public sealed record AlgorithmCase(ConsistentHashAlgorithm Algorithm)
{
    public override string ToString() => Algorithm.ToString();
}

/// <summary>The FsCheck generators of the property tests.</summary>
public static class Generators
{
    private static readonly char[] IdChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_. é雪".ToCharArray();
    private static readonly string[] KeyPieces = ["a", "b", "z", "0", "7", "/", "?", " ", "é", "雪", "😀", "user-", "session=", "42"];

    public static Gen<string> Id { get; } =
        Gen.Choose(1, 12).SelectMany(length => Gen.Elements(IdChars).ArrayOf(length)).Select(chars => new string(chars));

    public static Gen<string> Key { get; } =
        Gen.Frequency(
            (9, Gen.Choose(0, 12).SelectMany(n => Gen.Elements(KeyPieces).ArrayOf(n)).Select(string.Concat)),
            (1, Gen.Choose(170, 400).Select(n => new string('k', n) + n.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    public static Arbitrary<NodeIds> NodeIdsArb() =>
        Gen.Choose(1, 50)
            .SelectMany(n => Id.ArrayOf(n))
            .Select(ids => new NodeIds(ids.Distinct(StringComparer.Ordinal).ToArray()))
            .ToArbitrary();

    public static Arbitrary<Keys> KeysArb() =>
        Gen.Choose(1, 60).SelectMany(n => Key.ArrayOf(n)).Select(keys => new Keys(keys)).ToArbitrary();

    public static Arbitrary<AlgorithmCase> AlgorithmArb() =>
        Gen.Elements(Enum.GetValues<ConsistentHashAlgorithm>()).Select(a => new AlgorithmCase(a)).ToArbitrary();
}

/// <summary>[Property] with the package's generators and a run count that keeps the suite fast.</summary>
public sealed class HashPropertyAttribute : FsCheck.Xunit.PropertyAttribute
{
    public HashPropertyAttribute()
    {
        Arbitrary = [typeof(Generators)];
        MaxTest = 100;
    }
}
