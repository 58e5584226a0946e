using System.Globalization;
using System.Text;
using System.Text.Json;
using Dissect.Analysis;
using Dissect.Tshark;
using Xunit;

namespace Dissect.Tests.Analysis;

/// <summary>
/// Analyzers fed EK lines written by hand, as tshark would print them: fast tests of one rule each, beside the tests
/// that run the real tshark on real captures.
/// </summary>
public class CannedEkTests
{
    /// <summary>One EK line whose layers are the given fields (tshark's dotted names; values as lists).</summary>
    private static Packet Ek(params (string Field, string[] Values)[] fields)
    {
        var layers = fields.ToDictionary(f => f.Field, f => f.Values);
        var line = JsonSerializer.Serialize(new { timestamp = "1700000000000", layers });
        return new Packet(EkRecord.Parse(Encoding.UTF8.GetBytes(line), new Dictionary<string, string>()));
    }

    private static (string, string[]) F(string field, params string[] values) => (field, values);

    private static Packet Dns(long frame, string src, string dst, bool response, string name, int type,
        params (string, string[])[] more) => Ek([F("frame.number", $"{frame}"), F("frame.time_epoch", $"{frame}.0"),
            F("frame.protocols", "eth:ethertype:ip:udp:dns"), F("ip.src", src), F("ip.dst", dst),
            F("udp.srcport", response ? "53" : "40000"), F("udp.dstport", response ? "40000" : "53"),
            F("dns.id", "0x1234"), F("dns.flags.response", response ? "1" : "0"), F("dns.qry.name", name),
            F("dns.qry.type", $"{type}"), .. more]);

    [Fact]
    public void Queries_to_the_hosts_own_stub_resolver_are_counted_apart_and_the_first_frame_kept()
    {
        var dns = new DnsAnalyzer();
        dns.Add(Dns(5, "192.168.1.9", "127.0.0.53", false, "a.example.net", 1));
        dns.Add(Dns(6, "192.168.1.9", "192.168.1.1", false, "a.example.net", 1));
        dns.Add(Dns(7, "192.168.1.1", "192.168.1.9", true, "a.example.net", 1, F("dns.count.answers", "2"),
            F("dns.resp.name", "a.example.net", "edge.cdn.example"), F("dns.resp.type", "5", "1"),
            F("dns.resp.ttl", "60", "60"), F("dns.cname", "edge.cdn.example"), F("dns.a", "203.0.113.7")));
        var section = dns.Build([]);
        Assert.Equal(new Dictionary<string, int> { ["127.0.0.53"] = 1 }, section.StubResolverQueries);
        Assert.Equal(2, section.QueryCount);
        var name = Assert.Single(section.Names, n => n.Name == "a.example.net");
        Assert.Equal(5, name.FirstFrame);
        var chain = Assert.Single(name.Chains);
        Assert.Equal(["edge.cdn.example"], chain.Cnames);
        Assert.Equal(7, chain.FirstFrame);
        Assert.Equal(["203.0.113.7"], name.IPv4);
    }

    private static Packet Hello(long frame, string type, params (string, string[])[] more) => Ek([
        F("frame.number", $"{frame}"), F("frame.time_epoch", $"{frame}.0"),
        F("frame.protocols", "eth:ethertype:ip:tcp:tls"), F("ip.src", type == "2" ? "198.51.100.4" : "192.168.1.9"),
        F("ip.dst", type == "2" ? "192.168.1.9" : "198.51.100.4"), F("tcp.stream", "3"),
        F("tcp.srcport", type == "2" ? "443" : "50000"), F("tcp.dstport", type == "2" ? "50000" : "443"),
        F("tls.handshake.type", type), .. more]);

