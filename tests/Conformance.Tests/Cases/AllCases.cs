using Ringway.Conformance.Tests.Infrastructure;

namespace Ringway.Conformance.Tests.Cases;

/// <summary>Every case of the suite, in the order of the matrix in docs/conformance.md.</summary>
internal static class AllCases
{
    public static IReadOnlyList<ConformanceCase> List { get; } =
    [
        .. MessageCases.All,
        .. SemanticsCases.All,
        .. TargetCases.All,
        .. HeaderCases.All,
        .. FramingCases.All,
        .. MalformedResponseCases.All,
    ];
}
