using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Dissector;

/// <summary>
/// What the dissector shows beyond types and addresses, each checked against the bytes read in a separate tshark call
/// without the Lua, or against Wireshark's own dissectors.
/// </summary>
public class DepthTests
{
    private const string TeamsCall = "Baboushka+LINFO1341-P1/CallAudio/Ethernet/packets/K1AE.pcapng";
    private const string TeamsMissedCall = "Baboushka+LINFO1341-P1/CallAudio/Ethernet/packets/K3AE-MissedCall.pcapng";
    private const string TeamsOver4G = "Baboushka+LINFO1341-P1/CallAudio/4G/packets/K1AG.pcapng";
    private const string SkypeAudio = "Lopiuy+LINFO1341_P1/Traces/audio.pcapng";
    private const string SkypeSurEduroam = "Lopiuy+LINFO1341_P1/Traces/SurEduroam/audio.pcapng";

    private static Proc.Result Run(Wireshark ws, params string[] args) => ws.Tshark(args);

    private static IReadOnlyList<string[]> Bare(Wireshark ws, string capture, string filter, params string[] fields)
    {
        var r = TsharkCli.BareFields(ws, capture, filter, fields);
        Assert.Equal(0, r.ExitCode);
        return r.Rows;
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void An_error_response_shows_its_code_as_class_times_100_plus_number_in_the_tree_and_in_Info(
        string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        var r = TsharkCli.Fields(ws, Repo.CorpusFile(TeamsCall), "msturn.type == 0x0113", "frame.number",
            "msturn.att.error_code", "_ws.col.Info");
        Assert.False(r.LuaLoadError, r.Stderr);
        Assert.NotEmpty(r.Rows);
        // By hand from the bytes: the ERROR-CODE value is reserved(2) class(1) number(1) reason; the message starts
        // the UDP payload and MS-TURN attributes are not padded.
        var payloads = Bare(ws, Repo.CorpusFile(TeamsCall), "udp.payload[0:2] == 01:13", "frame.number", "udp.payload")
            .ToDictionary(x => x[0], x => Convert.FromHexString(x[1]));
        foreach (var row in r.Rows)
        {
            var b = payloads[row[0]];
            var off = 20;
            while (off + 4 <= b.Length && (b[off] << 8 | b[off + 1]) != 0x0009)
                off += 4 + (b[off + 2] << 8 | b[off + 3]);
            var code = (b[off + 6] & 7) * 100 + b[off + 7];
            Assert.Equal(code.ToString(), row[1]);
            Assert.Contains($"error {code}", row[2]);
        }
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void Fingerprints_are_checked_and_agree_with_Wiresharks_STUN_dissector(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        // By default ICE checks inside DATA go to Wireshark's STUN dissector, which checks them; with that preference
        // off the dissector decodes them itself, and its verdict must be Wireshark's, message by message.
        var capture = Repo.CorpusFile(SkypeAudio);
        var theirs = TsharkCli.Fields(ws, capture, "stun.att.crc32.status", "frame.number", "stun.att.crc32.status")
            .Rows.ToDictionary(x => x[0], x => x[1]);
        var ours = Run(ws, "-X", "lua_script:" + Repo.Dissector, "-o", "msturn.rfc_to_builtin:FALSE", "-r",
            capture,
            "-Y", "msturn.att.fingerprint_status", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "frame.number", "-e", "msturn.att.fingerprint_status").Rows.ToDictionary(x => x[0], x => x[1]);
        Assert.True(ours.Count > 10, $"{ours.Count} fingerprints checked");
        foreach (var (frame, status) in ours)
            Assert.Equal(theirs.GetValueOrDefault(frame), status);
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void SRTCP_index_is_read_before_Teams_11_byte_trailer(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        // Frames 382, 384 and 385 end with E|index, a 1-byte MKI and a 10-byte tag: indexes 0, 1, 2 of one sender.
        var r = TsharkCli.Fields(ws, Repo.CorpusFile(TeamsMissedCall),
            "frame.number == 382 || frame.number == 384 || frame.number == 385", "msturn.srtcp.index",
                "msturn.srtcp.mki");
        Assert.False(r.LuaLoadError, r.Stderr);
        Assert.Equal(["0", "1", "2"], r.Rows.Select(x => x[0]));
        Assert.All(r.Rows, x => Assert.Equal("01", x[1]));
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void SRTCP_indexes_of_one_sender_only_grow(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        var r = TsharkCli.Fields(ws, Repo.CorpusFile(SkypeAudio), "msturn.srtcp.index", "msturn.rtcp.ssrc",
            "msturn.srtcp.index");
        Assert.False(r.LuaLoadError, r.Stderr);
        Assert.True(r.Rows.Count > 10);
        foreach (var g in r.Rows.GroupBy(x => x[0]))
        {
            var idx = g.Select(x => long.Parse(x[1])).ToList();
            Assert.True(idx.Max() < 1 << 24, $"SSRC {g.Key}: index {idx.Max()} is not a packet counter");
            Assert.Equal(idx.OrderBy(x => x), idx);
        }
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void Relayed_SRTP_reaches_Wiresharks_RTP_streams_tap(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        var capture = Repo.CorpusFile(SkypeAudio);
        var taps = Run(ws, "-X", "lua_script:" + Repo.Dissector, "-r", capture, "-q", "-z", "rtp,streams");
        Assert.Equal(0, taps.ExitCode);
        // Each SSRC the dissector labels SRTP, with its packet count, is a stream of the tap.
        var ours = TsharkCli.Fields(ws, capture, "msturn.media == \"SRTP\"", "rtp.ssrc").Rows
            .GroupBy(x => x[0]).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(ours.Count >= 2);
        foreach (var (ssrc, count) in ours)
        {
            var line = taps.Stdout.Split('\n').FirstOrDefault(l => l.Contains($"0x{Convert.ToInt64(ssrc, 16):X8}",
                StringComparison.OrdinalIgnoreCase));
            Assert.True(line is not null, $"{ssrc} missing from rtp,streams:\n{taps.Stdout}");
            Assert.Contains($" {count} ", line);
        }
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void Both_directions_of_a_multiplexed_relay_flow_are_decoded_and_reach_RTP_streams(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        // SurEduroam: the client sends 0xFF10 frames to 20.202.144.43:3480, the relay answers with bare payloads.
        var capture = Repo.CorpusFile(SkypeSurEduroam);
        // Its STUN answers go to Wireshark's STUN dissector, as everywhere; the rest is relayed media.
        var relay = "ip.src == 20.202.144.43 && udp.srcport == 3480 && !icmp && !stun";
        var answers = Bare(ws, capture, relay, "frame.number").Count;
        Assert.True(answers > 1000);
        var ours = TsharkCli.Fields(ws, capture, relay + " && msturn", "msturn.mux.flow_since");
        Assert.False(ours.LuaLoadError, ours.Stderr);
        Assert.Equal(answers, ours.Rows.Count);
        var taps = Run(ws, "-X", "lua_script:" + Repo.Dissector, "-r", capture, "-q", "-z", "rtp,streams");
        var streams = taps.Stdout.Split('\n').Where(l => l.Contains("20.202.144.43",
            StringComparison.Ordinal)).ToList();
        static bool FromRelay(string l) =>
            l.IndexOf("20.202.144.43", StringComparison.Ordinal) < l.IndexOf("192.168.206.21",
                StringComparison.Ordinal);
        Assert.Contains(streams, FromRelay);
        Assert.Contains(streams, l => !FromRelay(l));
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void Binding_requests_carried_in_multiplexed_frames_are_matched_with_their_responses(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        var r = Run(ws, "-2", "-X", "lua_script:" + Repo.Dissector, "-r", Repo.CorpusFile(SkypeSurEduroam), "-Y",
            "msturn.mux && stun.type == 0x0001", "-T", "fields", "-e", "stun.response-in");
        Assert.Equal(0, r.ExitCode);
        Assert.True(r.Rows.Count > 10);
        Assert.All(r.Rows, x => Assert.NotEqual("", x[0]));
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void The_pseudo_TLS_hellos_are_decoded_into_the_fields_Wiresharks_TLS_dissector_reads(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        // Without the script, Wireshark's TLS dissector reads the same bytes as TLS: same handshake types, suites,
        // randoms.
        const string filter = "frame.number == 476 || frame.number == 487";
        var capture = Repo.CorpusFile(TeamsOver4G);
        var tls = Bare(ws, capture, filter, "tls.handshake.type", "tls.handshake.ciphersuite", "tls.handshake.random");
        var ours = TsharkCli.Fields(ws, capture, filter, "msturn.pseudo_tls.hs_type", "msturn.pseudo_tls.cipher_suite",
            "msturn.pseudo_tls.random");
        Assert.False(ours.LuaLoadError, ours.Stderr);
        Assert.Equal(2, ours.Rows.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(tls[i][0], ours.Rows[i][0]);
            Assert.Equal(Convert.ToInt32(tls[i][1], 16), Convert.ToInt32(ours.Rows[i][1], 16));
            Assert.Equal(tls[i][2].Replace(":", "", StringComparison.Ordinal), ours.Rows[i][2]);
        }
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void ICE_checks_inside_DATA_are_found_by_stun_filters(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        var r = TsharkCli.Fields(ws, Repo.CorpusFile(SkypeAudio), "msturn.type == 0x0115 && stun", "stun.type",
            "_ws.col.Info", "_ws.col.Protocol");
        Assert.False(r.LuaLoadError, r.Stderr);
        Assert.NotEmpty(r.Rows);
        Assert.All(r.Rows, x => Assert.StartsWith("Data Indication", x[1]));
        Assert.All(r.Rows, x => Assert.Equal("MS-TURN", x[2]));
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void Out_of_order_segments_are_decoded_once_and_those_TCP_keeps_back_only_with_the_preference_on(
        string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        // Frames 794 and 4389 are out-of-order segments holding an Allocate response each (bytes 01 03 after the
        // 4-byte frame header). TCP 4.0 and 4.4 do not hand them on; 4.6's does (to TLS, without the Lua).
        var capture = Repo.CorpusFile(TeamsOver4G);
        var filter = "frame.number == 794 || frame.number == 4389";
        var bare = Bare(ws, capture, filter, "tcp.payload", "frame.protocols");
        Assert.All(bare, x => Assert.StartsWith("020000", x[0]));
        var tcpHandsOn = bare.All(x => x[1] != "eth:ethertype:ip:tcp");
        var r = TsharkCli.Fields(ws, capture, filter, "msturn.type");
        Assert.Equal(["0x0103", "0x0103"], r.Rows.Select(x => x[0]));
        var off = Run(ws, "-X", "lua_script:" + Repo.Dissector, "-o", "msturn.late_segments:FALSE", "-r", capture,
            "-Y", $"({filter}) && msturn", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "frame.number", "-e", "frame.protocols", "-e", "msturn.type");
        if (tcpHandsOn)
        {
            // Segments TCP hands on are the stream's, decoded once by the TCP path, whatever the preference.
            Assert.Equal(["794", "4389"], off.Rows.Select(x => x[0]));
            Assert.All(off.Rows, x => Assert.EndsWith(":tcp:msturn_tcp", x[1]));
            Assert.All(off.Rows, x => Assert.Equal("0x0103", x[2]));
        }
        else
            Assert.Empty(off.Rows);
    }
}

/// <summary>Wireshark 4.6 leaves Lua's internal items out of its protocol hierarchy, so with the script it must not
/// change.</summary>
public class ProtocolHierarchyTests
{
    [Theory, OnWireshark("4.6", Corpus = true)]
    public void The_protocol_hierarchy_of_other_traffic_is_unchanged(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        foreach (var c in new[] { "MxDx+LINFO1341_Projet/NAT analysis/call_relay_2.pcap",
            "hugodel07+LINFO1341-DiscordK/trace_9_discord_call_via_website.pcapng" })
        {
            var bare = ws.Tshark(["-r", Repo.CorpusFile(c), "-q", "-z", "io,phs"]);
            var lua = ws.Tshark(["-X", "lua_script:" + Repo.Dissector, "-r", Repo.CorpusFile(c), "-q", "-z", "io,phs"]);
            Assert.Equal(0, lua.ExitCode);
            Assert.Equal(bare.Stdout, lua.Stdout);
        }
    }
}
