using System.Text.Json.Serialization;

namespace Dissect.Analysis;

// The report model: everything a report says, computed here; renderers only lay it out.
// Times are the capture's own (UTC), never the clock's, so the model is reproducible.

public sealed record ReportModel(
    int SchemaVersion,
    CaptureInfo Capture,
    DnsSection Dns,
    TlsSection Tls,
    NetworkSection Network,
    StunSection Stun,
    TrafficSection Traffic,
    IReadOnlyList<Finding> Findings)
{
    /// <summary>Where the call's media went.</summary>
    public MediaSection Media { get; init; } = new([]);

    // 2: findings and the NAT verdict became facts (ids and values), cipher-suite weaknesses codes.
    // 4: the private addresses are counted, and listed up to 64.
    public const int CurrentSchemaVersion = 4;
}

/// <summary>Where the call's media went: each UDP flow of media, relayed (through which relay) or direct.</summary>
public sealed record MediaSection(IReadOnlyList<MediaFlow> Flows);

/// <summary>
/// One finding as facts, never a sentence: what it is (<see cref="Id"/>, which each report language turns into its
/// own sentence), how much it matters, and its values (numbers, strings or lists of strings).
/// </summary>
/// <param name="Severity">"info", "notice" (worth a look) or "warning" (a security or data problem).</param>
public sealed record Finding(string Id, string Severity, IReadOnlyDictionary<string, object> Values);

/// <summary>What STUN/TURN tells about address translation, as facts.</summary>
/// <param name="Verdict">
/// <c>nat</c> (a server maps <see cref="Local"/> to <see cref="Public"/>), <c>nat-ice</c> (only ICE checks show it:
/// a peer saw <see cref="Local"/> as the peer-reflexive <see cref="Public"/>), <c>no-nat</c> (the mapped address is
/// the local one), <c>no-nat-own-address</c> (the server sees the host's own public address,
/// <see cref="Untranslated"/>), <c>no-mapped-address</c> or <c>no-stun</c>.
/// </param>
/// <param name="Untranslated">Host addresses a server saw untranslated, on a path without NAT (often IPv6).</param>
public sealed record NatFacts(string Verdict, IReadOnlyList<string> Local, IReadOnlyList<string> Public,
    IReadOnlyList<string> Untranslated)
{
    /// <summary>The first frame that shows one of the public (or untranslated) addresses: the verdict's evidence;
    /// 0 when there is none.</summary>
    public long EvidenceFrame { get; init; }
}

public sealed record CaptureInfo
{
    public required string FileName { get; init; }
    public required long SizeBytes { get; init; }
    public required string Sha256 { get; init; }
    public required string Format { get; init; }
    public required IReadOnlyList<string> LinkTypes { get; init; }
    public required long Packets { get; init; }
    public required long Bytes { get; init; }
    public required DateTimeOffset? FirstPacket { get; init; }
    public required DateTimeOffset? LastPacket { get; init; }
    public required double DurationSeconds { get; init; }
    public required string TsharkVersion { get; init; }
    public required string DissectVersion { get; init; }
    public required bool Truncated { get; init; }
    public required string? Warning { get; init; }

    /// <summary>The display filter the report is limited to (-Y), or null for the whole capture.</summary>
    public string? DisplayFilter { get; init; }

    /// <summary>Values in the capture that are markers or impossible, counted apart and never taken as data.</summary>
    public IReadOnlyList<Anomaly> Anomalies { get; init; } = [];
}

/// <summary>
/// Something in the capture that is not data: <c>implausible-length</c> (an original length over 256 KiB, such as
/// 0xFFFFFFFF; the captured length is counted instead), <c>dns-placeholder</c> (a name tshark could not read and shows
/// as a marker, such as "&lt;Name contains a pointer that loops&gt;"), <c>dns-root</c> (queries for the root zone,
/// which tshark names "&lt;Root&gt;").
/// </summary>
public sealed record Anomaly(string Kind, long Count, string Example);

public sealed record DnsRecord(string Section, string Name, string Type, uint? Ttl, string Data);

