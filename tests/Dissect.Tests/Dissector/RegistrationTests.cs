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
        var raw = Row(wireshark, "-o", "msturn.data_mode:3");
        Assert.Equal("", raw[1]);
        Assert.NotEqual("", raw[2]);
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
