using System.Globalization;
using Dissect.Reporting;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Reporting;

/// <summary>Page 1's small charts, against tshark's own count of the capture's bytes.</summary>
public class CoverTests(CallModels calls) : IClassFixture<CallModels>
{
    [CorpusFact]
    public void The_cover_charts_add_up_to_every_byte_tshark_reads_in_the_capture()
    {
        var model = calls.Get(CallModels.Seed);
        var group = Assert.Single(ReportDocument.Build(model, new ReportOptions()).OfType<ChartGroup>());
        Assert.Equal(2, group.Charts.Count);
        var (rate, mix) = (group.Charts[0], group.Charts[1]);

        var r = TsharkCli.BareFields(Repo.CorpusFile(CallModels.Seed), "frame", ["frame.len"]);
        var bytes = r.Rows.Sum(x => long.Parse(x[0], CultureInfo.InvariantCulture));
        Assert.True(bytes > 100_000, $"{bytes} bytes");

        // Bytes by class: at most four bars, the smallest classes together, nothing lost.
        Assert.InRange(mix.Labels.Count, 2, 4);
        Assert.Equal(bytes, (long)Assert.Single(mix.Series).Values.Sum());
        var named = mix.Series[0].Values.Take(mix.Labels.Count - 1).ToList();
        Assert.Equal(named.OrderDescending(), named);

        // Throughput in kbit/s per bin: back to bytes, the same total.
        Assert.Equal("kbit/s", rate.YAxis);
        var bin = model.Traffic.BinSeconds;
        Assert.Equal(bytes, Assert.Single(rate.Series).Values.Sum(v => v * bin * 1000 / 8), 3);
    }
}
