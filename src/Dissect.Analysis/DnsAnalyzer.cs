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

    private readonly List<DnsQuery> _queries = [];
    private readonly List<DnsResponse> _responses = [];
    // A query is answered by a response with its id and name, on its transport, from the server it was sent to and
    // back to the port it came from (as Wireshark's dns.response_in matches them).
    private readonly HashSet<(string Id, string Name, string Client, string Server)> _answered = [];
    private readonly List<((string Id, string Name, string Client, string Server) Key, string Name)> _asked = [];
    public int DotPackets { get; private set; }
    public int MdnsPackets { get; private set; }
    public int LlmnrPackets { get; private set; }

    public static string TypeName(int t) => Types.TryGetValue(t, out var n) ? n : "TYPE" + t;

    public void Add(in Packet p)
    {
        if (p.Protocols.Contains(":tcp:", StringComparison.Ordinal) && (p.Str("tcp.srcport") == "853" || p.Str("tcp.dstport") == "853"))
            DotPackets++;
        // mDNS and LLMNR share the dns.* fields but are local name services, counted apart (as tshark -z dns,tree does).
        var protos = p.Protocols;
        if (protos.EndsWith(":mdns", StringComparison.Ordinal)) { MdnsPackets++; return; }
        if (protos.EndsWith(":llmnr", StringComparison.Ordinal)) { LlmnrPackets++; return; }
        if (!protos.Contains(":dns", StringComparison.Ordinal) || !p.Has("dns.flags.response") || !p.Has("dns.qry.name"))
            return;
        var frame = p.Long("frame.number");
        var name = p.Str("dns.qry.name")!;
        var type = TypeName(p.Int("dns.qry.type") ?? 0);
        var transport = p.Protocols.Contains(":tcp:", StringComparison.Ordinal) ? "TCP" : "UDP";
        var id = p.Str("dns.id") ?? "";
        if (!p.Flag("dns.flags.response"))
        {
            _queries.Add(new DnsQuery(frame, name, type, transport, p.Int("dns.flags.opcode") ?? 0, p.Flag("dns.flags.recdesired"), p.Flag("dns.flags.checkdisable"), p.Flag("dns.resp.z.do")));
            _asked.Add(((id, name.ToLowerInvariant(), Endpoint(p, source: true, transport), Endpoint(p, source: false, transport)), name));
            return;
        }
        _answered.Add((id, name.ToLowerInvariant(), Endpoint(p, source: false, transport), Endpoint(p, source: true, transport)));
        var records = new List<DnsRecord>();
        var names = p.All("dns.resp.name");
        var types = p.All("dns.resp.type");
        var ttls = p.All("dns.resp.ttl");
        var queues = new Dictionary<string, Queue<string>>
        {
            ["A"] = new(p.All("dns.a")), ["AAAA"] = new(p.All("dns.aaaa")), ["CNAME"] = new(p.All("dns.cname")), ["NS"] = new(p.All("dns.ns")),
            ["SOA"] = new(p.All("dns.soa.mname")), ["PTR"] = new(p.All("dns.ptr.domain_name")),
        };
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
            var data = queues.TryGetValue(t, out var q) && q.Count > 0 ? q.Dequeue() : "";
            records.Add(new DnsRecord(section, i < names.Count ? names[i] : "", t, ttl, data));
        }
        var rcode = p.Int("dns.flags.rcode") ?? 0;
        _responses.Add(new DnsResponse(frame, name, type, transport, rcode < Rcodes.Length ? Rcodes[rcode] : "RCODE" + rcode, p.Flag("dns.flags.authoritative"),
            p.Flag("dns.flags.truncated"), p.Flag("dns.flags.recavail"), p.Flag("dns.flags.authenticated"), records));
    }

    private static string Endpoint(in Packet p, bool source, string transport)
    {
        var ip = source ? p.Src : p.Dst;
        var port = transport == "TCP" ? p.Str(source ? "tcp.srcport" : "tcp.dstport") : p.Str(source ? "udp.srcport" : "udp.dstport");
        return $"{transport}|{ip}|{port}";
    }

    /// <summary>Name → address map from the answers, for naming endpoints.</summary>
    public Dictionary<string, string> AddressNames()
    {
        var map = new Dictionary<string, string>();
        foreach (var s in Summaries())
            foreach (var ip in s.IPv4.Concat(s.IPv6))
                map.TryAdd(ip, s.Name);
        return map;
    }

    private List<DnsNameSummary>? _summaries;

    public List<DnsNameSummary> Summaries()
    {
        if (_summaries is not null) return _summaries;
        var cnames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var addr4 = new Dictionary<string, SortedSet<string>>(StringComparer.OrdinalIgnoreCase);
        var addr6 = new Dictionary<string, SortedSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in _responses.SelectMany(r => r.Records).Where(r => r.Section == "answer"))
        {
            if (r.Type == "CNAME") cnames.TryAdd(r.Name, r.Data);
            else if (r.Type == "A") Get(addr4, r.Name).Add(r.Data);
            else if (r.Type == "AAAA") Get(addr6, r.Name).Add(r.Data);
        }
        // Group once by name (case-insensitive): a capture with thousands of names stays linear.
        var queriesByName = _queries.GroupBy(q => q.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.OrdinalIgnoreCase);
        var responsesByName = _responses.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.OrdinalIgnoreCase);
        _summaries = [];
        foreach (var g in queriesByName.Keys.Concat(responsesByName.Keys).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
        {
            var chain = new List<string>();
            var cur = g;
            while (cnames.TryGetValue(cur, out var next) && chain.Count < 16 && !chain.Contains(next))
            {
                chain.Add(next);
                cur = next;
            }
            var queries = queriesByName.GetValueOrDefault(g) ?? [];
            var resp = responsesByName.GetValueOrDefault(g) ?? [];
            var authority = resp.SelectMany(r => r.Records).Where(r => r.Section == "authority").ToList();
            // Each response is followed on its own records: the A and the AAAA answers can take different Traffic
            // Manager chains, and a chain can change during the capture; the name resolved to all their addresses.
            var chains = ChainsOf(g, resp);
            if (chain.Count == 0 && chains.FirstOrDefault(c => c.Cnames.Count > 0) is { } firstChain)
                chain = [.. firstChain.Cnames];
            var v4 = new SortedSet<string>(addr4.GetValueOrDefault(cur) ?? [], StringComparer.Ordinal);
            var v6 = new SortedSet<string>(addr6.GetValueOrDefault(cur) ?? [], StringComparer.Ordinal);
            foreach (var c in chains)
            {
                v4.UnionWith(c.IPv4);
                v6.UnionWith(c.IPv6);
            }
            _summaries.Add(new DnsNameSummary(g, chain, [.. v4], [.. v6],
                [.. queries.Select(q => q.Type).Distinct().Order()],
                [.. authority.Select(a => a.Name).Distinct().Order()], [.. authority.Where(a => a.Type is "NS" or "SOA").Select(a => a.Data).Where(d => d.Length > 0).Distinct().Order()],
                queries.Count, resp.Count) { Chains = chains });
        }
        return _summaries;
    }

    /// <summary>The distinct chains of a name's responses, per query type, in the order first seen.</summary>
    private static List<DnsChain> ChainsOf(string name, List<DnsResponse> responses)
    {
        var result = new List<DnsChain>();
        foreach (var r in responses)
        {
            var answers = r.Records.Where(x => x.Section == "answer").ToList();
            var cnames = new List<string>();
            var cur = name;
            while (answers.FirstOrDefault(x => x.Type == "CNAME" && string.Equals(x.Name, cur, StringComparison.OrdinalIgnoreCase)) is { } c
                && c.Data.Length > 0 && cnames.Count < 16 && !cnames.Contains(c.Data, StringComparer.OrdinalIgnoreCase))
            {
                cnames.Add(c.Data);
                cur = c.Data;
            }
            var end = cur;
            List<string> Addresses(string type) => [.. answers.Where(x => x.Type == type && x.Data.Length > 0
                && string.Equals(x.Name, end, StringComparison.OrdinalIgnoreCase)).Select(x => x.Data).Distinct().Order(StringComparer.Ordinal)];
            var v4 = Addresses("A");
            var v6 = Addresses("AAAA");
            // The same chain answered again (with the same or other addresses at its end) is one entry.
            var i = result.FindIndex(x => x.QueryType == r.Type && x.Cnames.SequenceEqual(cnames, StringComparer.OrdinalIgnoreCase));
            if (i >= 0)
                result[i] = result[i] with
                {
                    IPv4 = [.. result[i].IPv4.Union(v4).Order(StringComparer.Ordinal)],
                    IPv6 = [.. result[i].IPv6.Union(v6).Order(StringComparer.Ordinal)],
                    Responses = result[i].Responses + 1,
                };
            else
                result.Add(new DnsChain(r.Type, cnames, v4, v6, r.Frame, 1));
        }
        return result;
    }

    private static SortedSet<string> Get(Dictionary<string, SortedSet<string>> d, string k) => d.TryGetValue(k, out var s) ? s : d[k] = new SortedSet<string>(StringComparer.Ordinal);

    public DnsSection Build(IEnumerable<string> dohServers)
    {
        var unanswered = _asked.Where(a => !_answered.Contains(a.Key)).Select(a => a.Name).Distinct().Order(StringComparer.Ordinal).ToList();
        return new DnsSection(_queries.Count, _responses.Count, unanswered.Count,
            Count(_queries.Select(q => q.Type)), Count(_responses.Select(r => r.Rcode)), Count(_queries.Select(q => q.Transport).Concat(_responses.Select(r => r.Transport))),
            _queries.Count(q => q.RecursionDesired), _queries.Count(q => q.DnssecOk), _responses.Count(r => r.AuthenticatedData), _responses.Count(r => r.Authoritative),
            [.. _responses.SelectMany(r => r.Records).Select(r => r.Type).Where(DnssecTypes.Contains).Distinct().Order()],
            Summaries(), unanswered, DotPackets, [.. dohServers], MdnsPackets, LlmnrPackets);
    }

    internal static SortedDictionary<string, int> Count(IEnumerable<string> items)
    {
        var d = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var i in items) d[i] = d.GetValueOrDefault(i) + 1;
        return d;
    }
}
