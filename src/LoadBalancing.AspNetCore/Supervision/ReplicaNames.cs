namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// Names for replicas the supervisor starts: <c>Server 1</c> to <c>Server N</c> for the initial ones, and <c>Server-</c>
/// plus six random letters or digits for any other replica started without a given name (replacements, /add, autoscaling),
/// so a replacement never takes the name of the replica it replaces.
/// </summary>
internal static class ReplicaNames
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>The first <paramref name="count"/> free names of the form <c>Server i</c>, from i = 1.</summary>
    public static List<string> Initial(int count, Func<string, bool> isTaken)
    {
        var names = new List<string>(count);
        for (var i = 1; names.Count < count; i++)
        {
            var name = $"Server {i}";
            if (!isTaken(name))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary><paramref name="given"/> names first, then random free ones until there are <paramref name="count"/>.</summary>
    public static List<string> Fill(IEnumerable<string> given, int count, Func<string, bool> isTaken, Random random)
    {
        var names = given.ToList();
        while (names.Count < count)
        {
            names.Add(NewRandom(names, isTaken, random));
        }

        return names;
    }

    private static string NewRandom(List<string> pending, Func<string, bool> isTaken, Random random)
    {
        while (true)
        {
            var name = string.Create(13, random, static (span, random) =>
            {
                "Server-".AsSpan().CopyTo(span);
                for (var i = 7; i < span.Length; i++)
                {
                    span[i] = Alphabet[random.Next(Alphabet.Length)];
                }
            });
            if (!isTaken(name) && !pending.Contains(name))
            {
                return name;
            }
        }
    }
}
