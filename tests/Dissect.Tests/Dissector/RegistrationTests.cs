using System.Net;
using Dissect.Capture;
using Dissect.Capture.Fixtures;
using Dissect.Schema.Protocols;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Dissector;

/// <summary>Heuristics, Decode As and preferences of the generated dissector, with the real tshark.</summary>
public class RegistrationTests
{
    private static string Capture()
    {
        var path = Path.Combine(Repo.TempDir("reg"), "port5000.pcap");
        using var w = PcapWriter.Create(path);
        var server = new IPEndPoint(IPAddress.Parse("20.202.1.6"), 5000);
        w.Udp(MsTurnFixtures.Start, MsTurnFixtures.Client, server, new StunMessage(MsTurn.Spec, MsTurn.Ms, 0x0004,
            1).UInt32(0x8008, 6)
            .Address(0x0011, MsTurnFixtures.Peer).Raw(0x0013, Media.Srtp(108, 1, 1, 0x42, 40, 1)).Encode());
        return path;
    }

    private static string[] Row(string wireshark, params string[] extra)
    {
        var args = new List<string> { "-X", "lua_script:" + Repo.Dissector, "-r", Capture(), "-T", "fields", "-E",
            "occurrence=a", "-E", "aggregator=,",
            "-e", "msturn.type", "-e", "msturn.media", "-e", "msturn.media.data" };
        args.InsertRange(0, extra);
        var r = Wireshark.Get(wireshark).Tshark(args);
        Assert.False(r.LuaLoadError, r.Stderr);
        return r.Stdout.TrimEnd('\n').Split('\t');
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void The_UDP_heuristic_finds_MS_TURN_on_any_port(string wireshark)
    {
        Assert.Equal("0x0004", Row(wireshark)[0]);
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void With_the_heuristic_off_only_Decode_As_decodes_the_port(string wireshark)
    {
        Assert.Equal("", Row(wireshark, "--disable-heuristic", "msturn_udp")[0]);
        Assert.Equal("0x0004", Row(wireshark, "--disable-heuristic", "msturn_udp", "-d", "udp.port==5000,msturn")[0]);
        Assert.Equal("", Row(wireshark, "-o", "msturn.heur_udp:FALSE")[0]);
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void The_DATA_preference_chooses_how_relayed_bytes_are_shown(string wireshark)
    {
        Assert.Equal("SRTP", Row(wireshark)[1]);
        var raw = Row(wireshark, "-o", "msturn.data_mode:raw");
        Assert.Equal("", raw[1]);
        Assert.NotEqual("", raw[2]);
        Assert.Equal("SRTP", Row(wireshark, "-o", "msturn.data_mode:Raw bytes", "-o", "msturn.data_mode:auto")[1]);
    }

    private const string SeedCall = "Lopiuy+LINFO1341_P1/Traces/audio.pcapng";
    private const string MuxCall = "Lopiuy+LINFO1341_P1/Traces/SurEduroam/audio.pcapng";

    // Frames per top protocol after UDP ("msturn", "stun"…), as tshark lists them with the dissector and the options.
    private static Dictionary<string, int> Layers(string wireshark, string capture, params string[] extra)
    {
        var r = Wireshark.Get(wireshark).Tshark(["-X", "lua_script:" + Repo.Dissector, .. extra,
            "-r", Repo.CorpusFile(capture), "-Y", "udp", "-T", "fields", "-e", "frame.protocols"]);
        Assert.True(r.ExitCode == 0 && !r.LuaLoadError, r.Stderr);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(":udp:") is [_, var rest] ? rest.Split(':')[0] : "")
            .GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
    }

    private static int Of(Dictionary<string, int> layers, string proto) => layers.GetValueOrDefault(proto);

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void A_Decode_As_to_MS_TURN_survives_a_preference_that_drops_its_port(string wireshark)
    {
        // tshark applies -d before -o: the port the preference drops is the one Decode As asked for.
        var asked = Layers(wireshark, SeedCall, "--disable-heuristic", "msturn_udp", "-o", "msturn.udp_ports:",
            "-d", "udp.port==3478,msturn");
        var dropped = Layers(wireshark, SeedCall, "--disable-heuristic", "msturn_udp", "-o", "msturn.udp_ports:");
        Assert.True(Of(asked, "msturn") > 1000, string.Join(", ", asked));
        Assert.Equal(0, Of(asked, "stun"));
        Assert.Equal(0, Of(dropped, "msturn"));
        Assert.True(Of(dropped, "stun") > 100);
        // The multiplexed relay port of the eduroam call, asked for by Decode As while the preference names another.
        var mux = Layers(wireshark, MuxCall, "--disable-heuristic", "msturn_udp", "-o", "msturn.mux_ports:3481",
            "-d", "udp.port==3480,msturn");
        Assert.Equal(Of(Layers(wireshark, MuxCall), "msturn"), Of(mux, "msturn"));
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void A_Decode_As_to_the_built_in_STUN_on_a_default_port_is_kept(string wireshark)
    {
        var stun = Layers(wireshark, SeedCall, "-d", "udp.port==3478,stun");
        Assert.Equal(0, Of(stun, "msturn"));
        // Another preference changing does not take the port back.
        Assert.Equal(0, Of(Layers(wireshark, SeedCall, "-d", "udp.port==3478,stun", "-o", "msturn.mux_ports:3482"),
            "msturn"));
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void Without_multiplexed_ports_the_heuristic_still_keeps_the_relay_flow_from_STUN(string wireshark)
    {
        var withPorts = Layers(wireshark, MuxCall);
        var without = Layers(wireshark, MuxCall, "-o", "msturn.mux_ports:");
        Assert.True(Of(withPorts, "msturn") > 3000, string.Join(", ", withPorts));
        Assert.Equal(Of(withPorts, "msturn"), Of(without, "msturn"));
        Assert.Equal(Of(withPorts, "stun"), Of(without, "stun"));
    }
}

public class ReadmeFilterTests
{
    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Every_display_filter_the_README_shows_is_valid(string wireshark)
    {
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));
        var filters = System.Text.RegularExpressions.Regex.Matches(readme,
            "`(msturn\\.[^`]+)`").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(filters.Count >= 6, string.Join(" | ", filters));
        foreach (var f in filters)
        {
            var r = Wireshark.Get(wireshark).Tshark(["-X", "lua_script:" + Repo.Dissector, "-r", Path.Combine(Repo.Root,
                "samples", "demo.pcap"), "-Y", f]);
            Assert.True(r.ExitCode == 0, $"'{f}': {r.Stderr}");
        }
    }
}
