using System.Collections.Immutable;
using Dissect.Schema;
using Dissect.Schema.Protocols;

namespace Dissect.Analysis;

/// <summary>STUN/TURN and NAT from the msturn.* fields of Dissect's dissector (names from the same schema) and the
/// built-in STUN fields.</summary>
public sealed class StunAnalyzer : IAnalyzer
{
    private static readonly ProtocolSpec Spec = MsTurn.Spec;
    private static readonly HashSet<ushort> AddressCodes = [.. Spec.Attributes.Where(a => a.Layouts.Any(l =>
        l.Fields.Any(f => f.Kind is ValueKind.Address or ValueKind.XorAddress))).Select(a => a.Code)];

    // The dissector's fields, named by the schema's naming service (by role where an attribute has one).
    private static readonly FilterNames N = new(Spec);
    private static readonly string ErrorClass = N.Attribute(AttributeRole.ErrorCode, "class");
    private static readonly string ErrorNumber = N.Attribute(AttributeRole.ErrorCode, "number");
    private static readonly string ErrorReason = N.Attribute(AttributeRole.ErrorCode, "reason");
    private static readonly string Realm = N.Attribute(AttributeRole.Realm);
    private static readonly string Lifetime = N.Attribute(AttributeRole.Lifetime);
    private static readonly string Version = N.Attribute(AttributeRole.Version);
    private static readonly string StreamType = N.Attribute(AttributeRole.ServiceQuality, "stream_type");
    private static readonly string Software = N.Attribute(AttributeRole.Software);

    public IEnumerable<string> Fields =>
    [
        N.MessageType, N.Flavour, N.AttributeType, N.AttributeIpv4, N.AttributePort, N.AttributeFamily, N.AttributeIpv6,
        Lifetime, Version, StreamType, Software, N.Media, ErrorClass, ErrorNumber, ErrorReason, Realm,
        "frame.time_epoch", "frame.number",
        "stun.type", "stun.att.type", "stun.att.ipv4", "stun.att.port", "stun.att.software", "stun.att.lifetime",
        "stun.id", "stun.att.family", "stun.att.ipv6",
        "stun.att.error.class", "stun.att.error", "stun.att.error.reason", "stun.att.realm",
        .. MediaFlowTracker.Fields,
    ];

    private readonly MediaFlowTracker _media = new();

    // The attribute that redirects a client, by its role in each flavour.
    private static readonly HashSet<ushort> AlternateServerCodes =
        [.. Spec.Attributes.Where(a => a.Role == AttributeRole.AlternateServer).Select(a => a.Code)];

    private readonly Dictionary<(string, int, string?, string?, string?, string), (long First, int Count)> _errors = [];

    // What a check's answer says it saw: the RFC flavour's mapped-address attributes.
    private static readonly HashSet<ushort> XorMappedCodes =
        [.. Spec.Attributes.Where(a => a.Role == AttributeRole.MappedAddress
            && a.AppliesTo(MsTurn.Rfc)).Select(a => a.Code)];

    // Every client address seen: a mapped address equal to its own client's is not translated (IPv6 often is not).
    private readonly HashSet<string> _clientHosts = new(StringComparer.OrdinalIgnoreCase);

    private readonly SortedSet<string> _peerReflexive = new(StringComparer.Ordinal),
        _checkLocal = new(StringComparer.Ordinal);

    private void AddError(string message, long? cls, long? number, string? reason, string? realm, string? alternate,
        string server,
        long frame)
    {
        var code = (int)((cls ?? 0) * 100 + (number ?? 0));
        var key = (message, code, reason, realm?.Trim('"'), alternate, server);
        _errors[key] = _errors.TryGetValue(key, out var seen) ? (seen.First, seen.Count + 1) : (frame, 1);
    }

    // Transaction ids of ICE connectivity checks (requests with PRIORITY): their responses tell what a peer or
    // relay saw, not how the client's own NAT maps it, so they stay out of the NAT verdict.
    // Kept as the id's 96 bits, not its 24-character text: 100k checks hold 2.4 MB rather than 10.
    private readonly HashSet<UInt128> _iceChecks = [];

