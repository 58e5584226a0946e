using Dissect.Reporting;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Reporting;

/// <summary>The call ladder, against tshark's own reading of the MS-TURN messages.</summary>
public class LadderTests(CallModels calls) : IClassFixture<CallModels>
{
    [CorpusFact]
    public void The_seed_call_ladder_starts_with_the_client_and_counts_every_Send_request()
    {
        var model = calls.Get(CallModels.Seed);
        var ladder = Assert.Single(ReportDocument.Build(model, new ReportOptions()).OfType<Ladder>());
        Assert.Equal("192.168.1.18", ladder.Columns[0].Label);
        Assert.Contains("81.247.114.53", ladder.Columns[0].Detail);
        var frames = ladder.Steps.Select(s => long.Parse(s.When.Split('·')[1].Trim(),
            System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(frames.Order(), frames);

        // tshark, separately: the first MS-TURN message, and every Send request of the capture.
        var r = TsharkCli.Fields(Repo.CorpusFile(CallModels.Seed), "msturn.type", "frame.number", "msturn.type");
        var rows = r.Rows.Select(x => (Frame: long.Parse(x[0], System.Globalization.CultureInfo.InvariantCulture),
            Types: x[1])).ToList();
        Assert.Equal(rows[0].Frame, frames[0]);
        var first = ladder.Steps[0];
        Assert.Equal((0, "Allocate request"), (first.From, first.Label));
        var sends = rows.Count(x => x.Types.Split(',').Contains("0x0004"));
        var shown = ladder.Steps.Where(s => s.Label.StartsWith("Send request", StringComparison.Ordinal))
            .Sum(s => s.Label.Contains('×', StringComparison.Ordinal) ? int.Parse(s.Label.Split('×')[1].Replace(",",
                "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) : 1);
        Assert.True(sends > 10, $"{sends} Send requests");
        Assert.Equal(sends, shown);
    }

    [CorpusFact]
    public async Task A_standard_TURN_call_shows_its_allocation_exchange_in_the_ladder()
    {
        // Signal: Wireshark's own STUN dissector decodes it; the ladder tells the same story as for MS-TURN.
        const string c = "MxDx+LINFO1341_Projet/NAT analysis/call_relay_2.pcap";
        var model = await Dissect.Analysis.CaptureAnalyzer.AnalyzeAsync(Repo.CorpusFile(c),
            Dissect.Cli.Runtime.Prepare(null));
        var ladder = Assert.Single(ReportDocument.Build(model, new ReportOptions()).OfType<Ladder>());
        long FrameOf(LadderStep s) => long.Parse(s.When.Split('·')[1].Trim(),
            System.Globalization.CultureInfo.InvariantCulture);
        // tshark, separately: the capture's first Allocate request and first Allocate error response (401).
        long First(string type) => long.Parse(TsharkCli.BareFields(Repo.CorpusFile(c), $"stun.type#1 == {type}",
            ["frame.number"], TsharkCli.DissectHeuristics).Rows[0][0],
            System.Globalization.CultureInfo.InvariantCulture);
        var request = ladder.Steps.First(s => s.Label == "Allocate request (STUN)");
        var refused = ladder.Steps.First(s => s.Label == "Allocate error response (STUN)");
        Assert.Equal((First("0x0003"), First("0x0113")), (FrameOf(request), FrameOf(refused)));
        Assert.True(FrameOf(request) < FrameOf(refused));
        // The CreatePermission refreshes are one step each way, with their count.
        Assert.Contains(ladder.Steps, s => s.Label.StartsWith("CreatePermission request (STUN) ×",
            StringComparison.Ordinal));
    }
}

/// <summary>The local stub resolver, counted apart and checked against a separate tshark reading.</summary>
public class StubResolverTests(CallModels calls) : IClassFixture<CallModels>
{
    [CorpusFact]
    public void Queries_to_the_local_stub_resolver_are_counted_as_tshark_counts_them()
    {
        var model = calls.Get(CallModels.Seed);
        var expected = TsharkCli.BareFields(Repo.CorpusFile(CallModels.Seed),
            "dns && dns.flags.response == 0 && ip.dst == 127.0.0.53", ["frame.number"]).Rows.Count;
        Assert.True(expected > 0);
        Assert.Equal(new Dictionary<string, int> { ["127.0.0.53"] = expected }, model.Dns.StubResolverQueries);
        Assert.Contains(model.Findings, f => f.Id == "dns.stub-resolver");
    }
}

/// <summary>The comparison's media table: path, relay or peer, and the video-to-audio ratio per capture.</summary>
public class ComparisonMediaTests(CallModels calls) : IClassFixture<CallModels>
{
    [CorpusFact]
    public void An_audio_call_and_a_video_call_differ_in_their_video_to_audio_ratio()
    {
        const string video = "Baboushka+LINFO1341-P1/CallVideo/Ethernet/packets/K1VE.pcapng";
        var blocks = ComparisonDocument.Build([("audio", calls.Get(CallModels.Teams)), ("video", calls.Get(video))],
            []);
        var media = blocks.OfType<Table>().Single(t => t.Headers.Contains("Video : audio (bytes)"));
        var ratio = media.Headers.ToList().IndexOf("Video : audio (bytes)");
        Assert.Equal("0.0 : 1", media.Rows[0][ratio]);
        var videoRatio = double.Parse(media.Rows[1][ratio].Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(videoRatio > 2, media.Rows[1][ratio]);
        Assert.All(media.Rows, r => Assert.Equal("direct", r[1]));
        Assert.Contains("109.132.195.16", media.Rows[1][2]);
    }
}
