using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ringway.LoadBalancing.AspNetCore.Admin;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Admin;

public sealed class ReplicaAdminEndpointsTests
{
    [Theory]
    [InlineData("""{"n": 2, "hostnames": ["S5", "S4"]}""", 2, "S5,S4")]
    [InlineData("""{"n": 3}""", 3, "")]
    [InlineData("""{"n": 1, "hostnames": null}""", 1, "")]
    [InlineData("""{"hostnames": [], "n": 64, "extra": true}""", 64, "")]
    [InlineData("""{"n": 1, "hostnames": ["a.b-c_d 9"]}""", 1, "a.b-c_d 9")]
    public void Parse_ValidBody_Accepted(string body, int n, string hostnames)
    {
        var (request, error) = ReplicaAdminEndpoints.Parse(Encoding.UTF8.GetBytes(body), 64, add: true);
        Assert.Null(error);
        Assert.Equal(n, request.N);
        Assert.Equal(hostnames, string.Join(",", request.Hostnames));
    }

    [Theory]
    [InlineData("""{"n": 1, "hostnames": ["S5", "S4"]}""", true, "Length of hostname list is more than newly added instances")]
    [InlineData("""{"n": 1, "hostnames": ["S5", "S4"]}""", false, "Length of hostname list is more than removable instances")]
    [InlineData("""{"n": 0}""", true, "'n' must be a whole number from 1 to 64")]
    [InlineData("""{"n": 65}""", true, "'n' must be a whole number from 1 to 64")]
    [InlineData("""{"n": 1.5}""", true, "'n' must be a whole number from 1 to 64")]
    [InlineData("""{"n": "2"}""", true, "'n' must be a whole number from 1 to 64")]
    [InlineData("""{"n": -1}""", false, "'n' must be a whole number from 1 to 64")]
    [InlineData("""{"hostnames": ["a"]}""", true, "'n' is missing")]
    [InlineData("""{"n": 1, "hostnames": "a"}""", true, "'hostnames' must be a list of strings")]
    [InlineData("""{"n": 2, "hostnames": ["a", 3]}""", true, "'hostnames' must be a list of strings")]
    [InlineData("""{"n": 2, "hostnames": ["a", "a"]}""", true, "Hostname 'a' appears more than once")]
    [InlineData("""{"n": 1, "hostnames": ["a/b"]}""", true, "Hostname 'a/b' is invalid: use 1 to 63 letters, digits, spaces, '-', '_' or '.'")]
    [InlineData("""{"n": 1, "hostnames": [""]}""", true, "Hostname '' is invalid: use 1 to 63 letters, digits, spaces, '-', '_' or '.'")]
    [InlineData("""[1, 2]""", true, "Request body must be a JSON object like {\"n\": 1, \"hostnames\": [\"S1\"]}")]
    [InlineData("""{"n": 1""", true, "Request body is not valid JSON")]
    [InlineData("""not json""", true, "Request body is not valid JSON")]
    public void Parse_InvalidBody_ErrorMessage(string body, bool add, string expected)
    {
        var (_, error) = ReplicaAdminEndpoints.Parse(Encoding.UTF8.GetBytes(body), 64, add);
        Assert.Equal(expected, error);
    }

    [Property]
    public bool IsValidHostname_MatchesCharsetAndLength(string? candidate)
    {
        var value = candidate ?? "";
        var expected = value.Length is >= 1 and <= 63 && value.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or ' ' or '-' or '_' or '.');
        return ReplicaAdminEndpoints.IsValidHostname(value) == expected;
    }

    [Property]
    public bool Parse_AnyN_AcceptedExactlyFrom1ToMax(int n, PositiveInt max)
    {
        var (_, error) = ReplicaAdminEndpoints.Parse(Encoding.UTF8.GetBytes($$"""{"n": {{n}}}"""), max.Get, add: false);
        return (error is null) == (n >= 1 && n <= max.Get);
    }
}
