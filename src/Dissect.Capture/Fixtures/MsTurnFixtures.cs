using System.Net;
using Dissect.Schema;
using Dissect.Schema.Protocols;

namespace Dissect.Capture.Fixtures;

/// <summary>
/// Captures built from the MS-TURN schema with known content: a whole relayed call (UDP, multiplexed
/// and TCP) and a set of deliberately broken messages. Frame numbers are part of the contract with tests.
/// </summary>
public static class MsTurnFixtures
{
    public static readonly IPEndPoint Client = new(IPAddress.Parse("192.168.1.18"), 50000);
    public static readonly IPEndPoint Server = new(IPAddress.Parse("20.202.1.6"), 3478);
    public static readonly IPEndPoint Relay = new(IPAddress.Parse("20.202.147.12"), 3480);
    public static readonly IPEndPoint Mapped = new(IPAddress.Parse("81.247.114.53"), 30936);
    public static readonly IPEndPoint RelayedAddress = new(IPAddress.Parse("20.202.147.12"), 3480);
    public static readonly IPEndPoint Peer = new(IPAddress.Parse("87.65.99.139"), 25710);
    public static readonly IPEndPoint TcpClient = new(IPAddress.Parse("192.168.1.18"), 50100);
    public static readonly IPEndPoint TcpServer = new(IPAddress.Parse("20.202.147.14"), 443);
    public const ulong SessionId = 0x3ad776229d9fb983;
    public static readonly DateTimeOffset Start = new(2023, 3, 20, 14, 0, 0, TimeSpan.Zero);

    private static ProtocolSpec S => MsTurn.Spec;

    private static StunMessage Ms(ushort type, int seed) => new(S, MsTurn.Ms, type, seed);
    private static StunMessage Rfc(ushort type, int seed) => new(S, MsTurn.Rfc, type, seed);

    public static byte[] Nonce => [.. Enumerable.Range(0, 20).Select(i => (byte)(i * 13))];

    /// <summary>The expected message type of each frame of <see cref="WriteCall"/> (frame number → type); 0 for
    /// non-message frames.</summary>
    public static IReadOnlyDictionary<int, ushort> CallMessageTypes { get; } = new Dictionary<int, ushort>
    {
        [1] = 0x0003,
        [2] = 0x0113,
        [3] = 0x0003,
        [4] = 0x0103,
        [5] = 0x0004,
        [6] = 0x0115,
        [7] = 0x0004,
        [8] = 0x0006,
        [9] = 0x0106,
        [12] = 0x0003,
        [13] = 0x0103,
    };

