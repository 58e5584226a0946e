using Dissect.Analysis;
using Dissect.Cli;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Analysis;

/// <summary>
/// "Where does the call go?": each media flow's path and relay, checked against packet counts from separate plain
/// tshark calls on the same address pair.
/// </summary>
public class MediaFlowTests
{
    internal static async Task<IReadOnlyList<MediaFlow>> FlowsOf(string capture) =>
        (await CaptureAnalyzer.AnalyzeAsync(Repo.CorpusFile(capture), Runtime.Prepare(null))).Media.Flows;

    private static int Count(string capture, string filter, params string[] extra) =>
        Count(Wireshark.Get(Wireshark.Host), capture, filter, extra);

    private static int Count(Wireshark ws, string capture, string filter, params string[] extra)
    {
        var r = TsharkCli.BareFields(ws, Repo.CorpusFile(capture), filter, ["frame.number"], extra);
        Assert.Equal(0, r.ExitCode);
        return r.Rows.Count;
    }

    private static MediaFlow Between(IReadOnlyList<MediaFlow> flows, string x, string y) =>
        Assert.Single(flows, f => (f.Local == x && f.Remote == y) || (f.Local == y && f.Remote == x));

    [CorpusFact]
    public async Task A_media_server_that_answers_ice_checks_but_never_checks_back_is_a_relay_not_a_peer()
    {
        // Google Meet: the client checks the path to Google's media server, which only answers (ICE-lite).
        const string c = "RomainBarbason+LINFO1341-Projet-1/Packets/Edurom/"
            + "Cree+Ferme-meet-instantané-no-micro-no-camera-solo- 20 ⁄ 03.pcapng";
        const string client = "192.168.201.25:54401", server = "142.250.82.153:19305";
        var f = Between(await FlowsOf(c), client, server);
        Assert.Equal(("relayed", client, server, "ice-lite"), (f.Path, f.Local, f.Via, f.Reason));
        // Wireshark's own STUN: Binding requests each way on that pair.
        const string pair = "stun.type == 0x0001 && udp.port == 54401 && udp.port == 19305";
        Assert.True(Count(c, pair + " && ip.src == 192.168.201.25") > 0);
        Assert.Equal(0, Count(c, pair + " && ip.src == 142.250.82.153"));
        // A peer checks back: the direct Teams call keeps its direct path.
        const string teams = "Baboushka+LINFO1341-P1/CallVideo/Ethernet/packets/K1VE.pcapng";
        Assert.True(Count(teams, "stun.type == 0x0001 && ip.src == 109.132.195.16") > 0);
        Assert.All((await FlowsOf(teams)).Where(x => x.Remote.StartsWith("109.132.195.16:", StringComparison.Ordinal)),
            x => Assert.Equal("direct", x.Path));
    }

    [CorpusFact]
    public async Task A_call_without_relay_is_one_direct_flow_between_the_two_hosts()
    {
        const string c = "MxDx+LINFO1341_Projet/NAT analysis/call_without_relay_2.pcap";
        var f = Between(await FlowsOf(c), "192.168.1.56:47198", "192.168.1.33:48615");
        Assert.Equal("direct", f.Path);
        Assert.Null(f.Via);
        // Every RTP or RTCP packet on that pair, found by Wireshark's own heuristics, outside ICMP errors.
        var expected = Count(c, "udp.port == 47198 && udp.port == 48615 && (rtp || rtcp) && !icmp",
            TsharkCli.DissectHeuristics);
        Assert.Equal(expected, f.Up.Packets + f.Down.Packets);
        Assert.DoesNotContain(await FlowsOf(c), x => x.Path == "relayed");
    }

    // Wireshark's STUN dissector, with the heuristics Dissect enables: frames of standard TURN (ChannelData, Send
    // and Data indications) whose payload is not itself a STUN message (an ICE check relayed through TURN).
    private const string TurnMediaFrames = "(stun.channel || stun.type == 0x0016 || stun.type == 0x0017) && "
        + "!(stun.type == 0x0001 || stun.type == 0x0101 || stun.type == 0x0111)";

