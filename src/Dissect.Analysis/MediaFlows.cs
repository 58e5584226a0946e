using System.Globalization;
using Dissect.Schema;
using Dissect.Schema.Protocols;

namespace Dissect.Analysis;

/// <summary>
/// One media flow, the contract scripts rely on (<c>media.flows</c>): the UDP address pair that carried a call's
/// media, both directions merged, and how. <see cref="Local"/> is the end that is not the relay (relayed media) or
/// the first sender (direct media); <see cref="Up"/> counts what it sent, <see cref="Down"/> what it received.
/// </summary>
/// <param name="Path">"relayed" (through a TURN relay, <see cref="Via"/>) or "direct" (host to host).</param>
/// <param name="Encapsulation">How the media travelled: <c>none</c> (plain UDP), <c>ms-turn-send-data</c> (inside
/// MS-TURN Send requests and Data Indications), <c>turn-send-data</c> (inside standard TURN Send and Data indications,
/// RFC 5766 10), <c>ms-turn-mux</c> (MS-TURN's multiplexed 0xFF10 frames and the
/// relay's bare answers), <c>raw-after-set-active-destination</c>, <c>turn-channeldata</c>, <c>ms-turn-tcp-data</c>
/// (the end-to-end data blocks of MS-TURN's TCP framing).</param>
/// <param name="Protocols">SRTP, SRTCP, RTP, RTCP, or data for payloads no dissector recognised.</param>
/// <param name="Reason">How the relay was told: <c>allocation</c> (the relayed address an Allocate response gave this
/// client on that server), <c>turn-server</c> (plain media to the very address of a TURN server the capture's
/// clients allocated on, as WhatsApp and Messenger send it), <c>ice-lite</c> (a media server: this host checked
/// the path with ICE and the server only answered, never checked back, as an ICE-lite server does), or, as an
/// inference, <c>public-end</c> (the public end
/// facing a private one), <c>turn-port</c> (the end on a TURN port), <c>destination</c> (neither: the receiver of the
/// first packet); null for direct flows.</param>
public sealed record MediaFlow(
    string Path,
    string Local,
    string Remote,
    string? Via,
    IReadOnlyList<string> Encapsulation,
    IReadOnlyList<string> Protocols,
    FlowDirection Up,
    FlowDirection Down,
    IReadOnlyList<string> Ssrcs,
    IReadOnlyList<int> PayloadTypes,
    long FirstFrame)
{
    /// <summary>The remote end's name, from the capture's own DNS answers or TLS server names.</summary>
    public string? RemoteName { get; init; }

    public string? Reason { get; init; }

    /// <summary>"udp", or "tcp" for media relayed over TCP (MS-TURN on port 443 when UDP is blocked).</summary>
    public string Transport { get; init; } = "udp";

    /// <summary>When the flow's first packet was seen, in seconds after the capture's first packet.</summary>
    public double FirstSeconds { get; init; }

    /// <summary>"audio", "video", "screen" or "unknown", guessed from packet sizes and rate, and for a Teams client
    /// from its media port ranges: see <see cref="KindEvidence"/>.</summary>
    public string Kind { get; init; } = "unknown";

    /// <summary>What the kind was told from; null when the flow gave nothing to go on.</summary>
    public KindEvidence? KindEvidence { get; init; }

    /// <summary>The <see cref="Reason"/> of a flow through a media server in ICE-lite mode.</summary>
    public const string IceLiteReason = "ice-lite";

    /// <summary>Each RTP stream of the flow, with its loss and jitter.</summary>
    public IReadOnlyList<RtpStreamStats> Streams { get; init; } = [];
}

/// <summary>
/// The facts a flow's kind rests on: the busier direction's mean packet size and rate (null under 20 packets), and
/// for a Teams client the kind of the media port range its local port falls in (null outside them).
/// </summary>
public sealed record KindEvidence(int? MeanPacketBytes, int? PacketsPerSecond, string? PortRange, int? LocalPort);

/// <summary>One direction of a flow: packets, bytes (frames on the wire), the mean rate over its duration (first to
/// last packet), in kbit/s.</summary>
public sealed record FlowDirection(long Packets, long Bytes, double Kbps, double DurationSeconds);

/// <summary>Display filters for what the flow tracker counts as media, for the report's "verify in
/// Wireshark".</summary>
public static class MediaFilters
{
    /// <summary>
    /// The RTP and RTCP packets a flow counts (<see cref="Packet.IsRtp"/>). Not <c>rtp || rtcp</c>: under 4.0 the
    /// <c>rtp</c> filter also matches the DTLS and STUN packets of a media conversation, and <c>rtcp</c> misses the
    /// SRTCP that frame.protocols lists as rtcp.
    /// </summary>
    public const string RtpOrRtcp = Packet.RtpSsrcField + " || rtcp || srtcp";

