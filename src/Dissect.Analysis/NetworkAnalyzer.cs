using System.Runtime.InteropServices;

namespace Dissect.Analysis;

public sealed class NetworkAnalyzer : IAnalyzer
{
    public IEnumerable<string> Fields => ["frame.len", "frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
        "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
        Packet.TlsLayerField, .. Packet.MsturnItemFields];

    private long _v4, _v6, _tcp, _udp, _tcpBytes, _udpBytes, _other;
    // Per packet only the frame.protocols string is counted; the per-protocol and hierarchy counts are derived from
    // these few hundred distinct strings when first asked for, not by splitting every packet's layers.
    private readonly Dictionary<string, (long Frames, long Bytes)> _stacks = new(StringComparer.Ordinal);
    private Dictionary<string, (long Frames, long Bytes)>? _protocols;
    private Dictionary<string, (long Frames, long Bytes)>? _paths;
    // Conversations keyed by their written endpoints. Keyed by the raw address and port strings instead, a report of
    // 600k DNS messages peaked at 264 MB against 185 MB (bench/memory.sh), for 0.2 s of CPU saved on 122k packets.
    private readonly Dictionary<(string, string, string), (long Frames, long Bytes)> _convs = [];
    private readonly Dictionary<string, (long Frames, long Bytes)> _endpoints = [];

    public void Add(in Packet p)
    {
        var len = p.Length;
        ref var st = ref CollectionsMarshal.GetValueRefOrAddDefault(_stacks, p.Protocols, out _);
        st = (st.Frames + 1, st.Bytes + len);
        var src = p.Src;
        var dst = p.Dst;
        if (p.Has("ip.src")) _v4++;
        else if (p.Has("ipv6.src")) _v6++;
        string transport;
        string? sp, dp;
        if (p.Has("tcp.srcport"))
        {
            _tcp++; _tcpBytes += len; transport = "TCP"; sp = p.Str("tcp.srcport"); dp = p.Str("tcp.dstport");
        }
        else if (p.Has("udp.srcport"))
        {
            _udp++; _udpBytes += len; transport = "UDP"; sp = p.Str("udp.srcport"); dp = p.Str("udp.dstport");
        }
        else { _other++; transport = "other"; sp = dp = null; }
        if (src is null || dst is null) return;
        var a = sp is null ? src : Endpoint(src, sp);
        var b = dp is null ? dst : Endpoint(dst, dp);
        var key = string.CompareOrdinal(a, b) < 0 ? (a, b, transport) : (b, a, transport);
        var c = _convs.GetValueOrDefault(key);
        _convs[key] = (c.Frames + 1, c.Bytes + len);
        foreach (var ip in new[] { src, dst })
        {
            var e = _endpoints.GetValueOrDefault(ip);
            _endpoints[ip] = (e.Frames + 1, e.Bytes + len);
        }
    }

    private Dictionary<string, (long Frames, long Bytes)> Protocols()
    {
        if (_protocols is not null) return _protocols;
        _protocols = new(StringComparer.Ordinal);
        foreach (var (stack, n) in _stacks)
            foreach (var proto in stack.Split(':').Distinct())
            {
                var v = _protocols.GetValueOrDefault(proto);
                _protocols[proto] = (v.Frames + n.Frames, v.Bytes + n.Bytes);
            }
        return _protocols;
    }

    private Dictionary<string, (long Frames, long Bytes)> Paths()
    {
        if (_paths is not null) return _paths;
        _paths = new(StringComparer.Ordinal);
        foreach (var (stack, n) in _stacks)
        {
            // Every prefix of the path is a node of the hierarchy, as in tshark -z io,phs (which leaves out
            // the "ethertype" pseudo-layer and counts IPv6 extension headers as part of IPv6).
            var path = stack.Replace(":ethertype", "", StringComparison.Ordinal);
            if (path.Contains(":ipv6.", StringComparison.Ordinal))
                path = string.Join(':', path.Split(':').Where(l => !l.StartsWith("ipv6.", StringComparison.Ordinal)));
            for (var i = path.IndexOf(':', StringComparison.Ordinal); ; i = path.IndexOf(':', i + 1))
            {
                var prefix = i < 0 ? path : path[..i];
                var v = _paths.GetValueOrDefault(prefix);
                _paths[prefix] = (v.Frames + n.Frames, v.Bytes + n.Bytes);
                if (i < 0) break;
            }
        }
        return _paths;
    }

    private static string Endpoint(string ip, string port) => ip.Contains(':',
        StringComparison.Ordinal) ? $"[{ip}]:{port}" : $"{ip}:{port}";

    private static string Host(string endpoint) => endpoint.StartsWith('[') ? endpoint[1..endpoint.IndexOf(']',
        StringComparison.Ordinal)]
        : endpoint.Contains(':', StringComparison.Ordinal) ? endpoint[..endpoint.LastIndexOf(':')] : endpoint;

    public long Frames(string proto) => Protocols().GetValueOrDefault(proto).Frames;

    private const int Shown = 15;
    private HashSet<string>? _shown;

    private IEnumerable<KeyValuePair<(string, string, string), (long Frames, long Bytes)>> TopConversations() =>
        _convs.OrderByDescending(kv => kv.Value.Bytes).ThenBy(kv => kv.Key.Item1, StringComparer.Ordinal)
            .Take(Shown);

    private IEnumerable<KeyValuePair<string, (long Frames, long Bytes)>> TopEndpoints() =>
        _endpoints.OrderByDescending(kv => kv.Value.Bytes).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(Shown);

    /// <summary>The addresses the section names: the ends of the top conversations and the top endpoints.</summary>
    public IReadOnlySet<string> ShownAddresses() => _shown ??=
        [.. TopConversations().SelectMany(kv => new[] { Host(kv.Key.Item1), Host(kv.Key.Item2) }),
            .. TopEndpoints().Select(kv => kv.Key)];

    public NetworkSection Build(IReadOnlyDictionary<string, string> names)
    {
        string? Name(string ip) => names.TryGetValue(ip, out var n) ? n : null;
        var protocols = Protocols().OrderByDescending(kv => kv.Value.Frames)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ProtocolShare(kv.Key, kv.Value.Frames, kv.Value.Bytes)).ToList();
        var convs = TopConversations()
            .Select(kv => new Conversation(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value.Frames, kv.Value.Bytes,
                Name(Host(kv.Key.Item2)) ?? Name(Host(kv.Key.Item1)))).ToList();
        var eps = TopEndpoints()
            .Select(kv => new Endpoint(kv.Key, kv.Value.Frames, kv.Value.Bytes, Net.IsPrivate(kv.Key), Name(kv.Key))
            { Scope = Net.Scope(kv.Key) }).ToList();
        var priv = _endpoints.Keys.Where(Net.IsPrivate).Order(StringComparer.Ordinal).ToList();
        var paths = Paths().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new ProtocolShare(kv.Key,
            kv.Value.Frames, kv.Value.Bytes)).ToList();
        // Multicast, broadcast, loopback and link-local addresses are not public hosts.
        var publicCount = _endpoints.Keys.Count(k => Net.Scope(k) == "public");
        return new NetworkSection(_v4, _v6, _tcp, _udp, _tcpBytes, _udpBytes, _other, protocols, paths, convs, eps,
            priv, publicCount);
    }
}
