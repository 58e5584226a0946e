namespace Dissect.Analysis;

public sealed class DnsAnalyzer : IAnalyzer
{
    private static readonly Dictionary<int, string> Types = new()
    {
        [1] = "A", [2] = "NS", [5] = "CNAME", [6] = "SOA", [12] = "PTR", [15] = "MX", [16] = "TXT", [28] = "AAAA", [33] = "SRV", [41] = "OPT",
        [43] = "DS", [46] = "RRSIG", [47] = "NSEC", [48] = "DNSKEY", [50] = "NSEC3", [64] = "SVCB", [65] = "HTTPS", [255] = "ANY",
    };
    private static readonly string[] Rcodes = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];
    private static readonly HashSet<string> DnssecTypes = ["DS", "RRSIG", "NSEC", "DNSKEY", "NSEC3"];

    public IEnumerable<string> Fields =>
    [
        "dns.id", "dns.flags.response", "dns.flags.opcode", "dns.flags.rcode", "dns.flags.recdesired", "dns.flags.checkdisable", "dns.flags.authoritative",
        "dns.flags.truncated", "dns.flags.recavail", "dns.flags.authenticated", "dns.resp.z.do", "dns.qry.name", "dns.qry.type", "dns.count.answers",
        "dns.count.auth_rr", "dns.count.add_rr", "dns.resp.name", "dns.resp.type", "dns.resp.ttl", "dns.a", "dns.aaaa", "dns.cname", "dns.ns", "dns.soa.mname",
        "dns.ptr.domain_name", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport",
    ];

    // Aggregates only, per name and per kind, updated as packets arrive: memory follows the distinct names, never the
    // number of messages (a capture of 600k DNS messages once kept 3 KB for each).
    private readonly Dictionary<string, NameState> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly SortedDictionary<string, int> _queryTypes = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _rcodes = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _transports = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _dnssecTypes = new(StringComparer.Ordinal);
    private int _queryCount, _responseCount, _recursionDesired, _dnssecOk, _authenticated, _authoritative;
    // A query is answered by a response with its id and name, on its transport, from the server it was sent to and
    // back to the port it came from (as Wireshark's dns.response_in matches them). Keys are kept as 64-bit hashes.
    // A retransmitted query after its answer is answered too; recent answers suffice for that, so only the last
    // RecentAnswers keys are kept and memory stays flat however many messages the capture holds.
    private const int RecentAnswers = 1 << 16;
    private readonly HashSet<long> _answered = [];
    private readonly Queue<long> _answeredOrder = new();
    private readonly Dictionary<long, string> _pending = [];
    public int DotPackets { get; private set; }
    public int MdnsPackets { get; private set; }
    public int LlmnrPackets { get; private set; }

    // Kept small on purpose (about 300 bytes for a name with one answer): what most names lack lives in Rare, one
    // query type is a shared string rather than an array, and the first chain is inline.
    private sealed class NameState
    {
        public string? Spelling;
        public bool Queried;
        public int Queries, Responses;
        public object? QueryTypes;
        public string[]? IPv4;
        public DnsChain? Chain;
        public RareState? Rare;
        public RareState More => Rare ??= new RareState();
    }

    private sealed class RareState
    {
        public string? FirstCname;
        public string[]? AuthorityZones, AuthorityServers, IPv6;
        public List<DnsChain>? Chains;
    }

    private NameState State(string name)
    {
        if (!_names.TryGetValue(name, out var s))
            _names[name] = s = new NameState();
        return s;
    }

    private readonly SortedDictionary<string, (long Count, string? Example)> _anomalies = new(StringComparer.Ordinal);

    public IEnumerable<Anomaly> Anomalies => _anomalies.Select(kv => new Anomaly(kv.Key, kv.Value.Count, kv.Value.Example!));

    public static bool IsMarker(string name) => name.Length > 1 && name[0] == '<' && name[^1] == '>';

    public static string TypeName(int t) => Types.TryGetValue(t, out var n) ? n : "TYPE" + t;

    public void Add(in Packet p)
    {
        if (p.Protocols.Contains(":tcp:", StringComparison.Ordinal)
            && (p.Str("tcp.srcport") == "853" || p.Str("tcp.dstport") == "853"))
            DotPackets++;
        // mDNS and LLMNR share the dns.* fields but are local name services, counted apart (as tshark -z dns,tree does).
        var protos = p.Protocols;
        if (protos.EndsWith(":mdns", StringComparison.Ordinal)) { MdnsPackets++; return; }
        if (protos.EndsWith(":llmnr", StringComparison.Ordinal)) { LlmnrPackets++; return; }
        if (!protos.Contains(":dns", StringComparison.Ordinal) || !p.Has("dns.flags.response") || !p.Has("dns.qry.name"))
            return;
        var frame = p.Long("frame.number");
        var name = p.Str("dns.qry.name")!;
        // tshark shows names it cannot read, and the root, as markers in angle brackets: not names to tabulate.
        if (IsMarker(name))
        {
            var kind = name == "<Root>" ? "dns-root" : "dns-placeholder";
            _anomalies[kind] = (_anomalies.GetValueOrDefault(kind).Count + 1, _anomalies.GetValueOrDefault(kind).Example ?? name);
            return;
        }
        var type = TypeName(p.Int("dns.qry.type") ?? 0);
        var transport = p.Protocols.Contains(":tcp:", StringComparison.Ordinal) ? "TCP" : "UDP";
        var id = p.Str("dns.id") ?? "";
        Bump(_transports, transport);
        var state = State(name);
        if (!p.Flag("dns.flags.response"))
        {
            _queryCount++;
            Bump(_queryTypes, type);
            if (p.Flag("dns.flags.recdesired")) _recursionDesired++;
            if (p.Flag("dns.resp.z.do")) _dnssecOk++;
            if (!state.Queried)
                (state.Spelling, state.Queried) = (name, true);
            state.Queries++;
            AddType(state, type);
            var asked = Key(id, name, Endpoint(p, source: true, transport), Endpoint(p, source: false, transport));
            if (!_answered.Contains(asked))
                _pending.TryAdd(asked, name);
            return;
        }
        var answeredKey = Key(id, name, Endpoint(p, source: false, transport), Endpoint(p, source: true, transport));
        if (_answered.Add(answeredKey))
        {
            _answeredOrder.Enqueue(answeredKey);
            if (_answeredOrder.Count > RecentAnswers)
                _answered.Remove(_answeredOrder.Dequeue());
        }
        _pending.Remove(answeredKey);
        _responseCount++;
        state.Spelling ??= name;
        state.Responses++;
        var rcode = p.Int("dns.flags.rcode") ?? 0;
        Bump(_rcodes, rcode < Rcodes.Length ? Rcodes[rcode] : "RCODE" + rcode);
        if (p.Flag("dns.flags.authoritative")) _authoritative++;
        if (p.Flag("dns.flags.authenticated")) _authenticated++;

        var records = Records(p);
        foreach (var r in records)
        {
            if (DnssecTypes.Contains(r.Type))
                _dnssecTypes.Add(r.Type);
            if (r.Section == "authority")
            {
                AddOnce(ref state.More.AuthorityZones, r.Name);
                if (r.Type is "NS" or "SOA" && r.Data.Length > 0)
                    AddOnce(ref state.More.AuthorityServers, r.Data);
            }
            else if (r.Section == "answer" && r.Name.Length > 0)
            {
                if (r.Type == "CNAME")
                    State(r.Name).More.FirstCname ??= r.Data;
                else if (r.Type == "A")
                    AddOnce(ref State(r.Name).IPv4, r.Data);
                else if (r.Type == "AAAA")
                    AddOnce(ref State(r.Name).More.IPv6, r.Data);
            }
        }
        AddChain(state, name, type, frame, records);
    }

    private static readonly string[] DataTypes = ["A", "AAAA", "CNAME", "NS", "SOA", "PTR"];
    private static readonly string[] DataFields = ["dns.a", "dns.aaaa", "dns.cname", "dns.ns", "dns.soa.mname", "dns.ptr.domain_name"];

    private static List<DnsRecord> Records(in Packet p)
    {
        var records = new List<DnsRecord>();
        var names = p.All("dns.resp.name");
        var types = p.All("dns.resp.type");
        var ttls = p.All("dns.resp.ttl");
        // Each type's data fields come in record order: the n-th A record takes the n-th dns.a.
        Span<int> taken = stackalloc int[DataFields.Length];
        var answers = p.Int("dns.count.answers") ?? 0;
        var auth = p.Int("dns.count.auth_rr") ?? 0;
        var ttlIndex = 0;
        for (var i = 0; i < types.Count; i++)
        {
            var t = TypeName((int)(Packet.ParseLong(types[i]) ?? 0));
            var section = i < answers ? "answer" : i < answers + auth ? "authority" : "additional";
            uint? ttl = null;
            if (t != "OPT" && ttlIndex < ttls.Count)
                ttl = (uint?)Packet.ParseLong(ttls[ttlIndex++]);
            var data = "";
            var k = Array.IndexOf(DataTypes, t);
            if (k >= 0 && p.All(DataFields[k]) is var values && taken[k] < values.Count)
                data = values[taken[k]++];
            var owner = i < names.Count ? names[i] : "";
            if (!IsMarker(owner) && !IsMarker(data))
                records.Add(new DnsRecord(section, owner, t, ttl, data));
        }
        return records;
    }

    private static long Key(string id, string name, string client, string server)
    {
        // Two independent 32-bit hashes: a false match among a million keys is about one in ten million.
        var lower = name.ToLowerInvariant();
        var a = HashCode.Combine(id, lower, client, server);
        var b = HashCode.Combine(server, client, lower, id, 0x5bd1e995);
        return ((long)a << 32) | (uint)b;
    }

    private static void AddType(NameState s, string type)
    {
        switch (s.QueryTypes)
        {
            case null: s.QueryTypes = type; break;
            case string one when one != type: s.QueryTypes = new[] { one, type }; break;
            case string[] many when Array.IndexOf(many, type) < 0: s.QueryTypes = (string[])[.. many, type]; break;
        }
    }

    private static void AddOnce(ref string[]? items, string item)
    {
        if (items is null)
            items = [item];
        else if (Array.IndexOf(items, item) < 0)
            items = [.. items, item];
    }

    private readonly Dictionary<string, string[]> _oneType = [];

    /// <summary>One shared array per query type: most names were asked for one type.</summary>
    private string[] OneType(string type) => _oneType.TryGetValue(type, out var a) ? a : _oneType[type] = [type];

    /// <summary>The sorted distinct union; when one array already holds it all, that array.</summary>
    private static IReadOnlyList<string> Union(string[]? own, IEnumerable<IReadOnlyList<string>> more)
    {
        var lists = more.Prepend(own ?? []).Where(l => l.Count > 0).ToList();
        if (lists.Count == 0)
            return [];
        if (lists.Count == 1 || lists.Skip(1).All(l => l.SequenceEqual(lists[0])))
            return lists[0] is string[] arr && arr.Order(StringComparer.Ordinal).SequenceEqual(arr) && arr.Distinct().Count() == arr.Length
                ? arr : Sorted(lists[0].Distinct(StringComparer.Ordinal));
        return Sorted(lists.SelectMany(l => l).Distinct(StringComparer.Ordinal));
    }

    private static string[] Sorted(IEnumerable<string>? items) =>
        items is null ? [] : [.. items.Order(StringComparer.Ordinal)];

    private static void Bump(SortedDictionary<string, int> d, string k) => d[k] = d.GetValueOrDefault(k) + 1;

    private static string Endpoint(in Packet p, bool source, string transport)
    {
        var ip = source ? p.Src : p.Dst;
        var port = transport == "TCP" ? p.Str(source ? "tcp.srcport" : "tcp.dstport") : p.Str(source ? "udp.srcport" : "udp.dstport");
        return $"{transport}|{ip}|{port}";
    }

    /// <summary>Address → first name (in name order) that resolved to it, for the addresses asked.</summary>
    public Dictionary<string, string> AddressNames(IReadOnlySet<string> wanted)
    {
        var map = new Dictionary<string, string>();
        foreach (var s in Summaries())
            foreach (var ip in s.IPv4.Concat(s.IPv6))
                if (wanted.Contains(ip))
                    map.TryAdd(ip, s.Name);
        return map;
    }

    private List<DnsNameSummary>? _summaries;

    public List<DnsNameSummary> Summaries()
    {
        if (_summaries is not null) return _summaries;
        _summaries = [];
        foreach (var s in _names.Values.Where(s => s.Queries + s.Responses > 0).OrderBy(s => s.Spelling, StringComparer.Ordinal))
        {
            var g = s.Spelling!;
            var chain = new List<string>();
            var cur = g;
            while (_names.TryGetValue(cur, out var at) && at.Rare?.FirstCname is { } next && chain.Count < 16 && !chain.Contains(next))
            {
                chain.Add(next);
                cur = next;
            }
            // Each response is followed on its own records: the A and the AAAA answers can take different Traffic
            // Manager chains, and a chain can change during the capture; the name resolved to all their addresses.
            IReadOnlyList<DnsChain> chains = s.Chain is null ? [] : s.Rare?.Chains is { } more ? [s.Chain, .. more] : new[] { s.Chain };
            if (chain.Count == 0 && chains.FirstOrDefault(c => c.Cnames.Count > 0) is { } firstChain)
                chain = [.. firstChain.Cnames];
            var end = _names.GetValueOrDefault(cur);
            var v4 = Union(end?.IPv4, chains.Select(c => c.IPv4));
            var v6 = Union(end?.Rare?.IPv6, chains.Select(c => c.IPv6));
            var types = s.QueryTypes switch { string one => OneType(one), string[] many => Sorted(many), _ => [] };
            _summaries.Add(new DnsNameSummary(g, chain.Count == 0 ? [] : [.. chain], v4, v6, types,
                Sorted(s.Rare?.AuthorityZones), Sorted(s.Rare?.AuthorityServers), s.Queries, s.Responses) { Chains = chains });
        }
        // The summaries now hold everything the model needs.
        _names.Clear();
        _names.TrimExcess();
        return _summaries;
    }

    /// <summary>Adds a response's chain to the name's distinct chains, per query type, in the order first seen.</summary>
    private static void AddChain(NameState state, string name, string type, long frame, List<DnsRecord> records)
    {
        var answers = records.Where(x => x.Section == "answer").ToList();
        var cnames = new List<string>();
        var cur = name;
        while (answers.FirstOrDefault(x => x.Type == "CNAME" && string.Equals(x.Name, cur, StringComparison.OrdinalIgnoreCase)) is { } c
            && c.Data.Length > 0 && cnames.Count < 16 && !cnames.Contains(c.Data, StringComparer.OrdinalIgnoreCase))
        {
            cnames.Add(c.Data);
            cur = c.Data;
        }
        var end = cur;
        string[] Addresses(string t)
        {
            string[] found = [.. answers.Where(x => x.Type == t && x.Data.Length > 0
                && string.Equals(x.Name, end, StringComparison.OrdinalIgnoreCase)).Select(x => x.Data).Distinct().Order(StringComparer.Ordinal)];
            return found.Length == 0 ? [] : found;
        }
        var v4 = Addresses("A");
        var v6 = Addresses("AAAA");
        // The same chain answered again (with the same or other addresses at its end) is one entry.
        bool Same(DnsChain x) => x.QueryType == type && x.Cnames.SequenceEqual(cnames, StringComparer.OrdinalIgnoreCase);
        DnsChain Merged(DnsChain x) => x with
        {
            IPv4 = x.IPv4.SequenceEqual(v4) ? x.IPv4 : [.. x.IPv4.Union(v4).Order(StringComparer.Ordinal)],
            IPv6 = x.IPv6.SequenceEqual(v6) ? x.IPv6 : [.. x.IPv6.Union(v6).Order(StringComparer.Ordinal)],
            Responses = x.Responses + 1,
        };
        if (state.Chain is null)
        {
            state.Chain = new DnsChain(type, cnames.Count == 0 ? [] : [.. cnames], Shared(v4, state.IPv4), v6, frame, 1);
            return;
        }
        if (Same(state.Chain))
        {
            state.Chain = Merged(state.Chain);
            return;
        }
        var more = state.More.Chains ??= new List<DnsChain>(1);
        var i = more.FindIndex(Same);
        if (i >= 0)
            more[i] = Merged(more[i]);
        else
            more.Add(new DnsChain(type, cnames.Count == 0 ? [] : [.. cnames], v4, v6, frame, 1));
    }

    /// <summary>The name's own address array when it holds the same addresses: one array, not two.</summary>
    private static string[] Shared(string[] v, string[]? own) => own is not null && own.SequenceEqual(v) ? own : v;

    public DnsSection Build(IEnumerable<string> dohServers)
    {
        var unanswered = _pending.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        return new DnsSection(_queryCount, _responseCount, unanswered.Count, _queryTypes, _rcodes, _transports,
            _recursionDesired, _dnssecOk, _authenticated, _authoritative, [.. _dnssecTypes],
            Summaries(), unanswered, DotPackets, [.. dohServers], MdnsPackets, LlmnrPackets);
    }

    /// <summary>Frees the per-message state once the section is built: the model holds what is left.</summary>
    public void Release()
    {
        _pending.Clear();
        _answered.Clear();
        _answeredOrder.Clear();
    }

    internal static SortedDictionary<string, int> Count(IEnumerable<string> items)
    {
        var d = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var i in items) d[i] = d.GetValueOrDefault(i) + 1;
        return d;
    }
}