    /// <summary>
    /// Standard TURN wrapping of relayed data (ChannelData, Send and Data indications, the message types the schema
    /// marks as carrying data) whose payload is not an ICE check: <c>stun#2</c> is a second STUN layer, the check.
    /// </summary>
    public static string TurnData { get; } = "((stun.channel || " + string.Join(" || ", MsTurn.Spec.MessageTypes
        .Where(m => m.CarriesData && m.AppliesTo(MsTurn.Rfc))
        .Select(m => "stun.type == 0x" + m.Code.ToString("x4", CultureInfo.InvariantCulture))) + ") && !stun#2)";
}

/// <summary>
/// Sorts each media packet into its flow: relayed when the dissector found it inside MS-TURN (or Wireshark's STUN
/// dissector in TURN ChannelData), direct when Wireshark's RTP or RTCP dissector found it alone on UDP.
/// </summary>
internal sealed class MediaFlowTracker
{
    // A capture with more flows than this is not a call; the rest are counted, not listed.
    private const int MaxFlows = 4096;
    private static readonly FilterNames N = new(MsTurn.Spec);
    private static readonly string MuxChannel = N.MuxChannel;
    private static readonly string MuxAnswer = N.Of("mux.flow_since");
    private static readonly string RawSince = N.Of("media.raw_since");
    private const string StunType = "stun.type";

    // Well-known TURN ports (RFC 5766, MS-TURN 2.1), to tell the relay when both ends have public addresses.
    private static readonly HashSet<string> TurnPorts = ["3478", "3479", "3480", "3481", "443", "5349"];

    private sealed class State(string a, string b, string path, string? via, long frame)
    {
        public string A { get; } = a;
        public string B { get; } = b;
        public string Path { get; } = path;
        public string? Via { get; } = via;
        public long FirstFrame { get; } = frame;
        public long PacketsOut, BytesOut, PacketsIn, BytesIn;
        public long RtpPackets, RtpBytes;   // RTP found by Wireshark alone, outside any TURN wrapping
        public double FirstOut = double.NaN, LastOut, FirstIn = double.NaN, LastIn;
        public string? Reason;
        public bool Tcp;
        public SortedSet<string> CarriedAs { get; } = new(StringComparer.Ordinal);
        public SortedSet<string> Kinds { get; } = new(StringComparer.Ordinal);
        public SortedSet<string> Ssrcs { get; } = new(StringComparer.Ordinal);
        public SortedSet<int> PayloadTypes { get; } = [];
    }

    private readonly Dictionary<string, State> _flows = new(StringComparer.Ordinal);

    public long Unlisted { get; private set; }

    public static IEnumerable<string> Fields =>
        [StunType, Packet.RtpSsrcField, "rtp.p_type", "rtp.seq", "rtp.timestamp", "stun.channel", MuxChannel, MuxAnswer,
            RawSince, "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport"];

    /// <summary>A stream's receiver statistics as it is read (RFC 3550 A.1 and A.8).</summary>
    private sealed class StreamState(string flow, string from, string to, string ssrc, int pt, int? clock)
    {
        public string Flow { get; } = flow;
        public string From { get; } = from;
        public string To { get; } = to;
        public string Ssrc { get; } = ssrc;
        public int PayloadType { get; } = pt;
        public int? Clock { get; } = clock;
        public long Packets, FirstSeq = -1, MaxSeq;
        public double LastArrival, Jitter, JitterSum, JitterMax;
        public long LastTimestamp;

        public void Add(long seq, long timestamp, double arrival)
        {
            if (FirstSeq < 0)
            {
                (FirstSeq, MaxSeq) = (seq, seq);
            }
            else
            {
                // The sequence number wraps at 65536: extend it to the cycle closest to the highest seen.
                const long cycle = 1 << 16, half = cycle / 2;
                var ext = MaxSeq - MaxSeq % cycle + seq;
                if (ext < MaxSeq - half) ext += cycle;
                else if (ext > MaxSeq + half) ext -= cycle;
                MaxSeq = Math.Max(MaxSeq, ext);
                if (Clock is { } c)
                {
                    // D = (arrival difference) - (timestamp difference) in ms; J += (|D| - J) / 16.
                    var ticks = (int)(uint)(timestamp - LastTimestamp);
                    var d = (arrival - LastArrival) * 1000 - ticks * 1000.0 / c;
                    Jitter += (Math.Abs(d) - Jitter) / 16;
                    JitterMax = Math.Max(JitterMax, Jitter);
                }
            }
            JitterSum += Jitter;
            Packets++;
            (LastArrival, LastTimestamp) = (arrival, timestamp);
        }