    [CorpusFact]
    public async Task Media_in_standard_TURN_send_and_data_indications_is_a_relayed_flow_with_its_streams()
    {
        // Meet over TCP to Google's TURN server: RTP inside Data indications.
        const string c = "ntop+nDPI/tests/cfgs/default/pcap/stun_dtls_rtp.pcapng";
        var f = Between(await FlowsOf(c), "192.168.12.182:50221", "142.250.82.249:3478");
        Assert.Equal(("relayed", "tcp"), (f.Path, f.Transport));
        Assert.Contains("turn-send-data", f.Encapsulation);
        var frames = TsharkCli.BareFields(Repo.CorpusFile(c), TurnMediaFrames + " && tcp.port == 50221",
            ["frame.number", "rtp.ssrc"], TsharkCli.DissectHeuristics).Rows;
        Assert.Equal(frames.Count, f.Up.Packets + f.Down.Packets);
        Assert.Equal(frames.Select(r => r[1]).Where(s => s.Length > 0).Distinct().Order(StringComparer.Ordinal),
            f.Ssrcs);
    }

    [CorpusFact]
    public async Task An_ice_check_relayed_through_standard_TURN_is_not_counted_as_media()
    {
        const string c = "ntop+nDPI/tests/cfgs/default/pcap/stun.pcap";
        var f = Between(await FlowsOf(c), "192.168.12.169:38123", "31.13.86.54:40003");
        Assert.Equal(Count(c, TurnMediaFrames + " && udp.port == 38123 && ip.addr == 31.13.86.54",
            TsharkCli.DissectHeuristics), f.Up.Packets + f.Down.Packets);
        // A Teams call whose only TURN-wrapped packets are two ICE checks has no relayed flow at all.
        Assert.DoesNotContain(await FlowsOf("Zyth0x+LINFO1341-Projet/Appel_simple/appel_simple.pcapng"),
            x => x.Path == "relayed");
    }

    [CorpusFact]
    public async Task An_ice_check_answered_through_TURN_is_not_taken_for_this_hosts_nat_mapping()
    {
        // Relayed checks are answered with the relay's allocated address: that is the relayed candidate, not NAT.
        const string c = "ntop+nDPI/tests/cfgs/default/pcap/stun.pcap";
        var rows = TsharkCli.BareFields(Repo.CorpusFile(c), "stun.type == 0x0103",
            ["stun.att.type", "stun.att.ipv4", "stun.att.port"]).Rows;
        // XOR-MAPPED-ADDRESS (0x0020) and XOR-RELAYED-ADDRESS (0x0016) carry the addresses, in attribute order.
        var relayed = rows.SelectMany(r =>
        {
            var types = r[0].Split(',').Where(t => t is "0x0020" or "0x0016").ToList();
            var ips = r[1].Split(',');
            var ports = r[2].Split(',');
            return types.Select((t, i) => (t, ep: ips[i] + ":" + ports[i])).Where(x => x.t == "0x0016")
                .Select(x => x.ep);
        }).ToHashSet();
        Assert.Contains("31.13.86.54:53789", relayed);
        var stun = (await CaptureAnalyzer.AnalyzeAsync(Repo.CorpusFile(c), Runtime.Prepare(null))).Stun;
        Assert.NotEmpty(stun.PeerReflexiveAddresses);
        Assert.DoesNotContain(stun.PeerReflexiveAddresses.Concat(stun.MappedAddresses), relayed.Contains);
    }

