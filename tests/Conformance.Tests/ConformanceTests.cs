using Ringway.Conformance.Tests.Cases;
using Ringway.Conformance.Tests.Infrastructure;

namespace Ringway.Conformance.Tests;

/// <summary>
/// Every case of <see cref="AllCases"/> sent to httpbin directly, through nginx, and through the balancer with each
/// forwarder: the two forwarders answer alike, and as nginx does unless the case explains why not (docs/conformance.md).
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class ConformanceTests(ConformanceFixture fixture)
{
    public static TheoryData<string> Cases => [.. AllCases.List.Select(c => c.ToString())];

    [ConformanceTheory]
    [MemberData(nameof(Cases))]
    public async Task Case_ThroughBothForwarders_AnswersAsNginxOrAsExplained(string name)
    {
        var conformanceCase = AllCases.List.Single(c => c.ToString() == name);
        var stack = conformanceCase.Malformed ? fixture.Malformed : fixture.Main;
        var observed = new Dictionary<string, Observation>();
        foreach (var target in stack.All)
        {
            using var probe = new Probe(target, stack, fixture.App, fixture.MalformedReplicas);
            observed[target.Name] = await conformanceCase.Observe(probe);
        }

        fixture.Matrix.Record(conformanceCase, observed);
        var all = string.Join("\n", observed.Select(o => $"  {o.Key}: {o.Value}"));
        Assert.True(observed["Yarp"].Answer == observed["Http1"].Answer, $"The forwarders answer differently:\n{all}");
        if (conformanceCase.NginxDifference is null)
        {
            Assert.True(observed["Yarp"].Answer == observed["nginx"].Answer, $"Ringway answers differently from nginx:\n{all}");
        }
        else
        {
            Assert.True(observed["Yarp"].Answer != observed["nginx"].Answer, $"Ringway now answers as nginx does; drop the documented difference ({conformanceCase.NginxDifference}):\n{all}");
        }

        if (conformanceCase.RingwayBody is { } body)
        {
            Assert.True(observed["Yarp"].Body == body && observed["Http1"].Body == body, $"Ringway's body should be {body}:\n{all}");
        }
    }
}
