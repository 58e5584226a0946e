using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dissect.Analysis;

/// <summary>
/// Packets per IP version and transport, the protocol hierarchy, and the conversations and endpoints that carry the
/// most bytes. At most <paramref name="resident"/> conversations (and as many endpoints) are counted in memory; the
/// packets of any other go to <see cref="SpillFiles"/>, by the hash of their key, and are counted one partition at a
/// time at the end. A port scan or a busy resolver (a new source port per query) makes one conversation per packet:
/// 300k of them once took 265 MB.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "The spill files are unlinked when opened and closed once counted; an analysis cut short leaves them to the GC.")]
public sealed class NetworkAnalyzer(int resident = NetworkAnalyzer.DefaultResident) : IAnalyzer
{
    public const int DefaultResident = 1 << 14;
    private const int SpillPartitions = 64;
    private const byte ConvRecord = 0, EndpointRecord = 1;

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
        var a = sp is null ? src : Net.Endpoint(src, sp);
        var b = dp is null ? dst : Net.Endpoint(dst, dp);
        var key = string.CompareOrdinal(a, b) < 0 ? (a, b, transport) : (b, a, transport);
        ref var c = ref CollectionsMarshal.GetValueRefOrNullRef(_convs, key);
        if (!Unsafe.IsNullRef(ref c))
            c = (c.Frames + 1, c.Bytes + len);
        else if (_convs.Count < _resident || Spill() is not { } spill)
            _convs[key] = (1, len);
        else
        {
            var w = spill.Partition(HashCode.Combine(key.Item1, key.Item2, key.Item3));
            w.Write(ConvRecord);
            SpillFiles.WriteText(w, key.Item1);
            SpillFiles.WriteText(w, key.Item2);
            SpillFiles.WriteText(w, key.Item3);
            w.Write(len);
        }
        CountEndpoint(src, len);
        CountEndpoint(dst, len);
    }

    private int _resident = resident;
    private SpillFiles? _spill;

    /// <summary>Bytes written to disk for conversations and endpoints beyond the resident ones.</summary>
    public long SpilledBytes => _spill?.Bytes ?? 0;

    private void CountEndpoint(string ip, long len)
    {
        ref var e = ref CollectionsMarshal.GetValueRefOrNullRef(_endpoints, ip);
        if (!Unsafe.IsNullRef(ref e))
            e = (e.Frames + 1, e.Bytes + len);
        else if (_endpoints.Count < _resident || Spill() is not { } spill)
            _endpoints[ip] = (1, len);
        else
        {
            var w = spill.Partition(ip.GetHashCode(StringComparison.Ordinal));
            w.Write(EndpointRecord);
            SpillFiles.WriteText(w, ip);
            w.Write(len);
        }
    }

    private SpillFiles? Spill()
    {
        if (_spill is not null)
            return _spill;
        try
        {
            return _spill = new SpillFiles("dissect-net-", SpillPartitions);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No private temp folder to be had (a full or read-only disk): everything is counted in memory.
            _resident = int.MaxValue;
            return null;
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

    // A conversation without ports (ICMP, ESP…) is keyed by its bare addresses, which an IPv6 address's colons must
    // not cut.
    private static string Host(string end, string transport) => transport == "other" ? end : Net.Host(end);

    public long Frames(string proto) => Protocols().GetValueOrDefault(proto).Frames;

    private const int Shown = 15;
    // The private addresses the model lists (all are counted); the report shows fewer.
    private const int PrivateListed = 64;
    private HashSet<string>? _shown;
    private Totals? _totals;

    private sealed record Totals(List<KeyValuePair<(string, string, string), (long Frames, long Bytes)>> Conversations,
        List<KeyValuePair<string, (long Frames, long Bytes)>> Endpoints, List<string> Private, int PrivateCount,
        int PublicCount);

    // Most bytes first; equal bytes in the order of their ends, so the list is the same however the packets came.
    private static int ByBytes(KeyValuePair<(string, string, string), (long Frames, long Bytes)> x,
        KeyValuePair<(string, string, string), (long Frames, long Bytes)> y)
    {
        var c = y.Value.Bytes.CompareTo(x.Value.Bytes);
        if (c == 0) c = string.CompareOrdinal(x.Key.Item1, y.Key.Item1);
        if (c == 0) c = string.CompareOrdinal(x.Key.Item2, y.Key.Item2);
        return c != 0 ? c : string.CompareOrdinal(x.Key.Item3, y.Key.Item3);
    }

    private static int ByBytes(KeyValuePair<string, (long Frames, long Bytes)> x,
        KeyValuePair<string, (long Frames, long Bytes)> y)
    {
        var c = y.Value.Bytes.CompareTo(x.Value.Bytes);
        return c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
    }

    /// <summary>The top lists and counts, from memory and then from each spilled partition in turn.</summary>
    private Totals Total()
    {
        if (_totals is not null) return _totals;
        var convs = new Top<KeyValuePair<(string, string, string), (long Frames, long Bytes)>>(Shown, ByBytes);
        var eps = new Top<KeyValuePair<string, (long Frames, long Bytes)>>(Shown, ByBytes);
        var priv = new Top<string>(PrivateListed, string.CompareOrdinal);
        int privateCount = 0, publicCount = 0;
        void Endpoints(Dictionary<string, (long Frames, long Bytes)> d)
        {
            foreach (var kv in d)
            {
                eps.Add(kv);
                // One parse per address: Net.IsPrivate holds exactly for these three scopes. Multicast, broadcast,
                // loopback and link-local addresses are not public hosts.
                var scope = Net.Scope(kv.Key);
                if (scope is "private" or "loopback" or "link-local") { privateCount++; priv.Add(kv.Key); }
                else if (scope == "public") publicCount++;
            }
        }
        foreach (var kv in _convs)
            convs.Add(kv);
        Endpoints(_endpoints);
        if (_spill is not null)
        {
            foreach (var (r, end) in _spill.ReadPartitions())
            {
                var pc = new Dictionary<(string, string, string), (long Frames, long Bytes)>();
                var pe = new Dictionary<string, (long Frames, long Bytes)>();
                while (r.BaseStream.Position < end)
                {
                    if (r.ReadByte() == ConvRecord)
                    {
                        var key = (SpillFiles.ReadText(r), SpillFiles.ReadText(r), SpillFiles.ReadText(r));
                        ref var v = ref CollectionsMarshal.GetValueRefOrAddDefault(pc, key, out _);
                        v = (v.Frames + 1, v.Bytes + r.ReadInt64());
                    }
                    else
                    {
                        ref var v = ref CollectionsMarshal.GetValueRefOrAddDefault(pe, SpillFiles.ReadText(r), out _);
                        v = (v.Frames + 1, v.Bytes + r.ReadInt64());
                    }
                }
                foreach (var kv in pc)
                    convs.Add(kv);
                Endpoints(pe);
                // A partition's counts are garbage once added; with so much surviving before, the GC would let young
                // garbage pile up for tens of megabytes: a young collection per partition keeps the end flat.
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            }
            _spill.Dispose();
        }
        return _totals = new Totals(convs.Sorted(), eps.Sorted(), priv.Sorted(), privateCount, publicCount);
    }

    private List<KeyValuePair<(string, string, string), (long Frames, long Bytes)>> TopConversations() =>
        Total().Conversations;

    private List<KeyValuePair<string, (long Frames, long Bytes)>> TopEndpoints() => Total().Endpoints;

    /// <summary>The addresses the section names: the ends of the top conversations and the top endpoints.</summary>
    public IReadOnlySet<string> ShownAddresses() => _shown ??=
        [.. TopConversations().SelectMany(kv => new[] { Host(kv.Key.Item1, kv.Key.Item3),
            Host(kv.Key.Item2, kv.Key.Item3) }),
            .. TopEndpoints().Select(kv => kv.Key)];

    public NetworkSection Build(IReadOnlyDictionary<string, string> names)
    {
        string? Name(string ip) => names.TryGetValue(ip, out var n) ? n : null;
        var protocols = Protocols().OrderByDescending(kv => kv.Value.Frames)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ProtocolShare(kv.Key, kv.Value.Frames, kv.Value.Bytes)).ToList();
        var convs = TopConversations()
            .Select(kv => new Conversation(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value.Frames, kv.Value.Bytes,
                Name(Host(kv.Key.Item2, kv.Key.Item3)) ?? Name(Host(kv.Key.Item1, kv.Key.Item3)))).ToList();
        var eps = TopEndpoints()
            .Select(kv => new Endpoint(kv.Key, kv.Value.Frames, kv.Value.Bytes, Net.IsPrivate(kv.Key), Name(kv.Key))
            { Scope = Net.Scope(kv.Key) }).ToList();
        var paths = Paths().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new ProtocolShare(kv.Key,
            kv.Value.Frames, kv.Value.Bytes)).ToList();
        var t = Total();
        return new NetworkSection(_v4, _v6, _tcp, _udp, _tcpBytes, _udpBytes, _other, protocols, paths, convs, eps,
            t.Private, t.PublicCount)
        { PrivateAddressCount = t.PrivateCount };
    }
}

/// <summary>The <paramref name="k"/> first items in <paramref name="order"/> of all those added, in one pass and
/// memory for k.</summary>
internal sealed class Top<T>(int k, Comparison<T> order)
{
    // The worst kept item is at the head, to be pushed out by a better one.
    private readonly PriorityQueue<T, T> _heap = new(Comparer<T>.Create((x, y) => order(y, x)));

    public void Add(T item)
    {
        if (_heap.Count < k)
            _heap.Enqueue(item, item);
        else if (order(item, _heap.Peek()) < 0)
            _heap.EnqueueDequeue(item, item);
    }

    public List<T> Sorted()
    {
        var list = _heap.UnorderedItems.Select(x => x.Element).ToList();
        list.Sort(order);
        return list;
    }
}