    /// <summary>
    /// A relayed call: allocate (challenged, then with credentials), Send and Data Indication carrying
    /// SRTP and an ICE check, Set Active Destination and raw media, a multiplexed frame, deallocation,
    /// and the same allocation over TCP/443 with the pseudo-TLS hello and a frame split over two segments.
    /// </summary>
    public static void WriteCall(PcapWriter w)
    {
        var t = Start;
        DateTimeOffset Next(int ms = 20) => t = t.AddMilliseconds(ms);

        // 1: first Allocate (lengths all multiples of 4).
        w.Udp(Next(), Client, Server, Ms(0x0003, 1).UInt32(0x8037, 3).UInt32(0x8008, 6).UInt32(0x8006, 1).UInt32(0x0010,
            12000).UInt16Pair(0x8055, 2, 2).Encode());
        // 2: 401 with an odd-length reason, NONCE and unpadded REALM.
        w.Udp(Next(), Server, Client, Ms(0x0113, 1).UInt32(0x8008, 6)
            .Raw(0x0009, [0, 0, 4, 1, .. "The request did not contain a Message-Integrity attribute"u8.ToArray()])
            .Address(0x000E, new IPEndPoint(Server.Address, 3478)).Raw(0x0014, Nonce).Text(0x0015, "\"rtcmedia\"")
            .Address(0x0001, RelayedAddress).Raw(0x8095, BitConverterBig(SessionId)).Address(0x8020, Mapped).Encode());
        // 3: Allocate with credentials; 4: its success response.
        w.Udp(Next(), Client, Server, Ms(0x0003, 3).UInt32(0x8037, 3).UInt32(0x8008, 6).UInt32(0x8006, 1).UInt32(0x0010,
            12000).UInt16Pair(0x8055, 1, 0)
            .Raw(0x8095, BitConverterBig(SessionId)).Raw(0x0014, Nonce).Text(0x0015, "\"rtcmedia\"").Raw(0x0006,
                new byte[56]).Raw(0x0008, new byte[32]).Encode());
        w.Udp(Next(), Server, Client, Ms(0x0103, 3).UInt32(0x000D, 60).Address(0x0001, RelayedAddress).UInt32(0x8008,
            6).Address(0x8020, Mapped)
            .Raw(0x8050, [.. new byte[20], 0, 0, 0, 0]).Text(0x8022, "Mar 15 2023 15:49:43 - local").UInt32(0x0010,
                12000).Raw(0x0008, new byte[32]).Encode());
        // 5: Send request with odd-length SRTP in DATA, then MESSAGE-INTEGRITY (unpadded walk required).
        w.Udp(Next(), Client, Server, Ms(0x0004, 5).UInt32(0x8008, 6).Raw(0x0006, new byte[56]).Address(0x0011, Peer)
            .Raw(0x0013, Media.Srtp(108, 100, 16000, 0xac6d, 73, 5)).Raw(0x0008, new byte[32]).Encode());
        // 6: Data Indication from the peer, REMOTE-ADDRESS in clear, DATA = RFC 5389 ICE check (padded).
        var ice = Rfc(0x0001, 6).Text(0x0006, "sIQp:YhgS").UInt32(0x8070, 7).Raw(0x8036,
            StunMessage.BigEndian(1)).UInt32(0x0024, 1862270462)
            .UInt32(0x8037, 3).Raw(0x8033, []).Raw(0x0008, new byte[20]).UInt32(0x8028, 0xfdf0c327).Encode();
        w.Udp(Next(), Server, Client, Ms(0x0115, 6).Address(0x0012, Peer).Raw(0x0013, ice).Encode());
        // 7: Send request carrying SRTCP.
        w.Udp(Next(), Client, Server, Ms(0x0004, 7).UInt32(0x8008, 6).Address(0x0011, Peer).Raw(0x0013, Media.Srtcp(200,
            0xd4dc, 40, 0, 7)).Encode());
        // 8, 9: Set Active Destination and its response; 10, 11: raw SRTP both ways.
        w.Udp(Next(), Client, Server, Ms(0x0006, 8).UInt32(0x8008, 6).UInt32(0x8006, 1).Address(0x0011,
            Peer).Raw(0x8050, StunMessage.BigEndian(1))
            .Raw(0x0014, Nonce).Text(0x0015, "\"rtcmedia\"").Raw(0x0006, new byte[56]).Raw(0x0008,
                new byte[32]).Encode());
        w.Udp(Next(), Server, Client, Ms(0x0106, 8).Raw(0x0008, new byte[32]).Encode());
        w.Udp(Next(), Client, Server, Media.Srtp(108, 101, 16160, 0xac6d, 90, 10));
        w.Udp(Next(), Server, Client, Media.Srtp(108, 7, 900, 0x1234, 90, 11));
        // 12, 13: refresh over the same 5-tuple (still MS-TURN after raw media started).
        w.Udp(Next(), Client, Server, Ms(0x0003, 12).UInt32(0x8008, 6).UInt32(0x000D, 60).Raw(0x8050,
            StunMessage.BigEndian(2)).Raw(0x0008, new byte[32]).Encode());
        w.Udp(Next(), Server, Client, Ms(0x0103, 12).UInt32(0x000D, 60).Address(0x8020, Mapped).Raw(0x0008,
            new byte[32]).Encode());
        // 14: multiplexed frame to the relay carrying SRTP; 15: one carrying an ICE check.
        w.Udp(Next(), new IPEndPoint(Client.Address, 50002), Relay, Media.Multiplexed(SessionId, Media.Srtp(108, 102,
            16320, 0xac6d, 60, 14)));
        w.Udp(Next(), new IPEndPoint(Client.Address, 50002), Relay, Media.Multiplexed(SessionId, Rfc(0x0101,
            15).Address(0x0020, Mapped).Encode()));
        // 16: an ordinary RFC 5389 binding request on the server port: handed to the built-in STUN dissector.
        w.Udp(Next(), Client, Server, Rfc(0x0001, 16).UInt32(0x0024, 5).Encode());
        // 17-19 over TCP/443: pseudo-TLS hello, then an Allocate split across two segments, its response, a dealloc.
        var tcp = new TcpFlow(w, TcpClient, TcpServer);
        tcp.Open(Next());                                            // frames 17, 18, 19 are SYN, SYN-ACK, ACK
        tcp.ClientSends(Next(), Media.PseudoTlsClientHello(20));     // 20
        tcp.ServerSends(Next(), Media.PseudoTlsServerHello(21));     // 21
        var alloc = Media.TcpFrame(2, Ms(0x0003, 22).UInt32(0x8037, 3).UInt32(0x8008, 4).UInt32(0x8006,
            1).UInt32(0x0010, 5000).UInt16Pair(0x8055, 1, 0).Encode());
        tcp.ClientSends(Next(), alloc.AsSpan(0, 10));                 // 22: first part
        tcp.ClientSends(Next(), alloc.AsSpan(10));                    // 23: rest, reassembled here
        tcp.ServerSends(Next(), Media.TcpFrame(2, Ms(0x0103, 22).UInt32(0x000D, 60).Address(0x0001,
            new IPEndPoint(TcpServer.Address, 3478))
            .Address(0x8020, new IPEndPoint(Mapped.Address, 55188)).Raw(0x0008, new byte[32]).Encode()));   // 24
        tcp.ClientSends(Next(), [.. Media.TcpFrame(2, Ms(0x0003, 25).UInt32(0x8008, 4).UInt32(0x000D, 0).Raw(0x8050,
            StunMessage.BigEndian(3)).Encode()),
            .. Media.TcpFrame(3, Media.Srtp(108, 1, 1, 0x99, 20,
                25))]);                                     // 25: dealloc + data frame
    }

