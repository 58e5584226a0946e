using Dissect.Capture;
using Dissect.Capture.Fixtures;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Dissector;

/// <summary>One capture built from the schema, dissected once per Wireshark version by the real tshark with the
/// generated Lua.</summary>
public sealed class CallFixture
{
    private static readonly Lazy<string> Capture = new(() =>
    {
        var path = System.IO.Path.Combine(Repo.TempDir("call"), "call.pcap");
        using (var w = PcapWriter.Create(path))
            MsTurnFixtures.WriteCall(w);
        return path;
    });

    private static readonly Dictionary<string, Lazy<CallFixture>> ByVersion =
        Wireshark.Versions.ToDictionary(v => v, v => new Lazy<CallFixture>(() => new CallFixture(Wireshark.Get(v))));

    public static CallFixture For(string version) => ByVersion[version].Value;

    public string Path { get; }
    public Dictionary<int, string[]> Rows { get; }
    public Proc.Result Result { get; }

    public static readonly string[] Fields =
    [
        "frame.number", "msturn.type", "msturn.att.type", "msturn.att.ipv4", "msturn.att.port", "msturn.media",
            "msturn.mux.session_in",
        "msturn.request_in", "msturn.response_in", "msturn.att.lifetime", "msturn.att.ms_sequence_number.sequence",
            "msturn.att.realm",
        "msturn.att.error_code.number", "msturn.media.raw_since", "_ws.lua.error", "_ws.malformed", "stun.type",
            "msturn.att.ms_service_quality.stream_type",
        "msturn.srtcp.index", "rtp.ssrc", "msturn.framing.type", "_ws.col.Info",
    ];

    private CallFixture(Wireshark ws)
    {
        Path = Capture.Value;
        Result = TsharkCli.Fields(ws, Path, null, Fields);
        Rows = Result.Rows.ToDictionary(r => int.Parse(r[0]), r => r);
    }

    public string Get(int frame, string field) => Rows[frame][Array.IndexOf(Fields, field)];
}

