using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Dissect.Analysis;
using Dissect.Capture;
using Dissect.Capture.Fixtures;
using Dissect.Cli;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Analysis;

/// <summary>RTP loss and jitter per stream, against Wireshark's own RTP stream analysis (tshark -z
/// rtp,streams).</summary>
public class RtpStreamTests
{
    private sealed record TsharkStream(string Ssrc, long Packets, long Lost, double MeanJitter, double MaxJitter);

    // "start end src sport dst dport ssrc payload pkts lost (x%) minΔ meanΔ maxΔ minJ meanJ maxJ [X]"
    private static List<TsharkStream> RtpStreams(string capture)
    {
        var r = TsharkCli.Run(["-X", "lua_script:" + Repo.Dissector, "-o", CaptureAnalyzer.Preferences[0],
            .. TsharkCli.DissectHeuristics, "-r", capture, "-q", "-z", "rtp,streams"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return [.. r.Stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(c => c.Length >= 17 && c[6].StartsWith("0x", StringComparison.Ordinal))
            .Select(c => new TsharkStream(c[6].ToLowerInvariant(), long.Parse(c[8], CultureInfo.InvariantCulture),
                long.Parse(c[9], CultureInfo.InvariantCulture), double.Parse(c[15], CultureInfo.InvariantCulture),
                double.Parse(c[16], CultureInfo.InvariantCulture)))];
    }

    private static byte[] Rtp(int pt, ushort seq, uint timestamp, uint ssrc)
    {
        var b = new byte[12 + 160];
        b[0] = 0x80;
        b[1] = (byte)pt;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), ssrc);
        return b;
    }

    [Fact]
    public async Task Loss_and_jitter_of_a_PCMU_stream_match_tsharks_RTP_analysis()
    {
        var path = Path.Combine(Repo.TempDir("rtp"), "pcmu.pcap");
        var a = new IPEndPoint(IPAddress.Parse("192.168.1.20"), 40000);
        var b = new IPEndPoint(IPAddress.Parse("198.51.100.30"), 50000);
        using (var w = PcapWriter.Create(path))
        {
            var t = MsTurnFixtures.Start;
            // 20 ms packets of 160 samples, sent with a varying delay; packets 37 and 61 are lost on the way, and
            // the sequence number wraps past 65535.
            var rng = new Random(7);
            for (var i = 0; i < 120; i++)
            {
                if (i is 37 or 61)
                    continue;
                var delay = rng.Next(0, 9000) / 1000.0;
                w.Udp(t.AddMilliseconds(i * 20 + delay), a, b, Rtp(0, (ushort)(65500 + i), (uint)(1000 + i * 160),
                    0x11223344));
            }
        }
        var model = await CaptureAnalyzer.AnalyzeAsync(path, Runtime.Prepare(null));
        var ours = Assert.Single(Assert.Single(model.Media.Flows).Streams);
        var theirs = Assert.Single(RtpStreams(path));
        Assert.Equal(118, ours.Packets);
        Assert.Equal((theirs.Packets, theirs.Lost), (ours.Packets, ours.Lost));
        Assert.Equal(2, ours.Lost);
        Assert.Equal(8000, ours.ClockRate);
        Assert.Equal(theirs.MeanJitter, ours.MeanJitterMs!.Value, 0.01);
        Assert.Equal(theirs.MaxJitter, ours.MaxJitterMs!.Value, 0.01);
        Assert.True(ours.MaxJitterMs > 0.5, $"{ours.MaxJitterMs} ms");
    }

    [CorpusFact]
    public async Task A_Teams_calls_direct_streams_lose_what_tshark_says_and_leave_jitter_unknown()
    {
        var capture = Repo.CorpusFile("Baboushka+LINFO1341-P1/CallAudio/Ethernet/packets/K1AE.pcapng");
        var model = await CaptureAnalyzer.AnalyzeAsync(capture, Runtime.Prepare(null));
        var ours = model.Media.Flows.SelectMany(f => f.Streams).ToDictionary(s => s.Ssrc);
        var theirs = RtpStreams(capture);
        Assert.NotEmpty(theirs);
        foreach (var t in theirs)
        {
            var s = ours[t.Ssrc];
            Assert.Equal((t.Packets, t.Lost), (s.Packets, s.Lost));
            Assert.Null(s.MeanJitterMs);   // dynamic payload type: its clock rate is not in the capture
        }
        Assert.Contains(theirs, t => t.Lost > 0);
    }
}