    /// <summary>Frame number → the message type the TCP part of <see cref="WriteCall"/> decodes to.</summary>
    public static IReadOnlyDictionary<int, ushort> CallTcpMessageTypes { get; } = new Dictionary<int, ushort>
    {
        [23] = 0x0003,
        [24] = 0x0103,
        [25] = 0x0003,
    };

    /// <summary>
    /// Broken input, one case per frame: the dissector must flag each with an expert item and never fail.
    /// Returns the case names in frame order.
    /// </summary>
    public static IReadOnlyList<string> WriteMalformed(PcapWriter w, int randomCases = 200)
    {
        var names = new List<string>();
        var t = Start;
        void Udp(string name, byte[] payload, IPEndPoint? dst = null)
        {
            t = t.AddMilliseconds(10);
            w.Udp(t, Client, dst ?? Server, payload);
            names.Add(name);
        }
        var good = Ms(0x0003, 1).UInt32(0x8008, 6).Address(0x8020, Mapped).Raw(0x0014, Nonce).Text(0x0015,
            "\"rtcmedia\"").Encode();
        Udp("header length longer than the datagram", Ms(0x0003, 2).UInt32(0x8008, 6).Encode(lengthOverride: 400));
        Udp("header length shorter than the attributes", Ms(0x0003, 3).UInt32(0x8008, 6).UInt32(0x0010,
            5).Encode(lengthOverride: 10));
        Udp("attribute length past the end", Ms(0x0003, 4).Raw(0x8008, StunMessage.BigEndian(6),
            lengthOverride: 0xFFF0).Encode());
        Udp("address attribute too short", Ms(0x0003, 5).Raw(0x0011, [0, 1, 0x12]).Encode());
        Udp("address with unknown family", Ms(0x0003, 6).Raw(0x0001, [0, 9, 0, 80, 1, 2, 3, 4]).Encode());
        Udp("sequence number of odd length", Ms(0x0003, 7).Raw(0x8050, [1, 2, 3, 4, 5, 6, 7]).Encode());
        Udp("service quality too short", Ms(0x0003, 8).Raw(0x8055, [0, 1]).Encode());
        Udp("attribute header cut short", [.. Ms(0x0003, 9).Encode(lengthOverride: 10), 0x80, 0x08]);
        Udp("multiplexed frame with a lying length", Media.Multiplexed(SessionId, Media.Srtp(108, 1, 1, 1, 30, 1),
            lengthOverride: 900), Relay);
        Udp("multiplexed frame too short for its length", Media.Multiplexed(SessionId, [0x80], lengthOverride: 3),
            Relay);
        Udp("DATA holding a truncated STUN message", Ms(0x0115, 10).Address(0x0012, Peer).Raw(0x0013, Rfc(0x0001,
            11).UInt32(0x0024, 1).Encode(lengthOverride: 64)).Encode());
        var rnd = new Random(1341);
        for (var i = 0; i < randomCases; i++)
        {
            var m = (byte[])good.Clone();
            var kind = i % 3;
            if (kind == 0)
            {
                // Flip bits after the marker attribute, so the message stays recognisably MS-TURN.
                for (var f = 0; f < 3; f++)
                    m[28 + rnd.Next(m.Length - 28)] ^= (byte)(1 << rnd.Next(8));
                Udp($"bit flips #{i}", m);
            }
            else if (kind == 1)
            {
                Udp($"truncated to {28 + i % (m.Length - 28)} bytes #{i}", m[..(28 + i % (m.Length - 28))]);
            }
            else
            {
                // A random attribute length somewhere in the walk.
                var at = 28 + 4 * rnd.Next((m.Length - 28) / 4);
                m[at + 2] = (byte)rnd.Next(256);
                m[at + 3] = (byte)rnd.Next(256);
                Udp($"random attribute length #{i}", m);
            }
        }
        // Bad TCP framing on a stream that started correctly.
        var tcp = new TcpFlow(w, TcpClient, TcpServer);
        tcp.Open(t.AddMilliseconds(10));
        tcp.ClientSends(t.AddMilliseconds(20), Media.TcpFrame(2, Ms(0x0003, 30).UInt32(0x8008, 6).Encode()));
        tcp.ClientSends(t.AddMilliseconds(30), [0x07, 0x00, 0x00, 0x04, 1, 2, 3, 4]);
        tcp.ClientSends(t.AddMilliseconds(40), Media.TcpFrame(2, [1, 2, 3, 4, 5, 6]));
        tcp.ClientSends(t.AddMilliseconds(50), Media.TcpFrame(2, Ms(0x0003, 31).UInt32(0x8008,
            6).Encode(lengthOverride: 2000)));
        names.AddRange(["tcp SYN", "tcp SYN-ACK", "tcp ACK", "tcp good frame", "tcp unknown frame type",
            "tcp control frame without a message", "tcp message longer than its frame"]);
        return names;
    }

    private static byte[] BitConverterBig(ulong v)
    {
        var b = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(b, v);
        return b;
    }
}
