namespace Ringway.TestSupport;

/// <summary>
/// The repository the tests were built from: the first folder above the test binaries that holds Ringway.slnx. Also
/// compiled into Packaging.Tests and Samples.Server.Tests as a linked file.
/// </summary>
public static class RepositoryRoot
{
    /// <summary>The repository's folder, or null when the binaries run outside it (copied elsewhere).</summary>
    public static string? Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ringway.slnx")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>The repository's folder; throws when the binaries run outside it.</summary>
    public static string Get() => Find() ?? throw new DirectoryNotFoundException($"No Ringway.slnx above {AppContext.BaseDirectory}.");
}