    [CorpusFact]
    public async Task A_flow_starts_at_its_first_frames_time_as_tshark_reads_it()
    {
        const string c = "Lopiuy+LINFO1341_P1/Traces/audio.pcapng";
        var flows = await FlowsOf(c);
        Assert.NotEmpty(flows);
        var filter = string.Join(" || ", flows.Select(f => $"frame.number == {f.FirstFrame}"));
        var times = TsharkCli.BareFields(Repo.CorpusFile(c), filter, ["frame.number", "frame.time_relative"]).Rows
            .ToDictionary(r => long.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture),
                r => double.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(flows, f => Assert.Equal(times[f.FirstFrame], f.FirstSeconds, 0.0015));
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public async Task DTLS_and_STUN_that_Wiresharks_RTP_dissector_hands_on_are_not_media(string wireshark)
    {
        // nDPI's stun.pcap: a WebRTC call to Google's media server carries DTLS, ICE checks and RTP on one port pair.
        // From 4.4 on, Wireshark's RTP dissector takes the whole conversation and hands the DTLS and STUN packets on:
        // their frame.protocols read udp:rtp:dtls and udp:rtp:stun, yet no RTP header was decoded.
        const string c = "ntop+nDPI/tests/cfgs/default/pcap/stun.pcap";
        var ws = Wireshark.Get(wireshark);
        var shim = Path.Combine(ws.ShimFolder(), "tshark");
        var model = await CaptureAnalyzer.AnalyzeAsync(Repo.CorpusFile(c), Runtime.Prepare(shim));
        var f = Between(model.Media.Flows, "192.168.12.169:49153", "142.250.82.99:3478");
        const string pair = "!icmp && udp.port == 49153 && ip.addr == 142.250.82.99";
        int CountHere(string filter) => Count(ws, c, filter, TsharkCli.DissectHeuristics);
        Assert.True(CountHere($"dtls && {pair}") > 10);
        // RTP and RTCP as every version decodes them: a header read. (The `rtp` filter itself also matches the DTLS
        // and STUN packets under 4.0, and `rtcp` matches none of the RTCP there.)
        Assert.Equal(CountHere($"(rtp.ssrc || rtcp.pt) && {pair}"), f.Up.Packets + f.Down.Packets);
        Assert.Equal(["RTCP", "RTP"], f.Protocols);
    }

    [CorpusFact]
    public async Task Plain_RTP_to_the_TURN_server_a_client_allocated_on_is_relayed_not_direct()
    {
        // WhatsApp sends its media as plain RTP to the very address of the TURN server it allocated on.
        const string c = "ntop+nDPI/tests/cfgs/default/pcap/stun_wa_call.pcapng";
        var model = await CaptureAnalyzer.AnalyzeAsync(Repo.CorpusFile(c), Runtime.Prepare(null));
        // Wireshark's own STUN dissector: the servers the capture's Allocate requests went to.
        var servers = TsharkCli.BareFields(Repo.CorpusFile(c), "stun.type == 0x0003", ["ip.dst", "udp.dstport"]).Rows
            .Select(r => r[0] + ":" + r[1]).ToHashSet();
        Assert.Contains("93.57.123.227:3478", servers);
        var f = Between(model.Media.Flows, "192.168.12.156:46652", "93.57.123.227:3478");
        Assert.Equal(("relayed", "93.57.123.227:3478", "turn-server"), (f.Path, f.Via, f.Reason));
        Assert.Equal(Count(c, "(rtp || rtcp) && !icmp && udp.port == 46652 && ip.addr == 93.57.123.227",
            TsharkCli.DissectHeuristics), f.Up.Packets + f.Down.Packets);
        Assert.All(model.Media.Flows.Where(x => x.Path == "direct"), x => Assert.DoesNotContain(x.Remote, servers));
        // Direct RTP: only what Wireshark finds as RTP with no allocation server at either end.
        var hosts = servers.Select(Net.Host).Distinct().Select(h => $"ip.addr == {h}");
        Assert.Equal(Count(c, $"rtp && !icmp && !({string.Join(" || ", hosts)})", TsharkCli.DissectHeuristics),
            model.Stun.DirectRtpPackets);
    }

    [CorpusFact]
    public async Task Raw_media_goes_to_the_address_asked_when_the_relay_answers_from_another()
    {
        // Skype asked 20.202.146.142 to Set Active Destination; the success came from 20.202.1.37. The client then
        // sends its raw media to the address it asked: bare RTP-version datagrams, not STUN, after the success.
        const string c = "Lopiuy+LINFO1341_P1/Traces/AppelLocalIpad.pcapng";
        const string ask = "ip.src == 192.168.1.18 && udp.srcport == 27600 && ip.dst == 20.202.146.142"
            + " && udp.dstport == 3478 && !icmp";
        const string rtpAfter = " && frame.number > 1170 && udp.payload[0:1] >= 80 && udp.payload[0:1] <= bf";
        await ClaimedAsCountedBare(c, ask, rtpAfter, "msturn.media.raw_since", 1,
            ("192.168.1.18:27600", "20.202.146.142:3478"), "raw-after-set-active-destination");
    }

    /// <summary>
    /// The frames of one direction that the dissector claims (<paramref name="field"/> present) are the ones a bare
    /// tshark reading of their bytes finds (<paramref name="bare"/>), at least <paramref name="least"/>; and the
    /// flow they belong to is relayed with that encapsulation.
    /// </summary>
    private static async Task ClaimedAsCountedBare(string c, string direction, string bare, string field, int least,
        (string A, string B) flow, string encapsulation)
    {
        var expected = Count(c, direction + bare);
        Assert.True(expected >= least, $"{expected}");
        var r = TsharkCli.Fields(Repo.CorpusFile(c), direction + " && " + field, "frame.number");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(expected, r.Rows.Count);
        var f = Between(await FlowsOf(c), flow.A, flow.B);
        Assert.Equal("relayed", f.Path);
        Assert.Contains(encapsulation, f.Encapsulation);
    }

    [CorpusFact]
    public async Task A_multiplexed_flow_announced_only_in_an_ice_check_is_followed()
    {
        // Teams names the multiplexed session in the ICE checks it relays (MS-MULTIPLEXED-TURN-SESSION-ID), which
        // Wireshark's STUN dissector shows; the 0xFF10 frames on 3479 that follow are the dissector's all the same.
        const string c = "Zyth0x+LINFO1341-Projet/Appel_simple_+_partage_d_ecran/appel_simple_partage_ecran.pcapng";
        const string up = "ip.src == 130.104.37.81 && udp.srcport == 50008 && ip.dst == 52.112.173.88"
            + " && udp.dstport == 3479 && !icmp";
        await ClaimedAsCountedBare(c, up, " && udp.payload[0:2] == ff:10", "msturn.mux.channel", 1000,
            ("130.104.37.81:50008", "52.112.173.88:3479"), "ms-turn-mux");
    }

    [CorpusFact]
    public async Task A_relayed_Signal_call_goes_through_its_TURN_server_in_ChannelData()
    {
        const string c = "MxDx+LINFO1341_Projet/NAT analysis/call_relay_2.pcap";
        var flows = await FlowsOf(c);
        var f = flows[0];
        Assert.Equal("relayed", f.Path);
        Assert.Equal("[2600:1900:40c0:be62:0:1b::]:3478", f.Via);
        Assert.Contains("turn-channeldata", f.Encapsulation);
        var expected = Count(c, TurnMediaFrames + " && udp.port == 3478 && ipv6.addr == 2600:1900:40c0:be62:0:1b::"
            + " && !icmpv6 && udp.port == " + f.Local[(f.Local.LastIndexOf(':') + 1)..],
            TsharkCli.DissectHeuristics);
        Assert.Equal(expected, f.Up.Packets + f.Down.Packets);
    }

    [CorpusFact]
    public async Task A_multiplexed_Skype_call_is_relayed_both_ways_and_never_called_direct()
    {
        const string c = "Lopiuy+LINFO1341_P1/Traces/SurEduroam/audio.pcapng";
        var flows = await FlowsOf(c);
        Assert.DoesNotContain(flows, f => f.Path == "direct");
        var f = Between(flows, "192.168.206.21:9435", "20.202.144.43:3480");
        Assert.Equal("20.202.144.43:3480", f.Via);
        // Read from the bytes: the client's 0xFF10 frames whose payload (after the 12-byte header) starts with RTP's
        // version bits, and the relay's answers that are not STUN.
        var pair = "udp.port == 9435 && udp.port == 3480 && ip.addr == 20.202.144.43 && !icmp";
        Assert.Equal(Count(c, pair + " && ip.src == 192.168.206.21 && udp.payload[0:2] == ff:10"
            + " && udp.payload[12:1] >= 80 && udp.payload[12:1] <= bf"), f.Up.Packets);
        Assert.Equal(Count(c, pair + " && ip.src == 20.202.144.43 && !stun"), f.Down.Packets);
        Assert.Equal(["0x000058f1", "0x00005fc6"], f.Ssrcs);
    }

    [CorpusFact]
    public async Task The_call_paths_worked_out_by_hand_hold()
    {
        var without = await FlowsOf("MxDx+LINFO1341_Projet/NAT analysis/call_without_relay_2.pcap");
        Assert.Equal("direct", Between(without, "192.168.1.56:47198", "192.168.1.33:48615").Path);
        var relay = (await FlowsOf("MxDx+LINFO1341_Projet/NAT analysis/call_relay_2.pcap"))[0];
        Assert.Equal(("relayed", "[2600:1900:40c0:be62:0:1b::]:3478"), (relay.Path, relay.Via));
        var video = await FlowsOf("Baboushka+LINFO1341-P1/CallVideo/Ethernet/packets/K1VE.pcapng");
        Assert.All(video.Take(2), f => Assert.Equal(("direct", "109.132.195.16"), (f.Path, Net.Host(f.Remote))));
        // Teams' video flow is the one with large packets; its audio flow the one with small ones.
        Assert.Equal(["audio", "video"], video.Take(2).Select(f => f.Kind).Order());
        // The Skype call goes to the server's port and is relayed through the address the relay allocated.
        var skype = (await FlowsOf("Lopiuy+LINFO1341_P1/Traces/audio.pcapng"))[0];
        Assert.Equal(("relayed", "20.202.147.12:3480", "allocation"), (skype.Path, skype.Via, skype.Reason));
    }
}

/// <summary>DNS queries left without an answer, per resolver, against tshark's own matching in two passes.</summary>
public class UnansweredDnsTests
{
    [CorpusFact]
    public async Task Unanswered_queries_are_counted_per_resolver_as_tshark_matches_them()
    {
        var capture = Repo.CorpusFile("Tfloow+LINFO1341/P1/trace/simple_Chrome/ssl_capture.pcap");
        var model = await CaptureAnalyzer.AnalyzeAsync(capture, Runtime.Prepare(null));
        var r = TsharkCli.BareFields(capture, "dns && !mdns && !llmnr && dns.flags.response == 0 && !dns.response_in",
            ["ip.dst", "ipv6.dst"], "-2");
        var expected = r.Rows.GroupBy(x => x[0].Length > 0 ? x[0] : x[1]).ToDictionary(g => g.Key, g => g.Count());
        Assert.NotEmpty(expected);
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal),
            model.Dns.UnansweredByServer.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    /// <summary>
    /// A Teams call with a screen share: the flow from the client's screen-sharing ports (50040-50059) is "screen",
    /// though its sizes are video's (a separate tshark reading of its datagrams: mean over 500 bytes); the audio port's
    /// flows stay audio. Its video-sized packets alone would have called it video.
    /// </summary>
    [CorpusFact]
    public async Task A_Teams_screen_share_is_told_from_video_by_the_clients_port_range()
    {
        const string c = "Zyth0x+LINFO1341-Projet/Appel_simple_+_partage_d_ecran/appel_simple_partage_ecran.pcapng";
        var flows = await MediaFlowTests.FlowsOf(c);
        var share = flows.Where(f => f.Kind == "screen").ToList();
        Assert.NotEmpty(share);
        Assert.All(share, f => Assert.InRange(int.Parse(Net.Port(f.Local), System.Globalization.CultureInfo
            .InvariantCulture), 50040, 50059));
        var busiest = share.MaxBy(f => f.Up.Bytes + f.Down.Bytes)!;
        var port = Net.Port(busiest.Local);
        var sizes = TsharkCli.BareFields(Repo.CorpusFile(c), $"udp.srcport == {port} && ip.dst == {Net.Host(busiest
            .Remote)} && !icmp", ["udp.length"]).Rows.Select(r => int.Parse(r[0],
            System.Globalization.CultureInfo.InvariantCulture) - 8).ToList();
        Assert.InRange(sizes.Count, busiest.Up.Packets, busiest.Up.Packets + 50);   // with its few ICE checks
        Assert.True(sizes.Average() > 500, $"mean {sizes.Average():0} bytes");
        // The evidence the kind rests on, as facts: the port range and the local port, the sizes and rate.
        Assert.Equal(new KindEvidence(busiest.KindEvidence!.MeanPacketBytes, busiest.KindEvidence.PacketsPerSecond,
            "screen", int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)), busiest.KindEvidence);
        if (busiest.Up.Packets >= busiest.Down.Packets)
            Assert.InRange(busiest.KindEvidence.MeanPacketBytes!.Value, sizes.Average(), sizes.Average() + 100);
        Assert.All(flows.Where(f => Net.Port(f.Local) == "50008" && f.Kind != "unknown"), f => Assert.Equal("audio",
            f.Kind));
        // A Teams video call: its video port's flow is video, by sizes and by port alike.
        var k1ve = await MediaFlowTests.FlowsOf("Baboushka+LINFO1341-P1/CallVideo/Ethernet/packets/K1VE.pcapng");
        Assert.DoesNotContain(k1ve, f => f.Kind == "screen");
    }
}