/// <summary>What the capture says about one queried name, as students tabulate it.</summary>
/// <param name="CnameChain">The first chain seen; <see cref="Chains"/> holds every distinct one.</param>
/// <param name="IPv4">Every IPv4 address the name resolved to, through any of its chains.</param>
public sealed record DnsNameSummary(string Name, IReadOnlyList<string> CnameChain,
    [property: JsonPropertyName("ipv4")] IReadOnlyList<string> IPv4,
        [property: JsonPropertyName("ipv6")] IReadOnlyList<string> IPv6, IReadOnlyList<string> QueryTypes,
    IReadOnlyList<string> AuthorityZones, IReadOnlyList<string> AuthorityServers, int Queries, int Responses)
{
    /// <summary>One entry per query type and distinct chain (Traffic Manager answers A and AAAA, or later queries,
    /// apart).</summary>
    public IReadOnlyList<DnsChain> Chains { get; init; } = [];

    /// <summary>The first frame that asks or answers for the name.</summary>
    public long FirstFrame { get; init; }

    /// <summary>The operation codes of the name's messages (QUERY for ordinary lookups; UPDATE, NOTIFY… otherwise),
    /// by name, in code order.</summary>
    public IReadOnlyList<string> Opcodes { get; init; } = [];
}

/// <summary>One CNAME chain of a name as one response gave it, with the addresses at its end.</summary>
public sealed record DnsChain(string QueryType, IReadOnlyList<string> Cnames,
    [property: JsonPropertyName("ipv4")] IReadOnlyList<string> IPv4,
        [property: JsonPropertyName("ipv6")] IReadOnlyList<string> IPv6,
    long FirstFrame, int Responses);

public sealed record DnsSection
{
    public required int QueryCount { get; init; }
    public required int ResponseCount { get; init; }
    public required int UnansweredCount { get; init; }
    public required IReadOnlyDictionary<string, int> QueryTypes { get; init; }
    public required IReadOnlyDictionary<string, int> Rcodes { get; init; }
    public required IReadOnlyDictionary<string, int> Transports { get; init; }
    public required int RecursionDesired { get; init; }
    public required int DnssecOkQueries { get; init; }
    public required int AuthenticatedResponses { get; init; }
    public required int AuthoritativeResponses { get; init; }
    public required IReadOnlyList<string> DnssecRecordTypes { get; init; }
    public required IReadOnlyList<DnsNameSummary> Names { get; init; }
    public required IReadOnlyList<string> Unanswered { get; init; }
    public required int DotPackets { get; init; }
    public required IReadOnlyList<string> LikelyDohServers { get; init; }
    public required int MdnsPackets { get; init; }
    public required int LlmnrPackets { get; init; }

    /// <summary>
    /// Queries sent to a resolver on the host itself (systemd-resolved's 127.0.0.53, or another loopback address),
    /// per address: that stub repeats each to the network's resolver, so such a query is counted twice in
    /// <see cref="QueryCount"/>, as tshark counts it.
    /// </summary>
    public IReadOnlyDictionary<string, int> StubResolverQueries { get; init; } = new Dictionary<string, int>();

    /// <summary>Queries that got no answer in the capture, per resolver asked.</summary>
    public IReadOnlyDictionary<string, int> UnansweredByServer { get; init; } = new Dictionary<string, int>();

    /// <summary>Messages (queries and responses) per operation code: QUERY, IQUERY, STATUS, NOTIFY, UPDATE, DSO, or
    /// OPCODE{n} for an unassigned one.</summary>
    public IReadOnlyDictionary<string, int> Opcodes { get; init; } = new Dictionary<string, int>();
}

/// <param name="Weakness">Why the suite is weak, as a code: null-cipher, export-keys, anonymous, rc4, sweet32 (64-bit
/// blocks of (3)DES), md5-mac or cbc-sha1 (padding-oracle prone); null when none.</param>
public sealed record CipherSuiteInfo(int Code, string Name, string KeyExchange, string Authentication, string Cipher,
    string Mode, string Hash, bool ForwardSecrecy, string? Weakness);

public sealed record TlsConnection(
    string Client, string Server, string? Sni, IReadOnlyList<string> Alpn, string Transport,
        IReadOnlyList<string> OfferedVersions, int OfferedSuiteCount,
    IReadOnlyList<string> OfferedSuites, string? ChosenVersion, CipherSuiteInfo? ChosenSuite, string? Ja3, string? Ja4)
{
    /// <summary>The frame of the ClientHello (of the ServerHello when the ClientHello is not in the capture).</summary>
    public long Frame { get; init; }
}