    /// <summary>A transaction id as tshark writes it (hex), as a number; other text by its hash.</summary>
    private static UInt128 IdKey(string id) =>
        UInt128.TryParse(id, System.Globalization.NumberStyles.AllowHexSpecifier,
            System.Globalization.CultureInfo.InvariantCulture, out var v) && id.Length <= 32
            ? v : (UInt128)(uint)id.GetHashCode() << 96 | 1;
    // Which end checked which (from, to): a media server in ICE-lite mode answers checks and never makes its own.
    private readonly HashSet<(string From, string To)> _checkPairs = [];

    // MS-TURN messages over time, per operation (the schema's, and "Other"), for the message sequence chart.
    private static readonly string[] Operations = [.. Spec.MessageTypes.Select(m => m.Operation).Distinct()
        .Order(StringComparer.Ordinal), "Other"];
    // Counted in seconds since the capture's first packet, the time line's zero.
    private readonly TimeSlots _slots = new(Operations.Length, origin: 0);

    // The operation a message belongs to (a response names its request's): the message sequence's series.
    private static string KindOf(MessageTypeSpec? m, string flavour) =>
        (m?.RequestCode is { } rc ? Spec.FindMessageType(rc, flavour) : m)?.Operation ?? "Other";

    /// <summary>The version and stream-type fields, found by their attributes' roles in the schema: the model lists
    /// their values as numbers, and each report language names them.</summary>
    public static readonly (AttributeRole Role, string Field) VersionField = (AttributeRole.Version, "value");
    public static readonly (AttributeRole Role, string Field) StreamTypeField = (AttributeRole.ServiceQuality,
        "stream_type");

    // The frame's first MS-TURN message, as the schema knows it.
    private static MessageTypeSpec? TopMessage(in Packet p)
    {
        if (p.Str(N.MessageType) is not { } t || Packet.ParseLong(t) is not { } code)
            return null;
        var fl = p.Str(N.Flavour) is { } shown ? FlavourOf(shown) : MsTurn.Ms;
        return Spec.FindMessageType((ushort)code, fl);
    }

    // The dissector shows each message's flavour by its schema name.
    private static string FlavourOf(string shown) => Spec.Flavours.FirstOrDefault(f => f.Name == shown)?.Id
        ?? MsTurn.Ms;

    private static AttributeRole RoleOf(ushort code, string flavour) =>
        Spec.FindAttribute(code, flavour)?.Role ?? AttributeRole.None;

    private static bool Allocates(MessageTypeSpec? m, string flavour) =>
        m is { Class: MessageClass.SuccessResponse, RequestCode: { } rc }
        && Spec.FindMessageType(rc, flavour)?.CreatesAllocation == true;

    /// <summary>Codes of attributes (in the given flavour) whose value is an address, as the schema declares
    /// them.</summary>
    private static HashSet<ushort> AddressCodesOf(string flavour) =>
        [.. Spec.Attributes.Where(a => a.AppliesTo(flavour) && a.Layouts.Any(l => l.Fields.Any(f =>
            f.Kind is ValueKind.Address or ValueKind.XorAddress))).Select(a => a.Code)];

    private static readonly HashSet<ushort> RfcAddressCodes = AddressCodesOf(MsTurn.Rfc);

    /// <summary>
    /// Pairs address attributes with their decoded endpoints, in order: each attribute's family says whether its
    /// address
    /// is the next IPv4 or the next IPv6 value. Null when the counts do not add up (a value the dissector could not
    /// read).
    /// </summary>
    private static List<(ushort Code, string Endpoint)>? PairAddresses(in Packet p, IEnumerable<ushort> types,
        HashSet<ushort> addressCodes,
        string prefix)
    {
        var codes = types.Where(addressCodes.Contains).ToList();
        var families = p.All(prefix + "family");
        var v4 = p.All(prefix + "ipv4");
        var v6 = p.All(prefix + "ipv6");
        var ports = p.All(prefix + "port");
        if (codes.Count != families.Count || codes.Count != ports.Count || v4.Count + v6.Count != codes.Count)
            return null;
        var result = new List<(ushort, string)>(codes.Count);
        int i4 = 0, i6 = 0;
        for (var k = 0; k < codes.Count; k++)
        {
            var ipv6 = Packet.ParseLong(families[k]) == 2;
            if (ipv6 ? i6 >= v6.Count : i4 >= v4.Count)
                return null;
            result.Add((codes[k], Net.Endpoint(ipv6 ? v6[i6++] : v4[i4++], ports[k])));
        }
        return result;
    }