public class FixtureDecodingTests
{
    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void The_dissector_loads_without_Lua_errors(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        Assert.False(fx.Result.LuaLoadError, fx.Result.Stderr);
        Assert.All(fx.Rows.Values, r => Assert.Equal("", r[Array.IndexOf(CallFixture.Fields, "_ws.lua.error")]));
        Assert.All(fx.Rows.Values, r => Assert.Equal("", r[Array.IndexOf(CallFixture.Fields, "_ws.malformed")]));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Every_message_type_is_decoded_from_its_frame(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        foreach (var (frame, type) in MsTurnFixtures.CallMessageTypes.Concat(MsTurnFixtures.CallTcpMessageTypes))
            Assert.True(fx.Get(frame,
                "msturn.type").Split(',')[0] == $"0x{type:x4}", $"frame {frame}: {fx.Get(frame, "msturn.type")}");
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Unpadded_attributes_are_walked_in_order(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        Assert.Equal("0x000f,0x8008,0x0009,0x000e,0x0014,0x0015,0x0001,0x8095,0x8020", fx.Get(2, "msturn.att.type"));
        Assert.Equal("\"rtcmedia\"", fx.Get(2, "msturn.att.realm"));
        Assert.Equal("1", fx.Get(2, "msturn.att.error_code.number"));
        // The Send request's odd-length DATA is followed directly by MESSAGE-INTEGRITY.
        Assert.Equal("0x000f,0x8008,0x0006,0x0011,0x0013,0x0008", fx.Get(5, "msturn.att.type"));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Plain_and_XOR_ed_addresses_decode_to_the_same_endpoints(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        // 0x0103: MAPPED-ADDRESS in clear, XOR-MAPPED-ADDRESS XOR-ed with the transaction id.
        Assert.Equal("20.202.147.12,81.247.114.53", fx.Get(4, "msturn.att.ipv4"));
        Assert.Equal("3480,30936", fx.Get(4, "msturn.att.port"));
        // REMOTE-ADDRESS is not XOR-ed in MS-TURN.
        Assert.StartsWith("87.65.99.139", fx.Get(6, "msturn.att.ipv4"));
        Assert.StartsWith("25710", fx.Get(6, "msturn.att.port"));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void MS_SEQUENCE_NUMBER_is_read_in_both_of_its_lengths(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        Assert.Equal("0", fx.Get(4, "msturn.att.ms_sequence_number.sequence"));
        Assert.Equal("1", fx.Get(8, "msturn.att.ms_sequence_number.sequence"));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void DATA_is_handed_on_as_STUN_SRTP_or_SRTCP(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        Assert.Equal("SRTP", fx.Get(5, "msturn.media"));
        // SRTP's clear header is Wireshark's RTP layer; the ICE check inside DATA is Wireshark's STUN.
        Assert.Equal("0x0000ac6d", fx.Get(5, "rtp.ssrc"));
        Assert.Equal("0x0115", fx.Get(6, "msturn.type"));
        Assert.Equal("0x0001", fx.Get(6, "stun.type"));
        Assert.Equal("SRTCP", fx.Get(7, "msturn.media"));
        Assert.Equal("0", fx.Get(7, "msturn.srtcp.index"));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void The_Info_column_names_the_message_its_peer_and_what_it_carries(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        Assert.Equal("Send request to 87.65.99.139:25710 [SRTP]", fx.Get(5, "_ws.col.Info"));
        Assert.Equal("Data Indication from 87.65.99.139:25710 [Binding request]", fx.Get(6, "_ws.col.Info"));
        Assert.Equal("Allocate response lifetime 60 s, mapped 81.247.114.53:30936", fx.Get(4, "_ws.col.Info"));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Requests_and_responses_are_matched_by_transaction_id(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        Assert.Equal("3", fx.Get(4, "msturn.request_in"));
        Assert.Equal("8", fx.Get(9, "msturn.request_in"));
        Assert.Equal("", fx.Get(5, "msturn.request_in"));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Media_after_Set_Active_Destination_is_raw_relayed_media(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        Assert.Equal("9", fx.Get(10, "msturn.media.raw_since"));
        Assert.Equal("9", fx.Get(11, "msturn.media.raw_since"));
        Assert.Equal("SRTP", fx.Get(10, "msturn.media"));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Multiplexed_frames_are_linked_to_the_session_id_attribute(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        Assert.Equal("2", fx.Get(14, "msturn.mux.session_in"));
        Assert.Equal("SRTP", fx.Get(14, "msturn.media"));
        Assert.Equal("0x0101", fx.Get(15, "stun.type"));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Ordinary_STUN_on_the_server_port_goes_to_the_built_in_dissector(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        Assert.Equal("", fx.Get(16, "msturn.type"));
        Assert.Equal("0x0001", fx.Get(16, "stun.type"));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void TCP_framing_is_reassembled_after_the_pseudo_TLS_hello(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        Assert.Contains("Pseudo-TLS", fx.Get(20, "_ws.col.Info"));
        Assert.Equal("", fx.Get(22, "msturn.type"));
        Assert.Equal("0x0003", fx.Get(23, "msturn.type"));
        Assert.Equal("81.247.114.53", fx.Get(24, "msturn.att.ipv4").Split(',')[1]);
        Assert.Equal("0", fx.Get(25, "msturn.att.lifetime"));
        Assert.Equal("0x02,0x03", fx.Get(25, "msturn.framing.type"));
    }
}

public class TwoPassTests
{
    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void A_second_pass_as_in_Wireshark_links_requests_to_their_responses_and_decodes_the_same(string wireshark)
    {
        var fx = CallFixture.For(wireshark);
        var r = Wireshark.Get(wireshark).Tshark(["-2", "-X", "lua_script:" + Repo.Dissector, "-r", fx.Path, "-T",
            "fields", "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "frame.number", "-e", "msturn.type", "-e", "msturn.response_in", "-e", "msturn.media.raw_since", "-e",
                "_ws.lua.error"]);
        Assert.False(r.LuaLoadError, r.Stderr);
        var rows = r.Rows.ToDictionary(x => int.Parse(x[0]));
        Assert.Equal("4", rows[3][2]);
        Assert.Equal("9", rows[8][2]);
        Assert.Equal("", rows[5][2]);
        Assert.Equal("9", rows[10][3]);
        Assert.All(rows.Values, x => Assert.Equal("", x[4]));
        foreach (var (frame, row) in rows)
            Assert.Equal(fx.Get(frame, "msturn.type"), row[1]);
    }
}
