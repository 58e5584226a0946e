using System.Net;

namespace Dissect.Capture.Fixtures;

/// <summary>The shapes of capture that once exhausted memory or report size; benchmarks and tests write them.</summary>
public enum StressShape
{
    /// <summary>UDP packets all sharing one timestamp, as text2pcap and scapy often write them.</summary>
    SameTime,

    /// <summary>UDP packets spread evenly over 28 hours.</summary>
    Spread,

    /// <summary>DNS queries and answers, every name different.</summary>
    Dns,

    /// <summary>DNS queries and answers over the same 1,000 names, as a busy resolver sees them.</summary>
    DnsBusy,

    /// <summary>A port scan: one TCP SYN from one host to each of as many hosts (10.0.0.0/8), each on its own
    /// port: one conversation and one endpoint per packet.</summary>
    Scan,
}

public static class StressCapture
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("192.168.1.20"), 40000);
    private static readonly IPEndPoint Server = new(IPAddress.Parse("198.51.100.7"), 9999);
    private static readonly IPEndPoint Resolver = new(IPAddress.Parse("192.168.1.1"), 53);

    public static long Write(string path, StressShape shape, int packets)
    {
        using var w = PcapWriter.Create(path);
        var start = MsTurnFixtures.Start;
        var span = TimeSpan.FromHours(28);
        var payload = new byte[64];
        for (var i = 0; w.Packets < packets; i++)
        {
            switch (shape)
            {
                case StressShape.SameTime:
                    w.Udp(start, Client, Server, payload);
                    break;
                case StressShape.Spread:
                    w.Udp(start + span * ((double)i / packets), Client, Server, payload);
                    break;
                case StressShape.Scan:
                    var host = new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);
                    w.Tcp(start.AddMilliseconds(i * 0.1), Client, new IPEndPoint(host, 1 + i % 65535), (uint)i, 0,
                        TcpFlags.Syn, []);
                    break;
                default:
                    var n = shape == StressShape.DnsBusy ? i % 1000 : i;
                    var name = $"n{n}.stress.example";
                    var t = start.AddMilliseconds(i);
                    var port = new IPEndPoint(Client.Address, 10000 + i % 50000);
                    w.Udp(t, port, Resolver, DnsMessage.Query((ushort)i, name, 1));
                    if (w.Packets < packets)
                    {
                        w.Udp(t.AddTicks(5000), Resolver, port, DnsMessage.Response((ushort)i, name, 1,
                            new DnsMessage.Answer(name, 1, 60, $"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")));
                    }

                    break;
            }
        }

        return w.Packets;
    }
}
