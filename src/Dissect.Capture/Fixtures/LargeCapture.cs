using System.Net;
using Dissect.Capture.Tls;
using Dissect.Schema.Protocols;

namespace Dissect.Capture.Fixtures;

/// <summary>
/// A large capture for benchmarks: many relayed calls (MS-TURN Send/Data with SRTP, raw RTP), DNS lookups and
/// TLS handshakes on distinct 5-tuples, so tshark does real work on every packet (no copied retransmissions).
/// </summary>
public static class LargeCapture
{
    public static long Write(string path, int packets)
    {
        using var w = PcapWriter.Create(path);
        var t = MsTurnFixtures.Start;
        var server = MsTurnFixtures.Server;
        var dns = new IPEndPoint(IPAddress.Parse("192.168.1.1"), 53);
        var cert = TlsRecords.Certificate(DemoCapture.WebName, [DemoCapture.WebName], DemoCapture.CertNotBefore,
            DemoCapture.CertNotAfter, 1);
        var serverFlight = TlsRecords.ServerFlight(0xC02F, [cert], 2);
        var clientHello = TlsRecords.ClientHello(DemoCapture.WebName, ["h2"], [0x1301, 0xC02F, 0xC030], [0x0304,
            0x0303], 3);
        var i = 0;
        ushort seq = 0;
        while (w.Packets < packets)
        {
            t = t.AddMilliseconds(2);
            var client = new IPEndPoint(MsTurnFixtures.Client.Address, 20000 + i / 1000 % 40000);
            if (i % 200 == 0)
            {
                var name = $"host{i}.example.com";
                w.Udp(t, new IPEndPoint(client.Address, 40000 + i % 20000), dns, DnsMessage.Query((ushort)i, name, 1));
                w.Udp(t.AddMilliseconds(1), dns, new IPEndPoint(client.Address, 40000 + i % 20000),
                    DnsMessage.Response((ushort)i, name, 1,
                    new DnsMessage.Answer(name, 5, 60, "cdn.example.net"), new DnsMessage.Answer("cdn.example.net", 1,
                        60, "52.113.194.132")));
            }
            else if (i % 1000 == 1)
            {
                var flow = new TcpFlow(w, new IPEndPoint(client.Address, 30000 + i / 1000 % 30000), DemoCapture.Web);
                flow.Open(t);
                flow.ClientSends(t.AddMilliseconds(3), clientHello);
                flow.ServerSends(t.AddMilliseconds(6), serverFlight);
            }
            else if (i % 3 == 0)
            {
                w.Udp(t, client, server, new StunMessage(MsTurn.Spec, MsTurn.Ms, 0x0004, i).UInt32(0x8008,
                    6).Address(0x0011, MsTurnFixtures.Peer)
                    .Raw(0x0013, Media.Srtp(108, seq++, (uint)i * 160, 0xac6d, 120 + i % 7, i)).Encode());
            }
            else if (i % 3 == 1)
            {
                w.Udp(t, server, client, new StunMessage(MsTurn.Spec, MsTurn.Ms, 0x0115, i).Address(0x0012,
                    MsTurnFixtures.Peer)
                    .Raw(0x0013, Media.Srtp(108, seq++, (uint)i * 160, 0x1234, 120 + i % 5, i)).Encode());
            }
            else
            {
                w.Udp(t, new IPEndPoint(client.Address, 50000 + i % 1000), new IPEndPoint(MsTurnFixtures.Peer.Address,
                    25710), Media.Srtp(108, seq++, (uint)i * 160, 0x5678, 160, i));
            }
            i++;
        }
        return w.Packets;
    }
}
