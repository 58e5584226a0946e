using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Dissect.Capture;

/// <summary>Minimal DNS wire encoder for fixtures: one question, answer records of type A, AAAA or CNAME (no name
/// compression).</summary>
public static class DnsMessage
{
    public sealed record Answer(string Name, ushort Type, uint Ttl, string Data);

    public static byte[] Query(ushort id, string name, ushort type) => Build(id, 0x0100, name, type, []);

    public static byte[] Response(ushort id, string name, ushort type, params Answer[] answers) => Build(id, 0x8180,
        name, type, answers);

    /// <summary>A message with another operation code (RFC 6895: 4 NOTIFY, 5 UPDATE…), as a request or its
    /// response.</summary>
    public static byte[] WithOpcode(ushort id, int opcode, bool response, string name, ushort type) =>
        Build(id, (ushort)((response ? 0x8000 : 0) | (opcode & 0xF) << 11), name, type, []);

    private static byte[] Build(ushort id, ushort flags, string name, ushort type, Answer[] answers)
    {
        var m = new MemoryStream();
        Span<byte> h = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(h, id);
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(h[6..], (ushort)answers.Length);
        m.Write(h);
        WriteName(m, name);
        Write16(m, type);
        Write16(m, 1);
        Span<byte> ttl = stackalloc byte[4];
        foreach (var a in answers)
        {
            WriteName(m, a.Name);
            Write16(m, a.Type);
            Write16(m, 1);
            BinaryPrimitives.WriteUInt32BigEndian(ttl, a.Ttl);
            m.Write(ttl);
            var data = a.Type == 5 ? NameBytes(a.Data) : IPAddress.Parse(a.Data).GetAddressBytes();
            Write16(m, (ushort)data.Length);
            m.Write(data);
        }
        return m.ToArray();
    }

    private static void Write16(Stream s, ushort v)
    {
        s.WriteByte((byte)(v >> 8));
        s.WriteByte((byte)v);
    }

    private static void WriteName(Stream s, string name) => s.Write(NameBytes(name));

    private static byte[] NameBytes(string name)
    {
        var m = new MemoryStream();
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var b = Encoding.UTF8.GetBytes(label);
            m.WriteByte((byte)b.Length);
            m.Write(b);
        }
        m.WriteByte(0);
        return m.ToArray();
    }
}