public sealed record Certificate
{
    public required string Subject { get; init; }
    public required string? CommonName { get; init; }
    public required IReadOnlyList<string> SubjectAltNames { get; init; }
    public required string Issuer { get; init; }
    public required string Serial { get; init; }
    public required DateTimeOffset NotBefore { get; init; }
    public required DateTimeOffset NotAfter { get; init; }
    public required int LifetimeDays { get; init; }
    public required string Status { get; init; }
    public required string SignatureAlgorithm { get; init; }
    public required string KeyType { get; init; }
    public required int KeySize { get; init; }
    public required int ChainPosition { get; init; }
    public required string? Sni { get; init; }
    public required bool? SniMatches { get; init; }
    public required long Frame { get; init; }
}

public sealed record TlsSection
{
    public required int ClientHellos { get; init; }
    public required int ServerHellos { get; init; }
    public required IReadOnlyDictionary<string, int> NegotiatedVersions { get; init; }
    public required IReadOnlyDictionary<string, int> ChosenSuites { get; init; }
    public required IReadOnlyList<TlsConnection> Connections { get; init; }
    public required IReadOnlyList<Certificate> Certificates { get; init; }
    public required int Tls13HiddenCertificates { get; init; }
    public required IReadOnlyDictionary<string, int> QuicVersions { get; init; }
    public required IReadOnlyList<string> QuicSni { get; init; }

    /// <summary>
    /// TCP streams that open with MS-TURN's pseudo-TLS hello: not TLS, though Wireshark's TLS dissector alone shows
    /// them
    /// as TLS 1.0 with TLS_DH_anon_WITH_RC4_128_MD5. Listed apart, never counted as TLS connections.
    /// </summary>
    public IReadOnlyList<PseudoTlsStream> PseudoTlsStreams { get; init; } = [];
}

/// <summary>One MS-TURN stream behind a pseudo-TLS hello: its ends, first frame and frame count.</summary>
public sealed record PseudoTlsStream(string Client, string Server, long FirstFrame, long Frames);

public sealed record ProtocolShare(string Protocol, long Frames, long Bytes);

public sealed record Conversation(string A, string B, string Transport, long Frames, long Bytes, string? Name);

/// <param name="Private">A private, loopback or link-local address (RFC 1918, 6598, 4193…); multicast is
/// neither.</param>
public sealed record Endpoint(string Address, long Frames, long Bytes, bool Private, string? Name)
{
    /// <summary>"private", "public", "multicast", "broadcast", "link-local" or "loopback".</summary>
    public string Scope { get; init; } = Private ? "private" : "public";
}

public sealed record NetworkSection(
    [property: JsonPropertyName("ipv4Packets")] long IPv4Packets,
        [property: JsonPropertyName("ipv6Packets")] long IPv6Packets, long TcpPackets, long UdpPackets, long TcpBytes,
            long UdpBytes, long OtherPackets,
    IReadOnlyList<ProtocolShare> Protocols, IReadOnlyList<ProtocolShare> ProtocolPaths,
        IReadOnlyList<Conversation> TopConversations, IReadOnlyList<Endpoint> TopEndpoints,
    IReadOnlyList<string> PrivateAddresses, int PublicAddressCount)
{
    /// <summary>Every private address seen; <see cref="PrivateAddresses"/> lists the first 64 of them, in
    /// order.</summary>
    public int PrivateAddressCount { get; init; }
}

/// <summary>
/// One RTP stream (one SSRC one way), with the receiver's statistics of RFC 3550 read from the clear RTP header, as
/// Wireshark's RTP stream analysis computes them: packets lost (expected by sequence number minus received) and the
/// interarrival jitter, which needs the payload type's clock rate: null for dynamic payload types (96–127), whose
/// rate only the call's signalling gives.
/// </summary>
public sealed record RtpStreamStats(string Ssrc, string From, string To, int PayloadType, long Packets, long Lost,
    int? ClockRate, double? MeanJitterMs, double? MaxJitterMs);

