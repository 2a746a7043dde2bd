using System.Text;
using Ringway.Conformance.Tests.Cases;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>Every case's answers per target, as the markdown table of docs/conformance.md.</summary>
internal sealed class Matrix
{
    private readonly Dictionary<string, (ConformanceCase Case, IReadOnlyDictionary<string, Observation> Observed)> _rows = [];

    public void Record(ConformanceCase conformanceCase, IReadOnlyDictionary<string, Observation> observed)
    {
        lock (_rows)
        {
            _rows[conformanceCase.ToString()] = (conformanceCase, observed);
        }
    }

    /// <summary>Whether Ringway's forwarders answered as nginx did, as the case says they should, or not.</summary>
    public static string Verdict(ConformanceCase conformanceCase, IReadOnlyDictionary<string, Observation> observed)
    {
        var nginx = observed["nginx"].Answer;
        var yarp = observed["Yarp"].Answer;
        var http1 = observed["Http1"].Answer;
        if (yarp != http1)
        {
            return "**forwarders differ**";
        }

        var body = conformanceCase.RingwayBody is { } expected && (observed["Yarp"].Body != expected || observed["Http1"].Body != expected)
            ? $"; **body not {expected}**"
            : "";
        return (conformanceCase.NginxDifference, yarp == nginx) switch
        {
            (null, true) => "same as nginx" + body,
            (null, false) => "**differs from nginx**" + body,
            (not null, false) => "differs from nginx, explained below" + body,
            (not null, true) => "**same as nginx, but a difference is documented**" + body,
        };
    }

    public string ToMarkdown()
    {
        var rows = AllCases.List.Where(c => _rows.ContainsKey(c.ToString())).Select(c => _rows[c.ToString()]).ToList();
        var text = new StringBuilder();
        text.AppendLine("| case | direct (httpbin) | nginx | Ringway, Yarp forwarder | Ringway, Http1 forwarder | verdict |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var (conformanceCase, observed) in rows)
        {
            text.AppendLine($"| `{conformanceCase}` | {Cell(observed["direct"])} | {Cell(observed["nginx"])} | {Cell(observed["Yarp"])} | {Cell(observed["Http1"])} | {Verdict(conformanceCase, observed)} |");
        }

        var explained = rows.Where(r => r.Case.NginxDifference is not null).ToList();
        if (explained.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Differences from nginx, and why:");
            text.AppendLine();
            foreach (var (conformanceCase, _) in explained)
            {
                text.AppendLine($"- `{conformanceCase}`: {conformanceCase.NginxDifference}");
            }
        }

        return text.ToString();
    }

    private static string Cell(Observation observation) => observation.ToString().Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
