using System.Buffers.Binary;
using System.Net;

namespace Dissect.Capture;

/// <summary>
/// Writes classic pcap files (Ethernet link type) with IPv4/IPv6 + UDP/TCP packets built from scratch,
/// so tests and the embedded sample hold exactly the bytes they assert on.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    private readonly Stream _out;
    private readonly bool _ownsStream;
    private static readonly byte[] MacA = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] MacB = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

    public int Packets { get; private set; }

    public PcapWriter(Stream output, bool ownsStream = false)
    {
        _out = output;
        _ownsStream = ownsStream;
        Span<byte> h = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], 1); // LINKTYPE_ETHERNET
        _out.Write(h);
    }

    public static PcapWriter Create(string path) => new(File.Create(path), ownsStream: true);

    public void Udp(DateTimeOffset time, IPEndPoint src, IPEndPoint dst, ReadOnlySpan<byte> payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)src.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), (ushort)dst.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp.AsSpan(8));
        Ip(time, src.Address, dst.Address, 17, udp);
    }

    public void Tcp(DateTimeOffset time, IPEndPoint src, IPEndPoint dst, uint seq, uint ack, TcpFlags flags,
        ReadOnlySpan<byte> payload)
    {
        var tcp = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)src.Port);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)dst.Port);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(8), ack);
        tcp[12] = 5 << 4;
        tcp[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        payload.CopyTo(tcp.AsSpan(20));
        Ip(time, src.Address, dst.Address, 6, tcp);
    }

    private void Ip(DateTimeOffset time, IPAddress src, IPAddress dst, byte proto, byte[] l4)
    {
        byte[] ip;
        ushort etherType;
        if (src.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            ip = new byte[20 + l4.Length];
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(Packets & 0xFFFF));
            ip[8] = 64;
            ip[9] = proto;
            src.GetAddressBytes().CopyTo(ip, 12);
            dst.GetAddressBytes().CopyTo(ip, 16);
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), Checksum(ip.AsSpan(0, 20)));
            l4.CopyTo(ip, 20);
            etherType = 0x0800;
        }
        else
        {
            ip = new byte[40 + l4.Length];
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)l4.Length);
            ip[6] = proto;
            ip[7] = 64;
            src.GetAddressBytes().CopyTo(ip, 8);
            dst.GetAddressBytes().CopyTo(ip, 24);
            l4.CopyTo(ip, 40);
            etherType = 0x86DD;
        }
        var frame = new byte[14 + ip.Length];
        MacB.CopyTo(frame, 0);
        MacA.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        ip.CopyTo(frame, 14);
        Raw(time, frame);
    }

    /// <summary>Writes one record with the given frame bytes.</summary>
    public void Raw(DateTimeOffset time, ReadOnlySpan<byte> frame)
    {
        Span<byte> rh = stackalloc byte[16];
        var us = (time - DateTimeOffset.UnixEpoch).Ticks / 10;
        BinaryPrimitives.WriteUInt32LittleEndian(rh, (uint)(us / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(rh[4..], (uint)(us % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(rh[8..], (uint)frame.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(rh[12..], (uint)frame.Length);
        _out.Write(rh);
        _out.Write(frame);
        Packets++;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    public void Dispose()
    {
        _out.Flush();
        if (_ownsStream)
            _out.Dispose();
    }
}

[Flags]
public enum TcpFlags : byte { Fin = 1, Syn = 2, Rst = 4, Psh = 8, Ack = 16 }

/// <summary>One TCP connection with its sequence numbers kept, including the handshake.</summary>
public sealed class TcpFlow(PcapWriter w, IPEndPoint client, IPEndPoint server)
{
    private uint _cseq = 1000, _sseq = 5000;

    public void Open(DateTimeOffset t)
    {
        w.Tcp(t, client, server, _cseq++, 0, TcpFlags.Syn, []);
        w.Tcp(t.AddMilliseconds(1), server, client, _sseq++, _cseq, TcpFlags.Syn | TcpFlags.Ack, []);
        w.Tcp(t.AddMilliseconds(2), client, server, _cseq, _sseq, TcpFlags.Ack, []);
    }

    public void ClientSends(DateTimeOffset t, ReadOnlySpan<byte> data)
    {
        w.Tcp(t, client, server, _cseq, _sseq, TcpFlags.Psh | TcpFlags.Ack, data);
        _cseq += (uint)data.Length;
    }

    public void ServerSends(DateTimeOffset t, ReadOnlySpan<byte> data)
    {
        w.Tcp(t, server, client, _sseq, _cseq, TcpFlags.Psh | TcpFlags.Ack, data);
        _sseq += (uint)data.Length;
    }
}
