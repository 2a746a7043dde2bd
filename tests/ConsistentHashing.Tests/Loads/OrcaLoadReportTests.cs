using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Ringway.ConsistentHashing.Tests.Loads;

public sealed class OrcaLoadReportTests
{
    [Theory]
    [InlineData("TEXT cpu_utilization=0.7,application_utilization=0.8,mem_utilization=0.9,rps_fractional=1000,eps=2,named_metrics.foo=123,named_metrics.bar=0.2,utilization.total=0.5")]
    [InlineData("TEXT cpu_utilization:0.7,application_utilization:0.8,mem_utilization:0.9,rps_fractional:1000,eps:2,named_metrics.foo:123,named_metrics.bar:0.2,utilization.total:0.5")]
    [InlineData("TEXT  cpu_utilization = 0.7 , application_utilization=0.8,\tmem_utilization=0.9, rps_fractional=1e3, eps=2, named_metrics.foo=123, named_metrics.bar=.2, utilization.total=0.50")]
    public void TryParse_EveryFieldOfTheTextForm_IsRead(string value)
    {
        Assert.True(OrcaLoadReport.TryParse(value, out var report, out string? error), error);

        Assert.Equal(0.7, report.CpuUtilization);
        Assert.Equal(0.8, report.ApplicationUtilization);
        Assert.Equal(0.9, report.MemUtilization);
        Assert.Equal(1000, report.RpsFractional);
        Assert.Equal(2, report.Eps);
        Assert.Equal(new Dictionary<string, double> { ["foo"] = 123, ["bar"] = 0.2 }, report.NamedMetrics);
        Assert.Equal(new Dictionary<string, double> { ["total"] = 0.5 }, report.Utilization);
    }

    [Fact]
    public void TryParse_OnlyThePrefix_IsAnEmptyReport()
    {
        Assert.True(OrcaLoadReport.TryParse("TEXT ", out var report, out _));
        Assert.Null(report.CpuUtilization);
        Assert.Empty(report.NamedMetrics);
    }

    [Theory]
    [InlineData("", "format")]
    [InlineData("cpu_utilization=0.3", "format")]
    [InlineData("JSON {\"cpu_utilization\": 0.3}", "format 'JSON'")]
    [InlineData("BIN CQAAAAAAAOA/", "format 'BIN'")]
    [InlineData("TEXT cpu_utilization=0.3,", "empty")]
    [InlineData("TEXT cpu_utilization=0.3,,eps=1", "not name=value")]
    [InlineData("TEXT not-a-list-of-key-value-pairs", "not name=value")]
    [InlineData("TEXT unsupported_metric=0.8", "unknown metric 'unsupported_metric'")]
    [InlineData("TEXT =0.8", "name is empty")]
    [InlineData("TEXT named_metrics.=123", "unknown metric 'named_metrics.'")]
    [InlineData("TEXT utilization.=0.9", "unknown metric 'utilization.'")]
    [InlineData("TEXT cpu_utilization=0.7,cpu_utilization=0.8", "appears twice")]
    [InlineData("TEXT named_metrics.rif=1, named_metrics.rif = 2", "appears twice")]
    [InlineData("TEXT cpu_utilization=\"0.7\"", "finite number")]
    [InlineData("TEXT cpu_utilization=NaN", "finite number")]
    [InlineData("TEXT cpu_utilization=Infinity", "finite number")]
    [InlineData("TEXT cpu_utilization=-1", "finite number")]
    [InlineData("TEXT cpu_utilization=", "finite number")]
    [InlineData("TEXT cpu_utilization=0,7", "not name=value")]
    public void TryParse_Malformed_FailsAndSaysWhy(string value, string reason)
    {
        Assert.False(OrcaLoadReport.TryParse(value, out var report, out string? error));
        Assert.Null(report);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.False(OrcaLoadReport.TryReadMetric(value, "cpu_utilization", out _));
    }