public sealed record TurnAllocation(string Client, string Server, string? Relayed, string? Mapped, uint? Lifetime,
    long Frame, bool Deallocated);

public sealed record StunSection
{
    public required int MsTurnMessages { get; init; }
    public required int StunMessages { get; init; }
    public required IReadOnlyDictionary<string, int> MessageTypes { get; init; }
    public required IReadOnlyList<string> Servers { get; init; }
    public required IReadOnlyList<TurnAllocation> Allocations { get; init; }
    public required IReadOnlyList<string> Peers { get; init; }
    /// <summary>MS-VERSION values seen, as numbers: each report language names them from the schema.</summary>
    public required IReadOnlyList<long> MsVersions { get; init; }
    /// <summary>Stream types of the service-quality attributes seen, as numbers (1 audio, 2 video…).</summary>
    public required IReadOnlyList<long> StreamTypes { get; init; }
    public required IReadOnlyList<string> Software { get; init; }
    public required IReadOnlyList<string> MappedAddresses { get; init; }
    public required IReadOnlyList<string> LocalAddresses { get; init; }
    public required NatFacts Nat { get; init; }
    /// <summary>Packets (and their bytes) of the media flows found relayed, whatever their wrapping.</summary>
    public required long RelayedMediaPackets { get; init; }
    public required long RelayedMediaBytes { get; init; }
    /// <summary>RTP packets (and their bytes) of the media flows found direct: none through a relay.</summary>
    public required long DirectRtpPackets { get; init; }
    public required long DirectRtpBytes { get; init; }
    public required IReadOnlyList<string> AttributesSeen { get; init; }
    public required IReadOnlyList<TimelineEvent> Timeline { get; init; }
    public required double MessageBinSeconds { get; init; }
    public required IReadOnlyList<CountBin> MessagesOverTime { get; init; }

    /// <summary>
    /// XOR-MAPPED-ADDRESS values from answers to ICE connectivity checks: how a peer saw this host (peer-reflexive),
    /// kept apart from <see cref="MappedAddresses"/>, which STUN/TURN servers reported.
    /// </summary>
    public IReadOnlyList<string> PeerReflexiveAddresses { get; init; } = [];

    /// <summary>Every distinct error response, MS-TURN's and other apps' STUN alike.</summary>
    public IReadOnlyList<StunErrorResponse> ErrorResponses { get; init; } = [];

}

/// <summary>
/// STUN/TURN error responses alike in all but their frame: the error code (class × 100 + number) and its reason
/// phrase, the REALM the server asks credentials for, and the ALTERNATE-SERVER it redirects to.
/// </summary>
public sealed record StunErrorResponse(string Message, int Code, string? Reason, string? Realm, string? AlternateServer,
    string Server, long FirstFrame, int Count);

/// <summary>Messages per kind in one time bin (seconds since the capture's first packet).</summary>
public sealed record CountBin(double StartSeconds, IReadOnlyDictionary<string, long> Counts);

/// <summary>One MS-TURN message, or the first of its repeats: a message that only carries data (Send, Data
/// Indication) is listed once per direction, with how many there were.</summary>
public sealed record TimelineEvent(double Seconds, string Kind, long Frame)
{
    /// <summary>The sender and receiver, "ip:port" (IPv6 in brackets).</summary>
    public string From { get; init; } = "";

    public string To { get; init; } = "";

    /// <summary>How many such messages went this way (above 1 for data-carrying ones only).</summary>
    public long Count { get; init; } = 1;
}

public sealed record TrafficBin(double StartSeconds, long Packets, long Bytes, IReadOnlyDictionary<string,
    long> BytesByClass);

/// <param name="OutlierGapSeconds">Largest gap of more than a day between packets, to within a time slot (0.1 s, or
/// wider once the capture has filled 4,096 of them); the bins cover the main cluster only.</param>
/// <param name="ExcludedPackets">Packets outside the main cluster (odd timestamps), not in the bins.</param>
public sealed record TrafficSection(double BinSeconds, IReadOnlyList<string> Classes, IReadOnlyList<TrafficBin> Bins,
    double? OutlierGapSeconds, long ExcludedPackets);
