using System.Buffers.Binary;
using System.Net;
using System.Text;
using Dissect.Schema;

namespace Dissect.Capture;

/// <summary>
/// Encodes STUN-family messages from a schema: the flavour decides the marker attribute, the header
/// cookie and the padding; each attribute's layout decides how an address is written (plain or XOR-ed).
/// Overrides exist to write malformed messages on purpose.
/// </summary>
public sealed class StunMessage
{
    private readonly ProtocolSpec _spec;
    private readonly FlavourSpec _flavour;
    private readonly ushort _type;
    private readonly byte[] _header16;
    private readonly List<(ushort Code, byte[] Value, int? LengthOverride)> _attrs = [];

    /// <param name="transactionSeed">Makes the 16 header bytes after the type/length; deterministic for tests.</param>
    public StunMessage(ProtocolSpec spec, string flavour, ushort type, int transactionSeed)
    {
        _spec = spec;
        _flavour = spec.Flavour(flavour);
        _type = type;
        _header16 = new byte[16];
        new Random(transactionSeed).NextBytes(_header16);
        // Skype and Teams put the RFC 5389 cookie in the first four bytes of the MS-TURN transaction ID as well.
        BinaryPrimitives.WriteUInt32BigEndian(_header16, _flavour.HeaderCookie
            ?? Schema.Protocols.MsTurn.Rfc5389Cookie);
        if (_flavour.MarkerAttribute is { } marker)
            Raw(marker, BigEndian(_flavour.MarkerValue!.Value));
    }

    public ReadOnlySpan<byte> TransactionBytes => _header16;

    public StunMessage Raw(ushort code, byte[] value, int? lengthOverride = null)
    {
        _attrs.Add((code, value, lengthOverride));
        return this;
    }

    public StunMessage UInt32(ushort code, uint value)
    {
        Expect(code, ValueKind.UInt32, 4);
        return Raw(code, BigEndian(value));
    }
    public StunMessage UInt16Pair(ushort code, ushort a, ushort b) => Raw(code, [(byte)(a >> 8), (byte)a,
        (byte)(b >> 8), (byte)b]);
    public StunMessage Text(ushort code, string value) => Raw(code, Encoding.UTF8.GetBytes(value));

    /// <summary>Writes an address the way the schema says this attribute carries it.</summary>
    public StunMessage Address(ushort code, IPEndPoint ep)
    {
        var attr = _spec.FindAttribute(code, _flavour.Id)
            ?? throw new ArgumentException($"attribute {code:X4} is not in flavour {_flavour.Id}");
        var field = attr.Layouts.SelectMany(l => l.Fields).FirstOrDefault(f =>
            f.Kind is ValueKind.Address or ValueKind.XorAddress)
            ?? throw new ArgumentException($"{attr.Name} is not an address");
        var ip = ep.Address.GetAddressBytes();
        var v = new byte[4 + ip.Length];
        v[1] = (byte)(ip.Length == 4 ? 1 : 2);
        var port = (ushort)ep.Port;
        if (field.Kind == ValueKind.XorAddress)
        {
            var k = field.XorKeyOffset - 4;
            port ^= BinaryPrimitives.ReadUInt16BigEndian(_header16.AsSpan(k));
            for (var i = 0; i < ip.Length; i++)
                ip[i] ^= _header16[k + i];
        }
        BinaryPrimitives.WriteUInt16BigEndian(v.AsSpan(2), port);
        ip.CopyTo(v, 4);
        return Raw(code, v);
    }

    private void Expect(ushort code, ValueKind kind, int length)
    {
        var attr = _spec.FindAttribute(code, _flavour.Id)
            ?? throw new ArgumentException($"attribute {code:X4} is not in flavour {_flavour.Id}");
        if (!attr.Layouts.Any(l => (l.Length is null || l.Length == length) && l.Fields.Any(f => f.Kind == kind)))
            throw new ArgumentException($"{attr.Name} has no {kind} layout of {length} bytes");
    }

