using System.Globalization;
using Dissect.Schema;
using Dissect.Tshark;

namespace Dissect.Analysis;

/// <summary>Typed access to one EK record: the packet context every analyzer reads.</summary>
public readonly struct Packet(EkRecord r)
{
    /// <summary>
    /// The fields the context itself reads (time, lengths, layers, addresses, streams): exported for every packet,
    /// whichever analyzers run, so <see cref="Src"/> or <see cref="Length"/> never depend on another analyzer's list.
    /// </summary>
    public static readonly IReadOnlyList<string> CoreFields =
    [
        "frame.number", "frame.time_epoch", "frame.len", "frame.cap_len", "frame.protocols", "tcp.stream", "udp.stream",
        "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    ];

    private readonly string _protocols = Normalize(r);
    // Read once: every analyzer asks for them, several times a packet.
    private readonly double _time = double.TryParse(r.First("frame.time_epoch"), NumberStyles.Float,
        CultureInfo.InvariantCulture, out var t) ? t : 0;
    private readonly long _length = LengthOf(r);

    public EkRecord Record => r;
    public IReadOnlyList<string> All(string f) => r[f];
    public string? Str(string f) => r.First(f);
    public bool Has(string f) => r.Has(f);

    public long Long(string f) => ParseLong(r.First(f)) ?? 0;
    public int? Int(string f) => ParseLong(r.First(f)) is { } v ? (int)v : null;
    public bool Flag(string f) => r.First(f) is "1" or "True" or "true";

    public static long? ParseLong(string? s)
    {
        if (string.IsNullOrEmpty(s)) return null;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return long.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture,
                out var h) ? h : null;
        return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    public double Time => _time;
    /// <summary>
    /// frame.protocols without the layers that only Dissect's dispatching adds: the TCP port wrapper, the
    /// late-segment post-dissector, and "msturn" on a port-3478 frame that it handed to the built-in STUN
    /// dissector. A TLS frame on port 443 still reads eth:…:tcp:tls, as in tshark -z io,phs.
    /// </summary>
    public string Protocols => _protocols;

    // Declared before the fields that use them: static fields initialise in order.
    private static readonly FilterNames Names = new(Schema.Protocols.MsTurn.Spec);
    private static readonly string ProtoLayer = ":" + Names.Prefix;

    /// <summary>Fields whose presence shows the msturn protocol really decoded something in the frame.</summary>
    public static readonly string[] MsturnItemFields =
        [Names.MessageType, Names.Media, Names.MuxChannel, Names.FramingType, Names.PseudoTlsContentType];


    /// <summary>The TLS protocol item: present on every frame TLS looked at.</summary>
    public const string TlsLayerField = "tls";

    private static string Normalize(EkRecord rec)
    {
        var s = rec.First("frame.protocols") ?? "";
        // From 4.2 on, a TCP segment of a PDU that is never reassembled keeps its "tls" tree item but loses the layer
        // in frame.protocols; -z io,phs still counts it under tls, as 4.0's frame.protocols does.
        if (s.EndsWith(":tcp", StringComparison.Ordinal) && rec.Has(TlsLayerField))
            return s + ":tls";
        if (!s.Contains(ProtoLayer, StringComparison.Ordinal))
            return s;
        s = s.Replace(":" + Names.TcpProto, "", StringComparison.Ordinal).Replace(":" + Names.LateProto, "",
            StringComparison.Ordinal);
        if (s.Contains(ProtoLayer, StringComparison.Ordinal) && !MsturnItemFields.Any(rec.Has))
            s = s.Replace(ProtoLayer, "", StringComparison.Ordinal);
        return s;
    }
    /// <summary>The largest original length taken as real: Wireshark's own snapshot limit.</summary>
    public const long MaxPlausibleLength = 262_144;

    /// <summary>
    /// The frame's length on the wire; an original length no link could carry (0xFFFFFFFF in a crafted or damaged
    /// file) would add gigabytes to every total, so the captured length stands in for it.
    /// </summary>
    public long Length => _length;

    private static long LengthOf(EkRecord r)
    {
        var len = ParseLong(r.First("frame.len")) ?? 0;
        return len > MaxPlausibleLength ? Math.Min(len, ParseLong(r.First("frame.cap_len")) ?? 0) : len;
    }

    public bool ImplausibleLength => Long("frame.len") > MaxPlausibleLength;

    /// <summary>The RTP field <see cref="IsRtp"/> reads; an analyzer that asks must export it.</summary>
    public const string RtpSsrcField = "rtp.ssrc";

    /// <summary>
    /// Wireshark's RTP dissector decoded an RTP header here. Not "rtp" in frame.protocols: from 4.4 on, the RTP
    /// dissector of a media conversation also takes the DTLS and STUN packets sharing its ports and hands them on (RFC
    /// 7983), so those read udp:rtp:dtls and udp:rtp:stun without being RTP.
    /// </summary>
    public bool IsRtp => r.Has(RtpSsrcField);

    public string? Src => r.First("ip.src") ?? r.First("ipv6.src");
    public string? Dst => r.First("ip.dst") ?? r.First("ipv6.dst");
}

/// <summary>One part of the analysis: declares the fields it needs, sees every packet once, then builds its
/// section.</summary>
public interface IAnalyzer
{
    IEnumerable<string> Fields { get; }
    void Add(in Packet p);
}

public static class Net
{
    /// <summary>"ip:port", with an IPv6 address in brackets ("[2600:1900::1b]:3478"), as Wireshark writes it.</summary>
    public static string Endpoint(string? ip, string? port) =>
        ip is not null && ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{port}" : $"{ip}:{port}";

    /// <summary>The address of an endpoint written by <see cref="Endpoint"/>.</summary>
    public static string Host(string endpoint) =>
        endpoint.StartsWith('[') && endpoint.IndexOf(']',
            StringComparison.Ordinal) is var end and > 0 ? endpoint[1..end]
        : endpoint.LastIndexOf(':') is var colon and > 0 ? endpoint[..colon] : endpoint;

    /// <summary>The port of an endpoint written by <see cref="Endpoint"/>.</summary>
    public static string Port(string endpoint) =>
        endpoint.LastIndexOf(':') is var colon and > 0 && (!endpoint.StartsWith('[') || endpoint[colon - 1] == ']')
            ? endpoint[(colon + 1)..] : "";

    /// <summary>What kind of address: multicast (224.0.0.0/4, ff00::/8) and broadcast are not public hosts.</summary>
    public static string Scope(string ip)
    {
        if (!System.Net.IPAddress.TryParse(ip, out var a)) return "public";
        var b = a.GetAddressBytes();
        if (b.Length == 4)
        {
            if (b[0] >= 224 && b[0] <= 239) return "multicast";
            if (b.All(x => x == 255)) return "broadcast";
            if (b[0] == 127) return "loopback";
            if (b[0] == 169 && b[1] == 254) return "link-local";
        }
        else
        {
            if (a.IsIPv6Multicast) return "multicast";
            if (a.Equals(System.Net.IPAddress.IPv6Loopback)) return "loopback";
            if (a.IsIPv6LinkLocal) return "link-local";
        }
        return IsPrivate(ip) ? "private" : "public";
    }

    public static bool IsPrivate(string ip)
    {
        if (!System.Net.IPAddress.TryParse(ip, out var a)) return false;
        var b = a.GetAddressBytes();
        if (b.Length == 4)
            return b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] < 32) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)
                || b[0] == 127 || (b[0] == 169 && b[1] == 254);
        return a.IsIPv6LinkLocal || a.IsIPv6SiteLocal || (b[0] & 0xFE) == 0xFC
            || a.Equals(System.Net.IPAddress.IPv6Loopback);
    }
}
