using Dissect.Capture.Fixtures;
using Dissect.Cli;
using Dissect.Jobs.Batch;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Cli;

public class BatchTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => DissectCli.Run(args);

    private static string Lab()
    {
        var dir = Repo.TempDir("lab");
        Directory.CreateDirectory(Path.Combine(dir, "audio call"));
        Directory.CreateDirectory(Path.Combine(dir, "video"));
        DemoCapture.Write(Path.Combine(dir, "audio call", "wifi -> 4G.pcap"));
        DemoCapture.Write(Path.Combine(dir, "video", "ethernet.pcap"));
        File.WriteAllText(Path.Combine(dir, "video", "broken.pcapng"), "this is not a capture");
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "ignored: not a capture name");
        return dir;
    }

    [Fact]
    public void A_batch_mirrors_the_tree_goes_past_a_bad_capture_and_indexes_the_rest()
    {
        var lab = Lab();
        var outDir = Path.Combine(lab, "out");
        var (code, output, err) = Run("batch", lab, "-o", outDir, "--jobs", "2", "--format", "pdf,md");
        Assert.Equal(ExitCodes.PartialFailure, code);
        Assert.True(File.Exists(Path.Combine(outDir, "audio call", "wifi -_ 4G.pdf")));
        Assert.True(File.Exists(Path.Combine(outDir, "video", "ethernet.md")));
        Assert.Contains("video/broken.pcapng: ", err);
        Assert.Contains("is not in a capture format tshark reads", err);
        Assert.Contains("2 reported, 0 skipped (current), 1 failed", output);
        Assert.True(File.Exists(Path.Combine(outDir, "index.pdf")));
        Assert.Contains("<html lang=\"en\">", File.ReadAllText(Path.Combine(outDir, "index.html")));
        var index = File.ReadAllText(Path.Combine(outDir, "index.md"));
        Assert.Contains("Comparison of 2 captures", index);
        Assert.Contains("broken", index);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));

        var again = Run("batch", lab, "-o", outDir, "--jobs", "2", "--format", "pdf,md");
        Assert.Contains("0 reported, 2 skipped (current), 1 failed", again.Out);
        var forced = Run("batch", lab, "-o", outDir, "--force", "--format", "pdf,md");
        Assert.Contains("2 reported, 0 skipped", forced.Out);
    }

    [Fact]
    public void Shards_are_disjoint_cover_every_input_and_merge_into_one_index()
    {
        var lab = Lab();
        var inputs = BatchRunner.Expand([lab], []);
        var shards = Enumerable.Range(1, 2).Select(i => BatchRunner.Shard(inputs, i, 2)).ToList();
        Assert.Equal(inputs.Select(i => i.Path).Order(), shards.SelectMany(s => s).Select(i => i.Path).Order());
        Assert.Empty(shards[0].Intersect(shards[1]));

        var outDir = Path.Combine(lab, "out");
        Run("batch", lab, "-o", outDir, "--shard", "1/2", "--format", "json");
        Run("batch", lab, "-o", outDir, "--shard", "2/2", "--format", "json");
        Assert.False(File.Exists(Path.Combine(outDir, "index.pdf")));
        var merged = Run("batch", "--merge", "-o", outDir);
        Assert.Equal(0, merged.Code);
        Assert.Contains("(2 reports)", merged.Out);
    }

    [Fact]
    public void A_bad_shard_or_nothing_to_do_is_a_usage_error()
    {
        Assert.Equal(ExitCodes.Usage, Run("batch", ".", "-o", Repo.TempDir("o"), "--shard", "3/2").Code);
        Assert.Equal(ExitCodes.Usage, Run("batch", "/nonexistent-folder", "-o", Repo.TempDir("o")).Code);
    }

    [Fact]
    public void Compare_writes_a_side_by_side_report()
    {
        var lab = Lab();
        var stem = Path.Combine(lab, "cmp");
        var (code, _, _) = Run("compare", Path.Combine(lab, "video", "ethernet.pcap"), Path.Combine(lab, "audio call",
            "wifi -> 4G.pcap"), "-o", stem);
        Assert.Equal(0, code);
        var md = File.ReadAllText(stem + ".md");
        Assert.Contains("Queried in every capture (2): teams.example.com, turn.teams.example.com", md);
    }

    [CorpusFact]
    public void Every_capture_of_the_corpus_gets_a_report()
    {
        var outDir = Repo.TempDir("corpus");
        var (code, output, err) = Run("batch", Repo.Corpus, "-o", outDir, "--jobs", "2", "--format", "pdf,json");
        Assert.True(code == 0, err);
        var count = BatchRunner.Expand([Repo.Corpus], []).Count;
        Assert.Equal(count, Directory.GetFiles(outDir, "*.pdf", SearchOption.AllDirectories).Length - 1);
        Assert.Contains($"{count} reported", output);
    }
}

public class BatchFaultTests
{
    [Fact]
    public async Task Cancelling_a_batch_keeps_finished_reports_and_leaves_no_temporary_files()
    {
        var dir = Repo.TempDir("cancel");
        for (var i = 0; i < 6; i++)
            DemoCapture.Write(Path.Combine(dir, $"c{i}.pcap"));
        var outDir = Path.Combine(dir, "out");
        using var cts = new CancellationTokenSource();
        var inputs = BatchRunner.Expand([dir], []);
        var o = new BatchOptions(["pdf", "json"], new Dissect.Reporting.ReportOptions(), 1, false, outDir);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            BatchRunner.RunAsync(inputs, o, Runtime.Prepare(null), (r, done, _) => { if (done == 2) cts.Cancel(); },
                ct: cts.Token));
        Assert.Equal(2, Directory.GetFiles(outDir, "*.pdf").Length);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(outDir, ".*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_output_folder_that_cannot_be_created_is_one_clear_error()
    {
        var dir = Repo.TempDir("ro");
        var file = Path.Combine(dir, "a-file");
        File.WriteAllText(file, "");
        var e = new StringWriter();
        var code = await App.RunAsync(["report", Path.Combine(Repo.Root, "samples", "demo.pcap"), "-o",
            Path.Combine(file, "sub")], new StringWriter(), e);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("cannot create the output folder", e.ToString());
    }

    [Fact]
    public async Task One_packet_with_an_absurd_timestamp_does_not_stretch_the_traffic_bins()
    {
        var dir = Repo.TempDir("years");
        var cap = Path.Combine(dir, "years.pcap");
        using (var w = Dissect.Capture.PcapWriter.Create(cap))
        {
            MsTurnFixtures.WriteCall(w);
            w.Udp(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero), MsTurnFixtures.Client, MsTurnFixtures.Server,
                [1, 2, 3, 4]);
        }
        var m = await Dissect.Analysis.CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
        Assert.True(m.Capture.DurationSeconds > 200_000_000);
        Assert.Equal(1, m.Traffic.ExcludedPackets);
        Assert.NotNull(m.Traffic.OutlierGapSeconds);
        Assert.True(m.Traffic.Bins.Count <= 130, $"{m.Traffic.Bins.Count} bins");
        Assert.Contains(m.Findings, f => f.Id == "traffic.gap");
    }
}