    /// <param name="lengthOverride">A header length to write instead of the true one (a lying length field).</param>
    public byte[] Encode(int? lengthOverride = null)
    {
        var body = new MemoryStream();
        Span<byte> h = stackalloc byte[4];
        foreach (var (code, value, lo) in _attrs)
        {
            BinaryPrimitives.WriteUInt16BigEndian(h, code);
            BinaryPrimitives.WriteUInt16BigEndian(h[2..], (ushort)(lo ?? value.Length));
            body.Write(h);
            body.Write(value);
            if (_flavour.Padding == PaddingRule.FourByte)
                body.Write(new byte[(4 - value.Length % 4) % 4]);
        }
        var msg = new byte[20 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(msg, _type);
        BinaryPrimitives.WriteUInt16BigEndian(msg.AsSpan(2), (ushort)(lengthOverride ?? (int)body.Length));
        _header16.CopyTo(msg, 4);
        body.ToArray().CopyTo(msg, 20);
        return msg;
    }

    public static byte[] BigEndian(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }
}

/// <summary>Relayed media and MS-TURN transport wrappers.</summary>
public static class Media
{
    /// <summary>An SRTP packet: clear RTP header (V=2, X=1 with a one-byte extension) and pseudo-random "encrypted"
    /// bytes.</summary>
    public static byte[] Srtp(byte payloadType, ushort seq, uint timestamp, uint ssrc, int payloadLength, int seed)
    {
        var p = new byte[12 + 8 + payloadLength];
        p[0] = 0x90;
        p[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), ssrc);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(12), 0xBEDE);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(14), 1);
        new Random(seed).NextBytes(p.AsSpan(16, 4 + payloadLength));
        return p;
    }

    /// <summary>An SRTCP packet: clear first header and SSRC, encrypted rest, then E flag + index.</summary>
    public static byte[] Srtcp(byte packetType, uint ssrc, int encryptedLength, uint index, int seed)
    {
        var p = new byte[8 + encryptedLength + 4];
        p[0] = 0x80;
        p[1] = packetType;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), ssrc);
        new Random(seed).NextBytes(p.AsSpan(8, encryptedLength));
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8 + encryptedLength), 0x80000000 | index);
        return p;
    }

    /// <summary>MS-TURN TCP frame (MS-TURN 2.1.4): type, reserved, 16-bit length.</summary>
    public static byte[] TcpFrame(byte type, byte[] body, int? lengthOverride = null)
    {
        var f = new byte[4 + body.Length];
        f[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(2), (ushort)(lengthOverride ?? body.Length));
        body.CopyTo(f, 4);
        return f;
    }

    /// <summary>Multiplexed TURN frame (MS-TURN 2.2.3): channel 0xFF10, length, 8-byte session id, data.</summary>
    public static byte[] Multiplexed(ulong sessionId, byte[] data, int? lengthOverride = null)
    {
        var f = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(f, 0xFF10);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(2), (ushort)(lengthOverride ?? 8 + data.Length));
        BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(4), sessionId);
        data.CopyTo(f, 12);
        return f;
    }

    /// <summary>The pseudo-TLS ClientHello of MS-TURN 2.1.1 (one cipher suite 0x0018).</summary>
    public static byte[] PseudoTlsClientHello(int seed)
    {
        var h = new byte[50];
        new byte[] { 0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x01 }.CopyTo(h, 0);
        new Random(seed).NextBytes(h.AsSpan(11, 32));
        h[43] = 0;
        h[44] = 0; h[45] = 2; h[46] = 0x00; h[47] = 0x18;
        h[48] = 1; h[49] = 0;
        return h;
    }

    /// <summary>The pseudo-TLS ServerHello + ServerHelloDone answer.</summary>
    public static byte[] PseudoTlsServerHello(int seed)
    {
        var body = new List<byte> { 0x02, 0x00, 0x00, 0x46, 0x03, 0x01 };
        var rnd = new byte[64];
        new Random(seed).NextBytes(rnd);
        body.AddRange(rnd.AsSpan(0, 32).ToArray());
        body.Add(32);
        body.AddRange(rnd.AsSpan(32, 32).ToArray());
        body.AddRange([0x00, 0x18, 0x00]);
        body.AddRange([0x0e, 0x00, 0x00, 0x00]);
        var rec = new List<byte> { 0x16, 0x03, 0x01, (byte)(body.Count >> 8), (byte)body.Count };
        rec.AddRange(body);
        return [.. rec];
    }
}
