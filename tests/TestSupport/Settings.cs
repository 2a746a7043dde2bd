using System.Globalization;

namespace Ringway.TestSupport;

/// <summary>Knobs for the long runs (scripts/chaos.sh, scripts/fuzz.sh); the defaults are the short CI versions.</summary>
public static class Settings
{
    public static int Int(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>Appends a line to RINGWAY_RESULTS_FILE when set, so a script can print the figures of a run.</summary>
    public static void Record(string line)
    {
        var file = Environment.GetEnvironmentVariable("RINGWAY_RESULTS_FILE");
        if (!string.IsNullOrEmpty(file))
        {
            File.AppendAllText(file, line + Environment.NewLine);
        }
    }
}
