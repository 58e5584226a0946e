using System.Globalization;
using System.Text;
using System.Text.Json;
using Dissect.Analysis;
using Dissect.Capture.Fixtures;
using Dissect.Cli;
using Dissect.Reporting;
using Dissect.Reporting.Pdf;
using Dissect.Tests.Support;
using Dissect.Tshark;
using Xunit;

namespace Dissect.Tests.Cli;

/// <summary>Inputs that once exhausted memory or made reports without end (issue: hardening II).</summary>
public class BoundedResourceTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(2000)]
    [InlineData(212_000)]
    [InlineData(1e9)]
    public void A_chart_axis_has_a_few_round_steps_whatever_its_largest_value(double max)
    {
        var scale = AxisScale.For([max / 3, max]);
        Assert.InRange(scale.Ticks, 1, AxisScale.MaxTicks);
        Assert.True(scale.Maximum >= max, $"axis {scale.Maximum} below {max}");
        Assert.True(scale.Step >= 1, "counts never get a fractional step");
        var mantissa = scale.Step / Math.Pow(10, Math.Floor(Math.Log10(scale.Step)));
        Assert.True(Math.Round(mantissa, 6) is 1.0 or 2.0 or 5.0, $"step {scale.Step}");
    }

    [Fact]
    public void A_report_of_packets_sharing_one_timestamp_is_small_and_quick()
    {
        // Before: one y-axis label per unit, 54 s and 8 GB for 1,000 packets; OutOfMemory at 2,000.
        var dir = Repo.TempDir("sametime");
        var capture = Path.Combine(dir, "same.pcap");
        StressCapture.Write(capture, StressShape.SameTime, 2000);
        var (code, _, err) = DissectCli.Run("report", capture, "-o", dir, "--format", "pdf", "--timeout", "60");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.InRange(new FileInfo(Path.Combine(dir, "same.pdf")).Length, 1, 300_000);
    }

    [Fact]
    public void Stats_come_after_every_output_is_written_so_the_peak_includes_writing_them()
    {
        var dir = Repo.TempDir("stats");
        var demo = Path.Combine(Repo.Root, "samples", "demo.pcap");
        var report = DissectCli.Run("report", demo, "-o", dir, "--format", "pdf,json,md,html", "--stats");
        var lines = report.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Count(l => l.StartsWith("wrote ", StringComparison.Ordinal)));
        Assert.StartsWith("stats: ", lines[^1]);
        Assert.Matches(@"dissect_peak_mb=\d+", lines[^1]);
        var analyze = DissectCli.Run("analyze", demo, "--json", Path.Combine(dir, "m.json"), "--stats");
        var alines = analyze.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("wrote ", alines[^3]);
        Assert.StartsWith("stats: ", alines[^2]);
        // Then Dissect's own work by stage: EK parsing, each analyzer, the model, its CPU time, and the part of it
        // the runtime spent compiling methods (how many).
        Assert.Matches(@"^profile: parse_s=[\d.]+ dns_s=[\d.]+ tls_s=[\d.]+ network_s=[\d.]+ stun_s=[\d.]+ " +
            @"traffic_s=[\d.]+ build_s=[\d.]+ dissect_cpu_s=[\d.]+ jit_s=[\d.]+ jit_methods=\d+$", alines[^1]);
    }

    private static Packet At(EkRecord rec, Dictionary<string, string> keys, double time, int frame)
    {
        var t = time.ToString("R", CultureInfo.InvariantCulture);
        return Load(rec, keys, "{\"layers\":{\"frame_number\":[\"" + frame + "\"],\"frame_time_epoch\":[\"" + t
            + "\"],\"frame_len\":[\"100\"],\"frame_protocols\":[\"eth:ethertype:ip:udp:data\"]}}");
    }

    private static Packet Load(EkRecord rec, Dictionary<string, string> keys, string json)
    {
        rec.Load(Encoding.UTF8.GetBytes(json), keys);
        return new Packet(rec);
    }

    [Fact]
    public void Traffic_over_28_hours_is_binned_in_bounded_memory_and_loses_no_packet()
    {
        var traffic = new TrafficAnalyzer();
        var keys = traffic.Fields.Append("frame.number").Distinct().ToDictionary(EkRecord.KeyOf, f => f);
        var rec = new EkRecord();
        const int n = 300_000;
        var start = 1_700_000_000.0;
        for (var i = 0; i < n; i++)
            traffic.Add(At(rec, keys, start + 28 * 3600.0 * i / n, i + 1));
        var section = traffic.Build(start);
        Assert.InRange(section.Bins.Count, 2, 120);
        Assert.Equal(n, section.Bins.Sum(b => b.Packets));
        Assert.Equal(100L * n, section.Bins.Sum(b => b.Bytes));
        Assert.Equal(0, section.ExcludedPackets);
        // A round width covering 28 hours in at most 120 bins, as for a capture read at full resolution.
        Assert.Equal(TimeSlots.WidthFor(28 * 3600.0), section.BinSeconds);
    }

    [Fact]
    public void A_chart_of_one_busy_stretch_is_the_same_after_its_time_slots_coarsen()
    {
        // 16 packets a second for 1,000 s: 10,000 slots of 0.1 s, past the 4,096 that make them coarsen to 1 s. By
        // hand: 1,000 s in at most 120 bins is 8.3 s a bin, rounded up to 10 s; 100 bins of 160 packets each. The
        // capture starts 0.3 s into a second: whole seconds of the epoch would shift each bin by 3 tenths (155
        // packets in the first).
        var traffic = new TrafficAnalyzer();
        var keys = traffic.Fields.Append("frame.number").Distinct().ToDictionary(EkRecord.KeyOf, f => f);
        var rec = new EkRecord();
        var start = 1_700_000_000.3;
        for (var i = 0; i < 16_000; i++)
            traffic.Add(At(rec, keys, start + (i + 0.5) / 16, i + 1));
        var section = traffic.Build(start + 0.5 / 16);
        Assert.Equal(10, section.BinSeconds);
        Assert.Equal(100, section.Bins.Count);
        Assert.All(section.Bins, b => Assert.Equal(160, b.Packets));
        Assert.Equal(Enumerable.Range(0, 100).Select(b => b * 10.0), section.Bins.Select(b => b.StartSeconds));
    }

    [Fact]
    public void A_first_packet_dated_far_in_the_future_leaves_the_others_binned()
    {
        // A damaged first timestamp, 500,000 years after 1970 (pcapng's 64 bits allow it), then 200 packets 0.05 s
        // apart: those 10 s are the chart, in 0.1 s bins of 2 packets; the first is left out and counted.
        var traffic = new TrafficAnalyzer();
        var keys = traffic.Fields.Append("frame.number").Distinct().ToDictionary(EkRecord.KeyOf, f => f);
        var rec = new EkRecord();
        traffic.Add(At(rec, keys, 1.6e13, 1));
        var start = 1_700_000_000.0;
        for (var i = 0; i < 200; i++)
            traffic.Add(At(rec, keys, start + (i + 0.5) / 20, i + 2));
        var section = traffic.Build(start);
        Assert.Equal(1, section.ExcludedPackets);
        Assert.Equal(0.1, section.BinSeconds);
        Assert.Equal(100, section.Bins.Count);
        Assert.All(section.Bins, b => Assert.Equal(2, b.Packets));
    }

    [Fact]
    public void A_report_table_shows_the_busiest_rows_and_says_how_many_more_the_json_holds()
    {
        var names = Enumerable.Range(0, ReportDocument.MaxRows + 25)
            .Select(i =>
                new DnsNameSummary($"n{i:D4}.example", [], [], [], ["A"], [], [], i == 170 ? 50 : 1, 1)).ToList();
        var model = SampleModel() with { Dns = SampleModel().Dns with { Names = names, QueryCount = names.Count } };
        var blocks = ReportDocument.Build(model, new ReportOptions());
        var table = blocks.OfType<Table>().First(t => t.Headers[0] == "Name");
        Assert.Equal(ReportDocument.MaxRows, table.Rows.Count);
        Assert.Contains(table.Rows, r => r[0] == "n0170.example");   // the busiest is kept even though it sorts late
        var rows = table.Rows.Select(r => r[0]).ToList();
        Assert.Equal(rows.Order(StringComparer.Ordinal), rows);
        Assert.Contains(blocks.OfType<Paragraph>(), p => p.Text.StartsWith("25 more rows are not shown",
            StringComparison.Ordinal));
    }

    private static ReportModel SampleModel()
    {
        var dir = Repo.TempDir("model");
        var json = Path.Combine(dir, "demo.json");
        var (code, _, err) = DissectCli.Run("analyze", Path.Combine(Repo.Root, "samples", "demo.pcap"), "--json", json);
        Assert.True(code == 0, err);
        return ReportJson.Read(json);
    }

    [Fact]
    public void Dns_names_are_summed_up_while_reading_with_every_name_kept_for_the_json()
    {
        // 20,000 messages, 10,000 names: the summary is checked against the capture's own construction.
        var dir = Repo.TempDir("dnsstress");
        var capture = Path.Combine(dir, "dns.pcap");
        StressCapture.Write(capture, StressShape.Dns, 20_000);
        var json = Path.Combine(dir, "dns.json");
        var (code, _, err) = DissectCli.Run("analyze", capture, "--json", json);
        Assert.True(code == 0, err);
        var model = ReportJson.Read(json);
        Assert.Equal(10_000, model.Dns.QueryCount);
        Assert.Equal(10_000, model.Dns.ResponseCount);
        Assert.Equal(10_000, model.Dns.Names.Count);
        Assert.Equal(0, model.Dns.UnansweredCount);
        var n = model.Dns.Names.Single(x => x.Name == "n4660.stress.example");
        Assert.Equal(["10.0.18.52"], n.IPv4);   // 4660 = 0x1234
        Assert.Equal(1, n.Queries);
        Assert.Equal(1, n.Responses);
    }
}