    [Fact]
    public void TryParse_MoreThan32Metrics_Fails()
    {
        string value = "TEXT " + string.Join(',', Enumerable.Range(0, 33).Select(i => $"named_metrics.m{i}=1"));
        Assert.False(OrcaLoadReport.TryParse(value, out _, out string? error));
        Assert.Contains("more than 32", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadMetric_PresentAbsentOrMalformed()
    {
        const string value = "TEXT cpu_utilization=0.3, named_metrics.rif=12";
        Assert.True(OrcaLoadReport.TryReadMetric(value, "named_metrics.rif", out double rif));
        Assert.Equal(12, rif);
        Assert.True(OrcaLoadReport.TryReadMetric(value, "cpu_utilization", out double cpu));
        Assert.Equal(0.3, cpu);
        Assert.False(OrcaLoadReport.TryReadMetric(value, "eps", out _));
        Assert.False(OrcaLoadReport.TryReadMetric(value + ", bogus=1", "named_metrics.rif", out double none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void TryReadMetric_WellFormedValue_AllocatesNothing()
    {
        const string value = "TEXT cpu_utilization=0.3, rps_fractional=10, named_metrics.rif=12, utilization.gpu=0.5";
        OrcaLoadReport.TryReadMetric(value, "named_metrics.rif", out _); // JIT first
        long fewest = long.MaxValue;
        for (int attempt = 0; attempt < 3 && fewest > 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                OrcaLoadReport.TryReadMetric(value, "named_metrics.rif", out _);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
    }

    [Fact]
    public void ToString_FieldsInFixedOrderThenKeyedMetricsByKey()
    {
        var report = new OrcaLoadReport
        {
            Eps = 2,
            CpuUtilization = 0.3,
            NamedMetrics = new Dictionary<string, double> { ["rif"] = 12, ["foo"] = 1.5 },
            Utilization = new Dictionary<string, double> { ["gpu"] = 0.25 },
        };

        Assert.Equal("TEXT cpu_utilization=0.3, eps=2, utilization.gpu=0.25, named_metrics.foo=1.5, named_metrics.rif=12", report.ToString());
        Assert.Equal("TEXT ", new OrcaLoadReport().ToString());
    }

    [Property(MaxTest = 300)]
    public Property ToString_ThenTryParse_GivesTheSameReport()
    {
        var value = Gen.Choose(0, 1_000_000).Select(v => v / 1000.0);
        var optional = Gen.Frequency((1, Gen.Constant<double?>(null)), (2, value.Select(v => (double?)v)));
        var key = Gen.Elements("rif", "foo", "a.b", "x_y-z", "Q9").ArrayOf().Select(ks => ks.Distinct().ToArray());
        var map = key.SelectMany(ks => value.ArrayOf(ks.Length).Select(vs => (IReadOnlyDictionary<string, double>)ks.Zip(vs).ToDictionary(p => p.First, p => p.Second)));
        var reports =
            from cpu in optional
            from mem in optional
            from eps in optional
            from named in map
            from utilization in map
            select new OrcaLoadReport { CpuUtilization = cpu, MemUtilization = mem, Eps = eps, NamedMetrics = named, Utilization = utilization };

        return Prop.ForAll(reports.ToArbitrary(), report =>
        {
            Assert.True(OrcaLoadReport.TryParse(report.ToString(), out var parsed, out string? error), error);
            Assert.Equal(report.CpuUtilization, parsed.CpuUtilization);
            Assert.Equal(report.MemUtilization, parsed.MemUtilization);
            Assert.Equal(report.Eps, parsed.Eps);
            Assert.Equal(report.NamedMetrics.OrderBy(p => p.Key), parsed.NamedMetrics.OrderBy(p => p.Key));
            Assert.Equal(report.Utilization.OrderBy(p => p.Key), parsed.Utilization.OrderBy(p => p.Key));
        });
    }

    [Fact]
    public void Init_InvalidValuesOrKeys_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrcaLoadReport { CpuUtilization = -0.1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrcaLoadReport { Eps = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrcaLoadReport { NamedMetrics = new Dictionary<string, double> { ["rif"] = double.PositiveInfinity } });
        Assert.Throws<ArgumentException>(() => new OrcaLoadReport { NamedMetrics = new Dictionary<string, double> { ["has space"] = 1 } });
        Assert.Throws<ArgumentException>(() => new OrcaLoadReport { Utilization = new Dictionary<string, double> { [""] = 1 } });
        Assert.Throws<ArgumentException>(() => new OrcaLoadReport { NamedMetrics = new Dictionary<string, double> { ["a=b"] = 1 } });
    }
}
