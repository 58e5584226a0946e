using System.Net;
using Dissect.Capture.Tls;

namespace Dissect.Capture.Fixtures;

/// <summary>
/// The embedded sample: a DNS lookup through a CNAME chain (A and AAAA) followed by a relayed MS-TURN call,
/// all built by Dissect itself so the sample carries no one's personal traffic.
/// </summary>
public static class DemoCapture
{
    public static readonly IPEndPoint Resolver = new(IPAddress.Parse("192.168.1.1"), 53);
    public const string Name = "turn.teams.example.com";
    public const string Alias1 = "turn.teams.trafficmanager.example.net";
    public const string Canonical = "relay-eu-1.cloudapp.example.net";
    public const string WebName = "teams.example.com";
    public static readonly IPEndPoint Web = new(IPAddress.Parse("52.113.194.132"), 443);
    public static readonly DateTimeOffset CertNotBefore = new(2023, 1, 10, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset CertNotAfter = new(2024, 1, 10, 0, 0, 0, TimeSpan.Zero);

    public static void Write(string path)
    {
        using var w = PcapWriter.Create(path);
        var client = new IPEndPoint(MsTurnFixtures.Client.Address, 53124);
        var t = MsTurnFixtures.Start.AddSeconds(-1);
        w.Udp(t, client, Resolver, DnsMessage.Query(0x1a2b, Name, 1));
        w.Udp(t.AddMilliseconds(1), client, Resolver, DnsMessage.Query(0x1a2c, Name, 28));
        w.Udp(t.AddMilliseconds(20), Resolver, client, DnsMessage.Response(0x1a2b, Name, 1,
            new(Name, 5, 300, Alias1), new(Alias1, 5, 60, Canonical), new(Canonical, 1, 30,
                MsTurnFixtures.Server.Address.ToString())));
        w.Udp(t.AddMilliseconds(22), Resolver, client, DnsMessage.Response(0x1a2c, Name, 28,
            new(Name, 5, 300, Alias1), new(Alias1, 5, 60, Canonical), new(Canonical, 28, 30, "2603:1027:1:28::6")));
        // A TLS 1.2 handshake: the client offers TLS 1.3 and 1.2, the server picks ECDHE-RSA-AES128-GCM-SHA256.
        w.Udp(t.AddMilliseconds(30), client, Resolver, DnsMessage.Query(0x1a2d, WebName, 1));
        w.Udp(t.AddMilliseconds(45), Resolver, client, DnsMessage.Response(0x1a2d, WebName, 1,
            new DnsMessage.Answer(WebName, 1, 120, Web.Address.ToString())));
        var tls = new TcpFlow(w, new IPEndPoint(client.Address, 53200), Web);
        tls.Open(t.AddMilliseconds(50));
        tls.ClientSends(t.AddMilliseconds(60), TlsRecords.ClientHello(WebName, ["h2", "http/1.1"], [0x1301, 0x1302,
            0xC02F, 0xC030, 0xCCA8, 0xC013, 0x009C, 0x002F, 0x000A], [0x0304, 0x0303], 7));
        var cert = TlsRecords.Certificate(WebName, [WebName, "*.teams.example.com"], CertNotBefore, CertNotAfter,
            0x0d155ec7);
        tls.ServerSends(t.AddMilliseconds(90), TlsRecords.ServerFlight(0xC02F, [cert], 8));
        MsTurnFixtures.WriteCall(w);
    }
}