    private int _ms, _stun;
    private readonly SortedDictionary<string, int> _types = new(StringComparer.Ordinal);
    // Public ends that sent requests to a private one (ICE peers), and each server answer's mapping.
    private readonly HashSet<string> _requesters = new(StringComparer.Ordinal);
    private readonly List<(string Server, string Mapped, string Local)> _mappedFrom = [];
    private readonly SortedSet<long> _versions = [], _streams = [];
    private readonly SortedSet<string> _servers = new(StringComparer.Ordinal), _peers = new(StringComparer.Ordinal),
        _software = new(StringComparer.Ordinal), _mapped = new(StringComparer.Ordinal),
        _local = new(StringComparer.Ordinal), _attrs = new(StringComparer.Ordinal);
    private readonly List<TurnAllocation> _allocs = [];
    private readonly List<TimelineEvent> _timeline = [];

    // The first frame that showed each public (mapped or peer-reflexive) address: the NAT verdict's evidence.
    private readonly Dictionary<string, long> _evidence = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string, string), (int Index, long Count)> _repeats = [];
    private double? _t0;

    public void Add(in Packet p)
    {
        _t0 ??= p.Time;
        _media.Add(p, TopMessage(p));
        if (p.Protocols.Contains(":stun", StringComparison.Ordinal)) _stun++;
        var types = p.All(N.MessageType);
        if (types.Count == 0)
        {
            AddBuiltInStun(p);
            return;
        }
        var flavours = p.All(N.Flavour);
        var top = (ushort)(Packet.ParseLong(types[0]) ?? 0);
        var topFlavour = flavours.Count > 0 ? FlavourOf(flavours[0]) : MsTurn.Ms;
        for (var i = 0; i < types.Count; i++)
        {
            var fl = i < flavours.Count ? FlavourOf(flavours[i]) : MsTurn.Ms;
            var code = (ushort)(Packet.ParseLong(types[i]) ?? 0);
            var name = Spec.FindMessageType(code, fl)?.Name ?? $"0x{code:X4}";
            if (i == 0 || fl == MsTurn.Ms) _ms += fl == MsTurn.Ms ? 1 : 0;
            var label = i == 0 ? name : name + " (relayed)";
            _types[label] = _types.GetValueOrDefault(label) + 1;
        }
        // ICE checks relayed inside DATA or multiplexed frames are handed to Wireshark's STUN dissector.
        foreach (var st in p.All("stun.type"))
        {
            var code = (ushort)(Packet.ParseLong(st) ?? 0);
            var label = (Spec.FindMessageType(code, MsTurn.Rfc)?.Name ?? $"0x{code:X4}") + " (relayed)";
            _types[label] = _types.GetValueOrDefault(label) + 1;
        }
        var frame = p.Long("frame.number");
        var src = p.Src ?? "?";
        var dst = p.Dst ?? "?";
        var sport = p.Str("udp.srcport") ?? p.Str("tcp.srcport");
        var dport = p.Str("udp.dstport") ?? p.Str("tcp.dstport");
        var msg = Spec.FindMessageType(top, topFlavour);
        var isRequest = msg is { Class: MessageClass.Request or MessageClass.Indication, FromServer: false };
        var (client, server) = isRequest || (msg is null && Net.IsPrivate(src)) ? (Net.Endpoint(src, sport),
            Net.Endpoint(dst, dport)) : (Net.Endpoint(dst, dport), Net.Endpoint(src, sport));
        if (topFlavour == MsTurn.Ms)
            _servers.Add(server);
        if (Net.IsPrivate(Net.Host(client)))
            _local.Add(Net.Host(client));
        _clientHosts.Add(Net.Host(client));

        // Pair address-bearing attributes with the decoded IPv4 addresses, in order (the frame's inner
        // messages too: the schema's address attributes of both flavours).
        var attTypes = p.All(N.AttributeType).Select(t => (ushort)(Packet.ParseLong(t) ?? 0)).ToList();
        foreach (var a in attTypes)
            _attrs.Add(Spec.FindAttribute(a, MsTurn.Ms)?.Name ?? Spec.FindAttribute(a, MsTurn.Rfc)?.Name
                ?? $"0x{a:X4}");
        string? relayed = null, mapped = null;
        foreach (var (a, ep) in PairAddresses(p, attTypes, AddressCodes, N.AddressPrefix) ?? [])
        {
            switch (RoleOf(a, topFlavour))
            {
                case AttributeRole.RelayedAddress when Allocates(msg, topFlavour): relayed ??= ep; break;
                case AttributeRole.MappedAddress when topFlavour == MsTurn.Ms:
                    mapped ??= ep;
                    _mapped.Add(ep);
                    _evidence.TryAdd(Net.Host(ep), frame);
                    break;
                case AttributeRole.PeerAddress or AttributeRole.DestinationAddress: _peers.Add(ep); break;
            }
        }
        if (msg?.Class == MessageClass.ErrorResponse)
        {
            var alternate = PairAddresses(p, attTypes, AddressCodes, N.AddressPrefix)?
                .FirstOrDefault(x => AlternateServerCodes.Contains(x.Code)).Endpoint;
            AddError(msg.Name, Packet.ParseLong(p.Str(ErrorClass)),
                Packet.ParseLong(p.Str(ErrorNumber)),
                p.Str(ErrorReason), p.Str(Realm), alternate, server, frame);
        }
        uint? lifetime = p.Str(Lifetime) is { } lt ? (uint?)Packet.ParseLong(lt) : null;
        foreach (var v in p.All(Version))
            if (Packet.ParseLong(v) is { } version)
                _versions.Add(version);
        foreach (var s in p.All(StreamType))
            if (Packet.ParseLong(s) is { } type)
                _streams.Add(type);
        foreach (var s in p.All(Software)) _software.Add(s);
        if (Allocates(msg, topFlavour))
            _allocs.Add(new TurnAllocation(client, server, relayed, mapped, lifetime, frame, lifetime == 0));
        if (topFlavour == MsTurn.Ms)
        {
            var kind = Array.IndexOf(Operations, KindOf(msg, topFlavour));
            _slots.Add(p.Time - _t0.Value, kind < 0 ? Operations.Length - 1 : kind, 1);
        }
        // Thousands of Send requests are one line of the call's story: counted on their first.
        AddEvent(p, msg?.Name ?? $"0x{top:X4}", msg?.CarriesData == true, Net.Endpoint(src, sport),
            Net.Endpoint(dst, dport));
    }

    // One step of the call's timeline; a repeated one (same message, same two ends) is counted on its first.
    private void AddEvent(in Packet p, string kind, bool collapse, string from, string to)
    {
        var ev = new TimelineEvent(Math.Round(p.Time - _t0!.Value, 3), kind, p.Long("frame.number"))
        {
            From = from,
            To = to,
        };
        if (collapse)
        {
            var key = (ev.Kind, ev.From, ev.To);
            if (_repeats.TryGetValue(key, out var r))
                _repeats[key] = (r.Index, r.Count + 1);
            else if (_timeline.Count < 500)
            {
                _repeats[key] = (_timeline.Count, 1);
                _timeline.Add(ev);
            }
        }
        else if (_timeline.Count < 500)
            _timeline.Add(ev);
    }

    /// <summary>What the names of messages Wireshark's own STUN dissector decoded end with, in the message types
    /// and the timeline ("Allocate request (STUN)"), apart from MS-TURN's.</summary>
    public const string StandardSuffix = " (STUN)";

    // The allocation exchange (request, 401, success) keeps its order in the timeline; other standard messages
    // repeat (ICE checks, refreshes, permissions, channel binds, data) and are counted on their first.
    private static bool OfAllocation(MessageTypeSpec? m, string flavour) =>
        (m?.RequestCode is { } rc ? Spec.FindMessageType(rc, flavour) : m)?.CreatesAllocation == true;

    /// <summary>Ordinary STUN/TURN decoded by Wireshark's own dissector (Signal, WhatsApp, Discord, ICE
    /// checks…).</summary>
    private void AddBuiltInStun(in Packet p)
    {
        var stunTypes = p.All("stun.type");
        // A message inside TURN ChannelData is an ICE check relayed through the relay: the peer's answer names the
        // relayed address, nothing about this host's NAT (the frame counts as media or as nothing, not here).
        if (stunTypes.Count == 0 || p.Has("stun.channel")) return;
        var code = (ushort)(Packet.ParseLong(stunTypes[0]) ?? 0);
        var msg = Spec.FindMessageType(code, MsTurn.Rfc);
        var label = (msg?.Name ?? $"0x{code:X4}") + StandardSuffix;
        _types[label] = _types.GetValueOrDefault(label) + 1;
        var src = p.Src ?? "?";
        var dst = p.Dst ?? "?";
        var sport = p.Str("udp.srcport") ?? p.Str("tcp.srcport");
        var dport = p.Str("udp.dstport") ?? p.Str("tcp.dstport");
        var response = msg?.Class is MessageClass.SuccessResponse or MessageClass.ErrorResponse;
        // Standard STUN/TURN is part of the call's story too (Signal, WhatsApp, Meet: Allocate, ChannelBind, checks).
        AddEvent(p, label, msg?.Class != MessageClass.ErrorResponse && !OfAllocation(msg, MsTurn.Rfc),
            Net.Endpoint(src, sport), Net.Endpoint(dst, dport));
        var id = IdKey(p.Str("stun.id") ?? "");
        var attTypes = p.All("stun.att.type").Select(t => (ushort)(Packet.ParseLong(t) ?? 0)).ToList();
        // A public end that sends requests to a private one is a peer doing ICE checks, with or without PRIORITY
        // (WhatsApp's have none): servers answer, they do not ask.
        if (msg?.Class == MessageClass.Request && !Net.IsPrivate(src) && Net.IsPrivate(dst))
            _requesters.Add(Net.Endpoint(src, sport));
        // A Send or Data indication's attributes include those of the check it carries: its own are not a check's.
        if (!response && msg?.CarriesData != true
            && attTypes.Any(a => RoleOf(a, MsTurn.Rfc) == AttributeRole.IcePriority))
        {
            if (_iceChecks.Count < 100_000) _iceChecks.Add(id);
            if (_checkPairs.Count < 100_000) _checkPairs.Add((Net.Endpoint(src, sport), Net.Endpoint(dst, dport)));
            return;
        }
        if (response && _iceChecks.Contains(id))
        {
            // A connectivity check's answer tells how the peer (or its relay) saw this host: a peer-reflexive address,
            // kept apart from what a STUN server reports, but evidence of NAT all the same.
            var checkPairs = PairAddresses(p, attTypes, RfcAddressCodes, "stun.att.");
            var seen = checkPairs?.FirstOrDefault(x => XorMappedCodes.Contains(x.Code)).Endpoint;
            // Only answers coming to this side's private address say how this host is seen; the answers it sends
            // describe the peer.
            if (seen is not null && msg?.Class == MessageClass.SuccessResponse && p.Dst is { } local
                && Net.IsPrivate(local))
            {
                _peerReflexive.Add(seen);
                _checkLocal.Add(local);
                _evidence.TryAdd(Net.Host(seen), p.Long("frame.number"));
            }
            return;
        }
        var (client, clientPort, server) = response ? (dst, dport, Net.Endpoint(src, sport)) : (src, sport,
            Net.Endpoint(dst, dport));
        // Only exchanges with a public server say something about NAT; ICE checks between peers are skipped.
        if (Net.IsPrivate(Net.Host(server)) && !Net.IsPrivate(client))
            return;
        if (Net.IsPrivate(client))
            _local.Add(client);
        if (client is not null)
            _clientHosts.Add(client);
        foreach (var s in p.All("stun.att.software")) _software.Add(s);
        var pairs = PairAddresses(p, attTypes, RfcAddressCodes, "stun.att.");
        if (msg?.Class == MessageClass.ErrorResponse)
            AddError(msg.Name, Packet.ParseLong(p.Str("stun.att.error.class")),
                Packet.ParseLong(p.Str("stun.att.error")),
                p.Str("stun.att.error.reason"), p.Str("stun.att.realm"),
                pairs?.FirstOrDefault(x => AlternateServerCodes.Contains(x.Code)).Endpoint, server,
                    p.Long("frame.number"));
        if (!response || pairs is null) return;
        _servers.Add(server);
        string? mapped = null, relayed = null;
        foreach (var (c, ep) in pairs)
        {
            var role = RoleOf(c, MsTurn.Rfc);
            if (role == AttributeRole.MappedAddress) mapped ??= ep;
            if (role == AttributeRole.RelayedAddress) relayed ??= ep;
        }
        if (mapped is not null)
        {
            _mapped.Add(mapped);
            _evidence.TryAdd(Net.Host(mapped), p.Long("frame.number"));
            if (msg?.Class == MessageClass.SuccessResponse && client is not null && _mappedFrom.Count < 100_000)
                _mappedFrom.Add((server, mapped, client));
        }
        if (Allocates(msg, MsTurn.Rfc))
        {
            uint? lifetime = p.Str("stun.att.lifetime") is { } lt ? (uint?)Packet.ParseLong(lt) : null;
            _allocs.Add(new TurnAllocation(Net.Endpoint(client, clientPort), server, relayed, mapped, lifetime,
                p.Long("frame.number"), lifetime == 0));
        }
    }

    private (double Width, List<CountBin> Bins) MessageBins()
    {
        if (_slots.Count == 0)
            return (1, []);
        var slots = _slots.ByTenths();
        var first = slots[0].Tenth;
        var last = slots[^1].Tenth;
        // Days between two messages (odd timestamps): not a sequence worth drawing.
        if ((last - first) / 10.0 > 86400)
            return (1, []);
        var width = Math.Max(TimeSlots.WidthFor(Math.Max(0.1, (last - first) / 10.0)), _slots.Tenths / 10.0);
        var bins = new SortedDictionary<long, long[]>();
        foreach (var (slot, _, values) in slots)
        {
            var b = TimeSlots.BinOf(slot, width);
            if (!bins.TryGetValue(b, out var acc))
                bins[b] = acc = new long[Operations.Length];
            for (var i = 0; i < acc.Length; i++)
                acc[i] += values[i];
        }
        var list = new List<CountBin>();
        for (var b = bins.Keys.First(); b <= bins.Keys.Last(); b++)
        {
            var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
            if (bins.TryGetValue(b, out var c))
                for (var i = 0; i < c.Length; i++)
                    if (c[i] > 0)
                        counts[Operations[i]] = c[i];
            list.Add(new CountBin(Math.Round(b * width, 3), counts));
        }
        return (width, list);
    }

    /// <summary>The media flows, their remote ends named from <paramref name="names"/>.</summary>
    public MediaSection Media(IReadOnlyDictionary<string, string> names)
    {
        // A flow to the relay host's server port goes through the address the relay allocated for that client: that
        // address, which the peer sees, is the relay.
        var relayed = _allocs.Where(a => a.Relayed is not null).GroupBy(a => (a.Client, Net.Host(a.Relayed!)))
            .ToDictionary(g => g.Key, g => g.First().Relayed!);
        return new([.. _media.Result(names, _t0 ?? 0, AllocationServers(), _checkPairs).Select(f => f.Via is { } via
            && relayed.TryGetValue((f.Local, Net.Host(via)), out var r) && r != via
                ? f with { Via = r, Reason = "allocation" } : f)]);
    }

    public IEnumerable<string> MediaHosts => _media.RemoteHosts;

    private HashSet<string> AllocationServers() => _allocs.Select(a => a.Server).ToHashSet(StringComparer.Ordinal);

    public StunSection Build()
    {
        var (width, bins) = MessageBins();
        foreach (var (index, count) in _repeats.Values)
            _timeline[index] = _timeline[index] with { Count = count };
        // What an ICE peer answered (found a peer only once it sent its own requests) is a peer-reflexive address,
        // not a server's mapping: the peer leaves the servers, its answers join the check answers. A relay the client
        // allocated on stays a server, though checks come through it once media flows (Skype's raw mode).
        _requesters.ExceptWith(_allocs.Select(a => a.Server));
        var byServers = _mappedFrom.Where(x => !_requesters.Contains(x.Server)).Select(x => x.Mapped).ToHashSet();
        foreach (var (_, mapped, local) in _mappedFrom.Where(x => _requesters.Contains(x.Server)))
            if (!byServers.Contains(mapped) && _mapped.Remove(mapped))
            {
                _peerReflexive.Add(mapped);
                _checkLocal.Add(local);
            }
        _servers.ExceptWith(_requesters);
        // A "mapped" address on a relay's own host is not the client's NAT: it is how a peer saw the client through
        // the relay (checks answered once Skype's raw mode carries them), a relayed candidate.
        var relayHosts = _allocs.SelectMany(a => new[] { a.Server, a.Relayed }).OfType<string>().Select(Net.Host)
            .ToHashSet();
        foreach (var mapped in _mapped.Where(m => relayHosts.Contains(Net.Host(m))).ToList())
        {
            _mapped.Remove(mapped);
            _peerReflexive.Add(mapped);
        }
        // The direct and relayed counts are the flows': worked out here too, so they do not depend on Media running
        // first.
        _media.Result(new Dictionary<string, string>(), _t0 ?? 0, AllocationServers(), _checkPairs);
        var localIps = _local.ToList();
        var allMapped = _mapped.Select(Net.Host).Distinct().ToList();
        // Mapped addresses that are a client's own say there is no translation on that path (typically IPv6).
        var untranslated = allMapped.Where(m => !Net.IsPrivate(m) && _clientHosts.Contains(m)).ToList();
        var mappedIps = allMapped.Except(untranslated).ToList();
        var reflexiveIps = _peerReflexive.Select(Net.Host).Distinct().ToList();
        var checkLocal = _checkLocal.ToList();
        NatFacts nat;
        if (mappedIps.Count == 0 && reflexiveIps.Count > 0 && checkLocal.Count > 0
            && reflexiveIps.Any(r => !checkLocal.Contains(r)))
            nat = new("nat-ice", checkLocal, [.. reflexiveIps.Where(r => !checkLocal.Contains(r))], untranslated);
        else if (mappedIps.Count == 0 && untranslated.Count > 0)
            nat = new("no-nat-own-address", [], [], untranslated);
        else if (mappedIps.Count == 0)
            nat = new(_ms + _stun == 0 ? "no-stun" : "no-mapped-address", [], [], []);
        else if (localIps.Count > 0 && mappedIps.Any(m => !localIps.Contains(m)))
            nat = new("nat", localIps, mappedIps, untranslated);
        else
            nat = new("no-nat", mappedIps, mappedIps, untranslated);
        var shown = nat.Public.Concat(nat.Untranslated).Select(a => _evidence.GetValueOrDefault(a)).Where(f => f > 0);
        nat = nat with { EvidenceFrame = shown.DefaultIfEmpty(0).Min() };
        return new StunSection
        {
            MsTurnMessages = _ms,
            StunMessages = _stun,
            MessageTypes = _types,
            Servers = [.. _servers],
            Allocations = _allocs,
            Peers = [.. _peers],
            MsVersions = [.. _versions],
            StreamTypes = [.. _streams],
            Software = [.. _software],
            MappedAddresses = [.. _mapped],
            LocalAddresses = localIps,
            Nat = nat,
            RelayedMediaPackets = _media.RelayedMedia.Packets,
            RelayedMediaBytes = _media.RelayedMedia.Bytes,
            DirectRtpPackets = _media.DirectRtp.Packets,
            DirectRtpBytes = _media.DirectRtp.Bytes,
            AttributesSeen = [.. _attrs],
            Timeline = _timeline,
            MessageBinSeconds = width,
            MessagesOverTime = bins,
            PeerReflexiveAddresses = [.. _peerReflexive],
            ErrorResponses = [.. _errors.OrderBy(e => e.Value.First)
                .Select(e => new StunErrorResponse(e.Key.Item1, e.Key.Item2, e.Key.Item3, e.Key.Item4, e.Key.Item5,
                    e.Key.Item6,
                    e.Value.First, e.Value.Count))],
        };
    }
}