    [Fact]
    public void A_second_ClientHello_after_a_HelloRetryRequest_keeps_the_connections_first_frame()
    {
        var tls = new TlsAnalyzer();
        tls.Add(Hello(10, "1", F("tls.handshake.extensions_server_name", "x.example.org"),
            F("tls.handshake.ciphersuite", "0x1301")));
        tls.Add(Hello(11, "2", F("tls.handshake.ciphersuite", "0x1301"),
            F("tls.handshake.extensions.supported_version", "0x0304")));
        tls.Add(Hello(12, "1", F("tls.handshake.extensions_server_name", "x.example.org"),
            F("tls.handshake.ciphersuite", "0x1301")));
        var c = Assert.Single(tls.Build().Connections);
        Assert.Equal((10L, "x.example.org"), (c.Frame, c.Sni));
        Assert.Equal(2, tls.Build().ClientHellos);
    }

    private static Packet Frame(long frame, double time, int len, string protocols, params (string, string[])[] more) =>
        Ek([F("frame.number", $"{frame}"), F("frame.time_epoch", time.ToString("0.000", CultureInfo.InvariantCulture)),
            F("frame.len", $"{len}"), F("frame.protocols", protocols), .. more]);

    [Fact]
    public void Conversations_count_both_ways_with_IPv6_endpoints_in_brackets_and_layers_nested_as_tshark_does()
    {
        var net = new NetworkAnalyzer();
        net.Add(Frame(1, 1, 80, "eth:ethertype:ip:udp:dns", F("ip.src", "192.168.1.9"), F("ip.dst", "192.0.2.53"),
            F("udp.srcport", "40000"), F("udp.dstport", "53")));
        net.Add(Frame(2, 2, 120, "eth:ethertype:ip:udp:dns", F("ip.src", "192.0.2.53"), F("ip.dst", "192.168.1.9"),
            F("udp.srcport", "53"), F("udp.dstport", "40000")));
        net.Add(Frame(3, 3, 200, "eth:ethertype:ipv6:tcp:tls", F("ipv6.src", "2001:db8::9"),
            F("ipv6.dst", "2001:db8::1"), F("tcp.srcport", "50000"), F("tcp.dstport", "443")));
        net.Add(Frame(4, 4, 60, "eth:ethertype:arp"));
        var s = net.Build(new Dictionary<string, string> { ["192.0.2.53"] = "dns.example" });
        Assert.Equal((2L, 1L, 1L, 2L, 200L, 200L, 1L),
            (s.IPv4Packets, s.IPv6Packets, s.TcpPackets, s.UdpPackets, s.TcpBytes, s.UdpBytes, s.OtherPackets));
        // Equal bytes: ordered by the first endpoint's text.
        Assert.Equal([new Conversation("192.0.2.53:53", "192.168.1.9:40000", "UDP", 2, 200, "dns.example"),
            new Conversation("[2001:db8::1]:443", "[2001:db8::9]:50000", "TCP", 1, 200, null)], s.TopConversations);
        Assert.Equal([("eth", 4L), ("eth:arp", 1L), ("eth:ip", 2L), ("eth:ip:udp", 2L), ("eth:ip:udp:dns", 2L),
            ("eth:ipv6", 1L), ("eth:ipv6:tcp", 1L), ("eth:ipv6:tcp:tls", 1L)],
            s.ProtocolPaths.Select(x => (x.Protocol, x.Frames)));
        Assert.Equal(["192.168.1.9"], s.PrivateAddresses);
        Assert.Equal(3, s.PublicAddressCount);
        Assert.Equal("dns.example", Assert.Single(s.TopEndpoints, e => e.Address == "192.0.2.53").Name);
    }

