using System.Net;

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

    public static void Write(string path)
    {
        using var w = PcapWriter.Create(path);
        var client = new IPEndPoint(MsTurnFixtures.Client.Address, 53124);
        var t = MsTurnFixtures.Start.AddSeconds(-1);
        w.Udp(t, client, Resolver, DnsMessage.Query(0x1a2b, Name, 1));
        w.Udp(t.AddMilliseconds(1), client, Resolver, DnsMessage.Query(0x1a2c, Name, 28));
        w.Udp(t.AddMilliseconds(20), Resolver, client, DnsMessage.Response(0x1a2b, Name, 1,
            new(Name, 5, 300, Alias1), new(Alias1, 5, 60, Canonical), new(Canonical, 1, 30, MsTurnFixtures.Server.Address.ToString())));
        w.Udp(t.AddMilliseconds(22), Resolver, client, DnsMessage.Response(0x1a2c, Name, 28,
            new(Name, 5, 300, Alias1), new(Alias1, 5, 60, Canonical), new(Canonical, 28, 30, "2603:1027:1:28::6")));
        MsTurnFixtures.WriteCall(w);
    }
}
