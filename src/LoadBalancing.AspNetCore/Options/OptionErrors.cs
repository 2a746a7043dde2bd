using System.Globalization;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>Collects validation errors of one configuration section, each starting with the full key it is about.</summary>
internal sealed class OptionErrors
{
    private readonly List<string> _all;
    private readonly string _path;

    public OptionErrors(string path)
        : this([], path)
    {
    }

    private OptionErrors(List<string> all, string path)
    {
        _all = all;
        _path = path;
    }

    /// <summary>Every error collected so far, in this section and all others sharing its root.</summary>
    public IReadOnlyList<string> All => _all;

    public int Count => _all.Count;

    /// <summary>The errors of a sub-section, collected in the same list.</summary>
    public OptionErrors Section(string name) => new(_all, Key(name));

    /// <summary>The full configuration key of an option in this section.</summary>
    public string Key(string name) => _path.Length == 0 ? name : $"{_path}:{name}";

    public void Add(string name, string problem) => _all.Add($"{Key(name)} {problem}");

    public void Positive(string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            Add(name, $"must be positive, not {value.ToString("c", CultureInfo.InvariantCulture)}.");
        }
    }

    public void NotNegative(string name, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            Add(name, $"must not be negative, not {value.ToString("c", CultureInfo.InvariantCulture)}.");
        }
    }
}