    [Fact]
    public void Traffic_is_binned_by_class_with_every_packet_and_byte_kept()
    {
        var traffic = new TrafficAnalyzer();
        traffic.Add(Frame(1, 100.0, 90, "eth:ethertype:ip:udp:dns"));
        traffic.Add(Frame(2, 100.2, 1500, "eth:ethertype:ip:tcp:tls"));
        traffic.Add(Frame(3, 101.5, 200, "eth:ethertype:ip:udp:rtp", F("rtp.ssrc", "0x0000d8f1")));
        // DTLS that 4.4's RTP dissector handed on from a media conversation: no RTP header, not media.
        traffic.Add(Frame(7, 101.6, 150, "eth:ethertype:ip:udp:rtp:dtls"));
        traffic.Add(Frame(4, 103.9, 120, "eth:ethertype:ip:udp:msturn", F("msturn.type", "0x0003")));
        // A layer name without a message of ours is Wireshark 4.0's trace of a Lua call, not MS-TURN.
        traffic.Add(Frame(5, 103.9, 100, "eth:ethertype:ip:udp:msturn"));
        traffic.Add(Frame(6, 103.9, 60, "eth:ethertype:arp"));
        var s = traffic.Build(100.0);
        Assert.Equal(7, s.Bins.Sum(b => b.Packets));
        Assert.Equal(2220, s.Bins.Sum(b => b.Bytes));
        long Class(string c) => s.Bins.Sum(b => b.BytesByClass.GetValueOrDefault(c));
        Assert.Equal((90L, 1500L, 200L, 120L, 250L, 60L), (Class("DNS"), Class("TLS"), Class("Media"),
            Class("STUN/TURN"), Class("Other UDP"), Class("Other")));
        Assert.Equal(0, s.Bins[0].StartSeconds);
        Assert.True(s.Bins[^1].StartSeconds <= 3.9 && 3.9 < s.Bins[^1].StartSeconds + s.BinSeconds);
    }

    /// <summary>An MS-TURN Allocate exchange as tshark exports it with Dissect's dissector (Teams, appel_simple,
    /// frames 70-71): MAPPED-ADDRESS holds the relayed address, XOR-MAPPED-ADDRESS the client's public one.</summary>
    [Fact]
    public void An_allocate_success_gives_the_relayed_and_the_public_address_and_the_nat_they_show()
    {
        var stun = new StunAnalyzer();
        (string, string[])[] Udp(string src, string dst, string sport, string dport) =>
            [F("ip.src", src), F("ip.dst", dst), F("udp.srcport", sport), F("udp.dstport", dport)];
        stun.Add(Frame(70, 1678803308.1, 150, "eth:ethertype:ip:udp:msturn",
            [.. Udp("172.20.10.2", "52.114.227.8", "50004", "3478"), F("msturn.type", "0x0003"),
                F("msturn.flavour", "MS-TURN"), F("msturn.att.type", "0x000f", "0x0008")]));
        stun.Add(Frame(71, 1678803308.139, 230, "eth:ethertype:ip:udp:msturn",
            [.. Udp("52.114.227.8", "172.20.10.2", "3478", "50004"), F("msturn.type", "0x0103"),
                F("msturn.flavour", "MS-TURN"), F("msturn.att.type", "0x000f", "0x000d", "0x0001", "0x8008", "0x8020",
                    "0x8050", "0x8022", "0x0010", "0x0008"),
                F("msturn.att.ipv4", "52.114.227.186", "178.144.144.138"), F("msturn.att.port", "3480", "48131"),
                F("msturn.att.family", "0x01", "0x01"), F("msturn.att.lifetime", "60")]));
        var s = stun.Build();
        var a = Assert.Single(s.Allocations);
        Assert.Equal(new TurnAllocation("172.20.10.2:50004", "52.114.227.8:3478", "52.114.227.186:3480",
            "178.144.144.138:48131", 60, 71, false), a);
        Assert.Equal(["52.114.227.8:3478"], s.Servers);
        Assert.Equal(["178.144.144.138:48131"], s.MappedAddresses);
        Assert.Equal(["172.20.10.2"], s.Nat.Local);
        Assert.Equal(["178.144.144.138"], s.Nat.Public);
        Assert.Equal(71, s.Nat.EvidenceFrame);
        Assert.Equal(2, s.MsTurnMessages);
    }
}