        public RtpStreamStats Result() => new(Ssrc, From, To, PayloadType, Packets, MaxSeq - FirstSeq + 1 - Packets,
            // The mean over the packets after the first, which alone has no jitter (as Wireshark averages it).
            Clock, Clock is null ? null : Math.Round(JitterSum / Math.Max(1, Packets - 1), 3), Clock is null ? null
                : Math.Round(JitterMax, 3));
    }

    private readonly Dictionary<(string, string, string), StreamState> _streams = [];

    /// <summary>The RTP clock rate of a static payload type (RFC 3551, table 4 and 5); null for dynamic ones.</summary>
    public static int? ClockRate(int pt) => pt switch
    {
        0 or 3 or 4 or 5 or 7 or 8 or 9 or 12 or 13 or 15 or 18 => 8000,
        6 => 16000,
        10 or 11 => 44100,
        16 => 11025,
        17 => 22050,
        14 or 25 or 26 or 28 or 31 or 32 or 33 or 34 => 90000,
        _ => null,
    };

    public void Add(in Packet p, MessageTypeSpec? top)
    {
        var relayedKinds = p.All(N.Media);
        var channel = p.Has("stun.channel");
        var sendData = StandardSendData(p);
        // An ICE check relayed through standard TURN (STUN inside ChannelData or a Send/Data indication) tests a path;
        // it is not media.
        if ((channel || sendData) && p.Protocols.Contains(":stun:stun", StringComparison.Ordinal))
            return;
        var rtp = p.IsRtp;
        var rtcp = p.Protocols.Contains(":rtcp", StringComparison.Ordinal);
        if (relayedKinds.Count == 0 && !channel && !sendData && !rtp && !rtcp)
            return;
        // An ICMP error quoting a media packet: its addresses are the ICMP packet's, its ports the quoted one's.
        if (p.Protocols.Contains(":icmp", StringComparison.Ordinal))
            return;
        var relayed = relayedKinds.Count > 0 || channel || sendData;
        // Media relayed over TCP (MS-TURN on 443, when UDP is blocked) is a flow too; plain RTP is only found on UDP.
        var tcp = !p.Has("udp.srcport") && relayed;
        var sport = p.Str(tcp ? "tcp.srcport" : "udp.srcport");
        var dport = p.Str(tcp ? "tcp.dstport" : "udp.dstport");
        if (sport is null || dport is null || p.Src is null || p.Dst is null)
            return;
        var src = Net.Endpoint(p.Src, sport);
        var dst = Net.Endpoint(p.Dst, dport);
        var key = (tcp ? "tcp|" : "") + (string.CompareOrdinal(src, dst) < 0 ? src + "|" + dst : dst + "|" + src);
        if (!_flows.TryGetValue(key, out var f))
        {
            if (_flows.Count >= MaxFlows)
            {
                Unlisted++;
                return;
            }
            var (via, reason) = relayed ? RelayOf(src, sport, dst, dport) : (null, null);
            var a = via is null ? src : via == src ? dst : src;
            _flows[key] = f = new State(a, a == src ? dst : src, relayed ? "relayed" : "direct", via,
                p.Long("frame.number"))
            { Reason = reason, Tcp = tcp };
        }
        var time = p.Time;
        if (src == f.A)
        {
            f.PacketsOut++;
            f.BytesOut += p.Length;
            if (double.IsNaN(f.FirstOut)) f.FirstOut = time;
            f.LastOut = time;
        }
        else
        {
            f.PacketsIn++;
            f.BytesIn += p.Length;
            if (double.IsNaN(f.FirstIn)) f.FirstIn = time;
            f.LastIn = time;
        }
        f.CarriedAs.Add(CarriedAs(p, channel, sendData, tcp, top));
        if (rtp && !relayed)
        {
            f.RtpPackets++;
            f.RtpBytes += p.Length;
        }
        foreach (var k in relayedKinds)
            f.Kinds.Add(k);
        if (relayedKinds.Count == 0)
            f.Kinds.Add(rtp ? "RTP" : rtcp ? "RTCP" : "data");
        foreach (var s in p.All("rtp.ssrc"))
            f.Ssrcs.Add(s);
        foreach (var t in p.All("rtp.p_type"))
        {
            if (int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pt))
                f.PayloadTypes.Add(pt);
        }
        if (p.Str("rtp.ssrc") is { } ssrc && p.Int("rtp.p_type") is { } type && Packet.ParseLong(p.Str("rtp.seq"))
            is { } seq && Packet.ParseLong(p.Str("rtp.timestamp")) is { } ts)
        {
            if (!_streams.TryGetValue((src, dst, ssrc), out var st))
                _streams[(src, dst, ssrc)] = st = new StreamState(key, src, dst, ssrc, type, ClockRate(type));
            st.Add(seq, ts, p.Time);
        }
    }

    private static string Key(State f) =>
        (f.Tcp ? "tcp|" : "") + (string.CompareOrdinal(f.A, f.B) < 0 ? f.A + "|" + f.B : f.B + "|" + f.A);

    // The relay's side of a relayed flow: the public end facing a private one, else the end on a TURN port.
    private static (string, string) RelayOf(string src, string sport, string dst, string dport)
    {
        var srcPrivate = Net.IsPrivate(Net.Host(src));
        var dstPrivate = Net.IsPrivate(Net.Host(dst));
        if (srcPrivate != dstPrivate)
            return (srcPrivate ? dst : src, "public-end");
        if (TurnPorts.Contains(sport) != TurnPorts.Contains(dport))
            return (TurnPorts.Contains(sport) ? src : dst, "turn-port");
        return (dst, "destination");
    }

    // A standard TURN Send or Data indication (RFC 5766 10), decoded by Wireshark's STUN dissector: which message
    // types carry data is the schema's knowledge, for the RFC flavour as for MS-TURN's.
    private static bool StandardSendData(in Packet p)
    {
        foreach (var t in p.All(StunType))
            if (Packet.ParseLong(t) is { } code && MsTurn.Spec.FindMessageType((ushort)code, MsTurn.Rfc) is
                { CarriesData: true })
                return true;
        return false;
    }

    private static string CarriedAs(in Packet p, bool channel, bool sendData, bool tcp, MessageTypeSpec? top)
    {
        if (channel) return "turn-channeldata";
        if (sendData) return "turn-send-data";
        if (p.Has(MuxChannel) || p.Has(MuxAnswer)) return "ms-turn-mux";
        if (p.Has(RawSince)) return "raw-after-set-active-destination";
        if (top is { CarriesData: true }) return "ms-turn-send-data";
        // Over TCP, media outside any message is the TCP framing's end-to-end data block (MS-TURN 2.1.4).
        if (tcp) return "ms-turn-tcp-data";
        return "none";
    }

    /// <summary>RTP packets and bytes of the flows found direct, once <see cref="Result"/> has run.</summary>
    public (long Packets, long Bytes) DirectRtp { get; private set; }

    /// <summary>Packets and bytes of the flows found relayed, once <see cref="Result"/> has run.</summary>
    public (long Packets, long Bytes) RelayedMedia { get; private set; }

    /// <param name="t0">The time of the capture's first packet: flows start at seconds after it.</param>
    /// <param name="turnServers">The TURN servers the capture's clients allocated on ("ip:port"): a flow that
    /// looked direct but ends on one goes through that server (WhatsApp and Messenger send plain RTP to it).</param>
    /// <param name="checks">The ICE connectivity checks seen, as (from, to) endpoints. Both ends of a peer-to-peer
    /// path check it, and keep checking it for consent (RFC 7675); a media server in ICE-lite mode (RFC 8445 2.5,
    /// as Google Meet's) only answers: a flow whose one end was checked but never checked back goes through it.</param>
    public IReadOnlyList<MediaFlow> Result(IReadOnlyDictionary<string, string> names, double t0,
        IReadOnlySet<string> turnServers, IReadOnlySet<(string From, string To)> checks)
    {
        bool Lite(string server, string client) => checks.Contains((client, server)) && !checks.Contains((server,
            client));
        long rtp = 0, rtpBytes = 0, relayed = 0, relayedBytes = 0;
        // Streams grouped by flow once: a capture may hold thousands of flows and of streams.
        var streams = _streams.Values.ToLookup(x => x.Flow, StringComparer.Ordinal);
        // A Skype/Teams client: one of its flows goes through MS-TURN. Its media ports then say what a flow carries.
        var microsoft = _flows.Values.Any(f => f.CarriedAs.Any(c => c.StartsWith("ms-turn", StringComparison.Ordinal)
            || c == "raw-after-set-active-destination"));
        List<MediaFlow> result =
        [
        .. _flows.Values.OrderByDescending(f => f.PacketsOut + f.PacketsIn).ThenBy(f => f.FirstFrame)
            .Select(f =>
            {
                var up = Direction(f.PacketsOut, f.BytesOut, f.FirstOut, f.LastOut);
                var down = Direction(f.PacketsIn, f.BytesIn, f.FirstIn, f.LastIn);
                var (local, remote, path, via, reason) = (f.A, f.B, f.Path, f.Via, f.Reason);
                if (path == "direct" && (turnServers.Contains(local) || turnServers.Contains(remote)))
                {
                    if (turnServers.Contains(local) && !turnServers.Contains(remote))
                        (local, remote, up, down) = (remote, local, down, up);
                    (path, via, reason) = ("relayed", remote, "turn-server");
                }
                if (path == "direct" && (Lite(remote, local) || Lite(local, remote)))
                {
                    if (Lite(local, remote))
                        (local, remote, up, down) = (remote, local, down, up);
                    (path, via, reason) = ("relayed", remote, MediaFlow.IceLiteReason);
                }
                if (path == "direct")
                {
                    rtp += f.RtpPackets;
                    rtpBytes += f.RtpBytes;
                }
                else
                {
                    relayed += f.PacketsOut + f.PacketsIn;
                    relayedBytes += f.BytesOut + f.BytesIn;
                }
                var (kind, why) = KindOf(up, down, microsoft ? Net.Port(local) : null);
                return new MediaFlow(path, local, remote, via, [.. f.CarriedAs], [.. f.Kinds], up, down,
                    [.. f.Ssrcs], [.. f.PayloadTypes], f.FirstFrame)
                {
                    RemoteName = names.TryGetValue(Net.Host(remote), out var n) ? n : null,
                    Reason = reason,
                    Transport = f.Tcp ? "tcp" : "udp",
                    FirstSeconds = Math.Round(Math.Min(Start(f.FirstOut), Start(f.FirstIn)) - t0, 3),
                    Kind = kind,
                    KindEvidence = why,
                    Streams = [.. streams[Key(f)].OrderBy(x => x.From != local)
                        .ThenBy(x => x.Ssrc, StringComparer.Ordinal).Select(x => x.Result())],
                };
            }),
        ];
        DirectRtp = (rtp, rtpBytes);
        RelayedMedia = (relayed, relayedBytes);
        return result;
    }

    private static double Start(double t) => double.IsNaN(t) ? double.PositiveInfinity : t;

    /// <summary>The remote hosts of the flows, to name from DNS.</summary>
    public IEnumerable<string> RemoteHosts => _flows.Values.Select(f => Net.Host(f.B));

    private static FlowDirection Direction(long packets, long bytes, double first, double last)
    {
        var seconds = packets < 2 || double.IsNaN(first) ? 0 : Math.Round(last - first, 3);
        return new FlowDirection(packets, bytes, seconds <= 0 ? 0 : Math.Round(bytes * 8 / seconds / 1000, 1),
            seconds);
    }

    /// <summary>
    /// Audio or video from sizes and rate, the busier direction's: audio codecs send small packets (under about 300
    /// bytes) about every 20 ms; video sends larger ones, often over 500 bytes and in bursts. Between, unknown.
    /// A Teams client sends each kind from its own port range (Microsoft's defaults: audio 50000-50019, video
    /// 50020-50039, screen sharing 50040-50059): screen sharing is video by its sizes and known only by its port, and
    /// the range settles a flow its sizes leave unknown.
    /// </summary>
    private static (string Kind, KindEvidence? Evidence) KindOf(FlowDirection up, FlowDirection down,
        string? teamsPort)
    {
        var local = int.TryParse(teamsPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? port : (int?)null;
        var byPort = local switch
        {
            >= 50000 and <= 50019 => "audio",
            >= 50020 and <= 50039 => "video",
            >= 50040 and <= 50059 => "screen",
            _ => null,
        };
        var d = up.Packets >= down.Packets ? up : down;
        if (d.Packets < 20 || d.DurationSeconds <= 0)
            return byPort is null ? ("unknown", null) : (byPort, new KindEvidence(null, null, byPort, local));
        var size = d.Bytes / (double)d.Packets;
        var rate = d.Packets / d.DurationSeconds;
        var why = new KindEvidence((int)Math.Round(size), (int)Math.Round(rate), byPort, byPort is null ? null : local);
        var bySize = size < 300 && rate <= 70 ? "audio" : size >= 500 ? "video" : "unknown";
        return (byPort == "screen" || (byPort is not null && bySize == "unknown") ? byPort! : bySize, why);
    }
}
