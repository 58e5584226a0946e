using System.Text.RegularExpressions;
using Dissect.Analysis;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Analysis;

/// <summary>Error responses with their meaning: code, reason, REALM and ALTERNATE-SERVER, read apart in
/// tshark.</summary>
public class StunErrorTests
{
    internal static ReportModel Analyze(string capture)
    {
        var json = Path.Combine(Repo.TempDir("stunerr"), "m.json");
        var (code, _, err) = DissectCli.Run("analyze", capture, "--json", json);
        Assert.True(code == 0, err);
        return ReportJson.Read(json);
    }

    [CorpusFact]
    public void Ms_turn_allocate_errors_carry_401_their_realm_and_the_alternate_server_as_tshark_shows_them()
    {
        var capture = Repo.CorpusFile("Lopiuy+LINFO1341_P1/Traces/audio.pcapng");
        var model = Analyze(capture);
        // The independent reading: tshark's own packet tree (-V) of each error frame, parsed as text.
        var frames = TsharkCli.Run("-X", "lua_script:" + Repo.Dissector, "-r", capture, "-Y", "msturn.type == 0x0113",
            "-T", "fields", "-e", "frame.number").Rows.Select(r => long.Parse(r[0])).ToList();
        Assert.NotEmpty(frames);
        Assert.Equal(frames.Count, model.Stun.ErrorResponses.Sum(e => e.Count));
        foreach (var e in model.Stun.ErrorResponses)
        {
            var tree = TsharkCli.Run("-X", "lua_script:" + Repo.Dissector, "-r", capture, "-Y",
                $"frame.number == {e.FirstFrame}",
                "-O", "msturn", "-V").Stdout;
            var cls = int.Parse(Regex.Match(tree, @"Error class: (\d+)").Groups[1].Value);
            var number = int.Parse(Regex.Match(tree, @"Error number: (\d+)").Groups[1].Value);
            Assert.Equal(cls * 100 + number, e.Code);
            Assert.Equal(Regex.Match(tree, @"Reason phrase: (.*)").Groups[1].Value.Trim(), e.Reason);
            Assert.Equal(Regex.Match(tree, @"Realm: ""?([^""\r\n]*)""?").Groups[1].Value, e.Realm);
            Assert.Equal(Regex.Match(tree, @"ALTERNATE-SERVER \(0x000e\): (\S+)").Groups[1].Value, e.AlternateServer);
        }
        Assert.Equal(401, model.Stun.ErrorResponses[0].Code);
        Assert.Equal("rtcmedia", model.Stun.ErrorResponses[0].Realm);
    }

    [CorpusFact]
    public void Other_apps_stun_errors_are_read_from_wiresharks_own_dissector_with_ipv6_servers_in_brackets()
    {
        var capture = Repo.CorpusFile("MxDx+LINFO1341_Projet/NAT analysis/call_relay_2.pcap");
        var model = Analyze(capture);
        var rows = TsharkCli.Fields(capture, "stun.att.error", "frame.number", "stun.att.error.class", "stun.att.error",
            "stun.att.error.reason", "stun.att.realm").Rows;
        Assert.Equal(rows.Count, model.Stun.ErrorResponses.Sum(e => e.Count));
        foreach (var e in model.Stun.ErrorResponses)
        {
            var row = rows.Single(r =>
                r[0] == e.FirstFrame.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(int.Parse(row[1]) * 100 + int.Parse(row[2]), e.Code);
            Assert.Equal(row[3], e.Reason);
            Assert.Equal(row[4], e.Realm);
        }
        Assert.Contains(model.Stun.ErrorResponses, e => e.Server == "[2600:1900:40c0:be62:0:1b::]:3478");
    }
}

public class IceNatTests
{
    [CorpusFact]
    public void Answers_to_ice_checks_show_nat_as_a_peer_reflexive_address_kept_apart_from_server_mapped_ones()
    {
        var capture = Repo.CorpusFile("hugodel07+LINFO1341-DiscordK/trace_9_discord_call_via_website.pcapng");
        var model = StunErrorTests.Analyze(capture);
        // Independent reading: the XOR-MAPPED-ADDRESS of Binding success responses sent to the local host.
        var expected = TsharkCli.Fields(capture, "stun.type == 0x0101 && ip.dst == 192.168.1.47", "stun.att.ipv4",
            "stun.att.port")
            .Rows.Select(r => $"{r[0]}:{r[1]}").Distinct().ToList();
        Assert.Equal(["87.65.203.123:49552"], expected);
        Assert.Equal(expected, model.Stun.PeerReflexiveAddresses);
        Assert.Empty(model.Stun.MappedAddresses);   // no STUN server said it: kept apart
        Assert.Equal("nat-ice", model.Stun.Nat.Verdict);
        Assert.Equal(["192.168.1.47"], model.Stun.Nat.Local);
        Assert.Equal(["87.65.203.123"], model.Stun.Nat.Public);
    }

