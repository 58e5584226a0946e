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
}