    [CorpusFact]
    public void A_relays_own_address_seen_in_relayed_checks_is_not_the_clients_nat()
    {
        // Once Skype's raw mode carries the ICE checks through the relay, their answers show the relay's address: how
        // the peer sees the client through the relay, not the client's public address.
        var capture = Repo.CorpusFile("Lopiuy+LINFO1341_P1/Traces/AppelLocalIpad.pcapng");
        var model = StunErrorTests.Analyze(capture);
        // Independent reading: the hosts the client sent Allocate requests to (tshark with the dissector).
        var relays = TsharkCli.Fields(capture, "msturn.type == 0x0003", "ip.dst").Rows.Select(r => r[0]).ToHashSet();
        Assert.Contains("20.202.146.142", relays);
        Assert.Equal("nat", model.Stun.Nat.Verdict);
        Assert.Equal(["81.247.114.53"], model.Stun.Nat.Public);
        Assert.DoesNotContain(model.Stun.MappedAddresses, m => relays.Contains(Net.Host(m)));
    }

    [CorpusFact]
    public void A_peer_that_sends_its_own_checks_is_not_listed_as_a_stun_server()
    {
        // WhatsApp's checks carry no PRIORITY: the peer is told by its own Binding requests to the private host.
        var capture = Repo.CorpusFile("ntop+nDPI/tests/cfgs/default/pcap/stun_wa_call.pcapng");
        var model = StunErrorTests.Analyze(capture);
        // Independent reading (Wireshark's own STUN dissector): the public ends that sent requests to a private one.
        var askers = TsharkCli.BareFields(capture, "stun.type.class == 0x0000 && ip.dst == 192.168.0.0/16"
            + " && !(ip.src == 192.168.0.0/16)", ["ip.src", "udp.srcport"]).Rows.Select(r => $"{r[0]}:{r[1]}")
            .ToHashSet();
        Assert.Contains("93.33.118.87:41107", askers);
        Assert.NotEmpty(model.Stun.Servers);
        Assert.DoesNotContain(model.Stun.Servers, askers.Contains);
        Assert.Contains("93.57.123.227:3478", model.Stun.Servers);
    }
}

public class Ipv6StunTests
{
    [CorpusFact]
    public void Ipv6_allocations_are_read_with_their_addresses_in_brackets_as_tshark_decodes_them()
    {
        var capture = Repo.CorpusFile("MxDx+LINFO1341_Projet/NAT analysis/call_relay_2.pcap");
        var json = Path.Combine(Repo.TempDir("v6"), "m.json");
        Assert.Equal(0, DissectCli.Run("analyze", capture, "--json", json).Code);
        var model = ReportJson.Read(json);
        // Independent reading: XOR-MAPPED-ADDRESS of the Allocate success responses sent over IPv6.
        var rows = TsharkCli.Fields(capture, "stun.type == 0x0103 && ipv6", "frame.number", "stun.att.ipv6",
            "stun.att.port").Rows;
        Assert.Equal(2, rows.Count);
        foreach (var r in rows)
        {
            var alloc = Assert.Single(model.Stun.Allocations, a => a.Frame == long.Parse(r[0]));
            Assert.Equal($"[{r[1].Split(',')[0]}]:{r[2].Split(',')[^1]}", alloc.Mapped);
            Assert.StartsWith("[2600:1900:40c0:be62:0:1b::]", alloc.Server);
        }
    }
}
