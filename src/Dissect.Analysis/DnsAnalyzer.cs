using System.Globalization;

namespace Dissect.Analysis;

public sealed class DnsAnalyzer : IAnalyzer
{
    private static readonly Dictionary<int, string> Types = new()
    {
        [1] = "A",
        [2] = "NS",
        [5] = "CNAME",
        [6] = "SOA",
        [12] = "PTR",
        [15] = "MX",
        [16] = "TXT",
        [28] = "AAAA",
        [33] = "SRV",
        [41] = "OPT",
        [43] = "DS",
        [46] = "RRSIG",
        [47] = "NSEC",
        [48] = "DNSKEY",
        [50] = "NSEC3",
        [64] = "SVCB",
        [65] = "HTTPS",
        [255] = "ANY",
    };
    private static readonly string[] Rcodes = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];
    // RFC 1035, 1996, 2136, 8490; 3 and 7-15 are unassigned.
    private static readonly string?[] OpcodeNames = ["QUERY", "IQUERY", "STATUS", null, "NOTIFY", "UPDATE", "DSO"];

    public static string OpcodeName(int code) =>
        code >= 0 && code < OpcodeNames.Length && OpcodeNames[code] is { } n ? n : "OPCODE" + code;
    private static readonly HashSet<string> DnssecTypes = ["DS", "RRSIG", "NSEC", "DNSKEY", "NSEC3"];

    public IEnumerable<string> Fields =>
    [
        "dns.id", "dns.flags.response", "dns.flags.opcode", "dns.flags.rcode", "dns.flags.recdesired",
            "dns.flags.checkdisable", "dns.flags.authoritative",
        "dns.flags.truncated", "dns.flags.recavail", "dns.flags.authenticated", "dns.resp.z.do", "dns.qry.name",
            "dns.qry.type", "dns.count.answers",
        "dns.count.auth_rr", "dns.count.add_rr", "dns.resp.name", "dns.resp.type", "dns.resp.ttl", "dns.a", "dns.aaaa",
            "dns.cname", "dns.ns", "dns.soa.mname",
        "dns.ptr.domain_name", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport", "tcp.srcport",
            "tcp.dstport",
    ];

    // Aggregates only, per name and per kind, updated as packets arrive: memory follows the distinct names, never the
    // number of messages (a capture of 600k DNS messages once kept 3 KB for each).
    private readonly Dictionary<string, NameState> _names = new(StringComparer.OrdinalIgnoreCase);
    private int _residentLimit;
    private DnsNameSpill? _spill;

    /// <summary>Names whose state stays in memory; the changes of any further name go to disk (DnsNameSpill), so
    /// Dissect's memory stays flat however many distinct names a capture holds. About 400 bytes each.</summary>
    public const int DefaultResidentNames = 4_096;

    /// <param name="residentNames">How many names are kept in memory before further names go to disk (tests use a
    /// few, to make the disk path run on small captures).</param>
    public DnsAnalyzer(int residentNames = DefaultResidentNames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(residentNames);
        _residentLimit = residentNames;
    }

    /// <summary>Bytes of name changes written to disk because the names did not fit in memory; 0 when they
    /// did.</summary>
    public long SpilledBytes => _spill?.Bytes ?? 0;
    private readonly SortedDictionary<string, int> _queryTypes = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _rcodes = new(StringComparer.Ordinal);
    private readonly int[] _opcodes = new int[16];
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
    private readonly Dictionary<long, (string Name, string Server)> _pending = [];
    // Queries still waiting are at most PendingQueries: the oldest is then settled as unanswered (a query answered
    // after 16,384 newer ones still waiting would be counted unanswered), so a flood of queries that get no answer
    // (a scan, or a capture of one direction) keeps memory flat. Settled queries count by server here, and their
    // names are marked on the names' states, which go to disk with them.
    private const int PendingQueries = 1 << 14;
    private readonly Queue<long> _pendingOrder = new();
    private readonly Dictionary<string, int> _settledByServer = new(StringComparer.Ordinal);
    private bool _settled;
    private IReadOnlyList<string>? _unanswered;
    public int DotPackets { get; private set; }
    public int MdnsPackets { get; private set; }
    public int LlmnrPackets { get; private set; }

    // Kept small on purpose: a capture of 300k names keeps 300k of these, and each byte saved counts about twice in
    // the process's memory (the GC's room grows with what survives). What most names lack lives in Rare; one query
    // type is a shared string rather than an array, one address a string rather than an array; the first chain, when
    // plain (no alias, no IPv6, the name's own addresses, as most are), is three fields rather than an object; the
    // final answers are only kept when they differ from the name's own.
    private sealed class NameState
    {
        public string? Spelling;
        public bool Queried;
        public ushort Opcodes;   // one bit per operation code seen in the name's messages
        public int Queries, Responses;
        public uint First;       // frame numbers are 32-bit in every capture format
        public object? QueryTypes;
        // null, one address (OneIPv4: its 32 bits in _ipv4, not a 48-byte string), one address tshark wrote
        // otherwise (string) or several (string[]).
        private object? _ipv4s;
        private uint _ipv4;
        public RareState? Rare;
        public RareState More => Rare ??= new RareState();
        // The first chain (DnsChain), or the query type of a plain one (string) whose addresses are the name's own.
        private object? _chain;
        private uint _plainFrame;
        private int _plainResponses;

        /// <summary>The first chain seen for the name.</summary>
        public DnsChain? Chain
        {
            get => _chain switch
            {
                DnsChain c => c,
                string type => new DnsChain(type, [], IPv4s(), [], _plainFrame, _plainResponses),
                _ => null,
            };
            set
            {
                if (value is { Cnames.Count: 0, IPv6.Count: 0 } && value.FirstFrame is >= 0 and <= uint.MaxValue
                    && SameIPv4s(value.IPv4))
                    (_chain, _plainFrame, _plainResponses) = (value.QueryType, (uint)value.FirstFrame,
                        value.Responses);
                else
                    _chain = value;
            }
        }

        /// <summary>Adds an address the name resolved to; a plain first chain keeps the addresses it had.</summary>
        public void AddIPv4(string address)
        {
            var before = IPv4s();
            if (Array.IndexOf(before, address) >= 0)
                return;
            if (before.Length == 0 && Ipv4Bits(address) is { } bits)
                (_ipv4s, _ipv4) = (OneIPv4, bits);
            else
                _ipv4s = before.Length == 0 ? address : (string[])[.. before, address];
            if (_chain is string type)
                _chain = new DnsChain(type, [], before, [], _plainFrame, _plainResponses);
        }

        /// <summary>The addresses the name resolved to, in the order first seen.</summary>
        public string[] IPv4s() => _ipv4s switch
        {
            null => [],
            string one => [one],
            string[] many => many,
            _ => [Ipv4Text(_ipv4)],
        };

        public bool SameIPv4s(IReadOnlyList<string> l) => _ipv4s switch
        {
            null => l.Count == 0,
            string one => l.Count == 1 && l[0] == one,
            string[] many => l.SequenceEqual(many),
            _ => l.Count == 1 && Ipv4Bits(l[0]) == _ipv4,
        };

        // Set once reading is over, from every name's answers; null when they are the name's own (no alias, its own
        // addresses).
        public FinalAnswers? Final
        {
            get => Rare?.Final;
            set
            {
                if (value is not null || Rare is not null)
                    More.Final = value;
            }
        }

        public DnsNameSummary ToSummary()
        {
            var chain = Chain;
            return new(Spelling!, Final?.Cnames ?? [], Final?.IPv4 ?? IPv4s(),
                Final?.IPv6 ?? (IReadOnlyList<string>?)Rare?.IPv6 ?? [],
                QueryTypes switch { string one => [one], string[] many => Sorted(many), _ => [] },
                Sorted(Rare?.AuthorityZones), Sorted(Rare?.AuthorityServers), Queries, Responses)
            {
                Chains = chain is null ? [] : Rare?.Chains is { } more ? [chain, .. more] : [chain],
                FirstFrame = First,
                Opcodes = Opcodes == 1 ? QueryOnly : [.. Enumerable.Range(0, 16).Where(c => (Opcodes >> c & 1) != 0)
                    .Select(OpcodeName)],
            };
        }
    }

    private sealed record FinalAnswers(IReadOnlyList<string> Cnames, IReadOnlyList<string> IPv4,
        IReadOnlyList<string> IPv6);

    private static readonly object OneIPv4 = new();

    /// <summary>The 32 bits of an address written as tshark writes it (dotted decimal, no leading zero), or
    /// null: only such text is kept as bits, so writing it back gives the same string.</summary>
    private static uint? Ipv4Bits(string s)
    {
        uint bits = 0, part = 0;
        int dots = 0, digits = 0;
        foreach (var c in s)
        {
            if (c == '.')
            {
                if (digits == 0 || ++dots > 3) return null;
                (bits, part, digits) = (bits << 8 | part, 0, 0);
            }
            else if (c is >= '0' and <= '9' && !(digits == 1 && part == 0) && digits < 3)
            {
                part = part * 10 + (uint)(c - '0');
                digits++;
                if (part > 255) return null;
            }
            else
                return null;
        }
        return dots == 3 && digits > 0 ? bits << 8 | part : null;
    }

    private static string Ipv4Text(uint b) =>
        string.Create(CultureInfo.InvariantCulture, $"{b >> 24}.{b >> 16 & 255}.{b >> 8 & 255}.{b & 255}");

    /// <summary>
    /// The model's list of names, made from the compact per-name state as it is read: a capture with 300k names
    /// keeps 300k small states, not 300k states and 300k summaries, and the JSON writer streams through it.
    /// </summary>
    private sealed class NameList(NameState[] states) : IReadOnlyList<DnsNameSummary>
    {
        public int Count => states.Length;

        public DnsNameSummary this[int index] => states[index].ToSummary();

        public IEnumerator<DnsNameSummary> GetEnumerator()
        {
            foreach (var s in states)
                yield return s.ToSummary();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static readonly string[] QueryOnly = ["QUERY"];

    private sealed class RareState
    {
        public FinalAnswers? Final;
        public string? FirstCname;
        public string[]? AuthorityZones, AuthorityServers, IPv6;
        public string[]? Unanswered;   // how the name was spelt in queries settled as unanswered
        public List<DnsChain>? Chains;
    }

    private readonly SortedDictionary<string, int> _stub = new(StringComparer.Ordinal);

    private readonly SortedDictionary<string, (long Count, string? Example)> _anomalies = new(StringComparer.Ordinal);

    public IEnumerable<Anomaly> Anomalies => _anomalies.Select(kv => new Anomaly(kv.Key, kv.Value.Count,
        kv.Value.Example!));

    public static bool IsMarker(string name) => name.Length > 1 && name[0] == '<' && name[^1] == '>';

    public static string TypeName(int t) => Types.TryGetValue(t, out var n) ? n : "TYPE" + t;

    /// <summary>The number of a query type named by <see cref="TypeName"/>, or null.</summary>
    public static int? TypeCode(string name) =>
        name.StartsWith("TYPE", StringComparison.Ordinal) && int.TryParse(name[4..], out var n) ? n
        : Types.Where(kv => kv.Value == name).Select(kv => (int?)kv.Key).FirstOrDefault();

    public void Add(in Packet p)
    {
        if (p.Protocols.Contains(":tcp:", StringComparison.Ordinal)
            && (p.Str("tcp.srcport") == "853" || p.Str("tcp.dstport") == "853"))
            DotPackets++;
        // mDNS and LLMNR share the dns.* fields but are local name services, counted apart (as tshark -z dns,tree
        // does).
        var protos = p.Protocols;
        if (protos.EndsWith(":mdns", StringComparison.Ordinal)) { MdnsPackets++; return; }
        if (protos.EndsWith(":llmnr", StringComparison.Ordinal)) { LlmnrPackets++; return; }
        if (!protos.Contains(":dns", StringComparison.Ordinal) || !p.Has("dns.flags.response")
            || !p.Has("dns.qry.name"))
            return;
        var frame = p.Long("frame.number");
        var name = p.Str("dns.qry.name")!;
        // tshark shows names it cannot read, and the root, as markers in angle brackets: not names to tabulate.
        if (IsMarker(name))
        {
            var kind = name == "<Root>" ? "dns-root" : "dns-placeholder";
            _anomalies[kind] = (_anomalies.GetValueOrDefault(kind).Count + 1, _anomalies.GetValueOrDefault(kind).Example
                ?? name);
            return;
        }
        var type = TypeName(p.Int("dns.qry.type") ?? 0);
        var transport = p.Protocols.Contains(":tcp:", StringComparison.Ordinal) ? "TCP" : "UDP";
        var id = p.Str("dns.id") ?? "";
        Bump(_transports, transport);
        var opcode = (p.Int("dns.flags.opcode") ?? 0) & 0xF;
        _opcodes[opcode]++;
        OnHeader(name, (uint)frame, opcode);
        if (!p.Flag("dns.flags.response"))
        {
            _queryCount++;
            if (p.Dst is { } resolver && Net.Scope(resolver) == "loopback")
                Bump(_stub, resolver);
            Bump(_queryTypes, type);
            if (p.Flag("dns.flags.recdesired")) _recursionDesired++;
            if (p.Flag("dns.resp.z.do")) _dnssecOk++;
            OnQuery(name, type);
            var asked = Key(p, id, name, transport, fromClient: true);
            if (!_answered.Contains(asked) && _pending.TryAdd(asked, (name, p.Dst ?? "?")))
                Waiting(asked);
            return;
        }
        var answeredKey = Key(p, id, name, transport, fromClient: false);
        if (_answered.Add(answeredKey))
        {
            _answeredOrder.Enqueue(answeredKey);
            if (_answeredOrder.Count > RecentAnswers)
                _answered.Remove(_answeredOrder.Dequeue());
        }
        _pending.Remove(answeredKey);
        _responseCount++;
        OnResponse(name);
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
                OnAuthority(name, r.Name, r.Type is "NS" or "SOA" && r.Data.Length > 0 ? r.Data : null);
            else if (r.Section == "answer" && r.Name.Length > 0 && r.Type is "CNAME" or "A" or "AAAA")
                OnAnswer(r.Name, r.Type == "CNAME" ? NameOp.Cname : r.Type == "A" ? NameOp.IPv4 : NameOp.IPv6, r.Data);
        }
        var (cnames, v4, v6) = ChainOf(name, records);
        OnChain(name, type, (uint)frame, cnames, v4, v6);
    }

    private void Waiting(long key)
    {
        _pendingOrder.Enqueue(key);
        if (_pending.Count > PendingQueries)
        {
            while (_pendingOrder.TryDequeue(out var oldest))
                if (_pending.Remove(oldest, out var q))
                {
                    Settle(q.Name, q.Server);
                    break;
                }
        }
        else if (_pendingOrder.Count > 4 * PendingQueries)
        {
            // Answered queries leave their key in the queue; drop them now and then, keeping the order.
            var keep = _pendingOrder.Where(_pending.ContainsKey).ToArray();
            _pendingOrder.Clear();
            foreach (var k in keep)
                _pendingOrder.Enqueue(k);
        }
    }

    private int _settledSinceCollect;

    private void Settle(string name, string server)
    {
        _settled = true;
        // A settled query's strings waited long enough to reach the GC's oldest generation, which it seldom collects:
        // they piled up (169 MB at 500k unanswered queries; 103 MB with this collection now and then).
        if (++_settledSinceCollect == PendingQueries)
        {
            _settledSinceCollect = 0;
            GC.Collect();
        }
        _settledByServer[server] = _settledByServer.GetValueOrDefault(server) + 1;
        if (Resident(name) is { } s)
            ApplyUnanswered(s, name);
        else
            Spill(name, NameOp.Unanswered);
    }

    // Changes to one name's state: applied at once to a name held in memory, else written to disk (DnsNameSpill) and
    // replayed, in the same order, once reading is over. Each touches its own name only, so a name's state comes out
    // the same either way.
    private enum NameOp : byte { Header = 1, Query, Response, Authority, Cname, IPv4, IPv6, Chain, Unanswered }

    /// <summary>The name's state in memory (made while there is room), or null when its changes go to
    /// disk.</summary>
    private NameState? Resident(string name)
    {
        if (_names.TryGetValue(name, out var s))
            return s;
        if (_names.Count >= _residentLimit && (_spill ??= OpenSpill()) is not null)
            return null;
        _names[name] = s = new NameState();
        return s;
    }

    private BinaryWriter Spill(string name, NameOp op) => _spill!.Begin(name, (byte)op);

    private DnsNameSpill? OpenSpill()
    {
        try
        {
            return new DnsNameSpill();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No private temp folder to be had (a full or read-only disk): names stay in memory, as they all once did.
            _residentLimit = int.MaxValue;
            return null;
        }
    }

    private void OnHeader(string name, uint frame, int opcode)
    {
        if (Resident(name) is { } s)
            ApplyHeader(s, frame, opcode);
        else
        {
            var w = Spill(name, NameOp.Header);
            w.Write(frame);
            w.Write((byte)opcode);
        }
    }

    private void OnQuery(string name, string type)
    {
        if (Resident(name) is { } s)
            ApplyQuery(s, name, type);
        else
            SpillFiles.WriteText(Spill(name, NameOp.Query), type);
    }

    private void OnResponse(string name)
    {
        if (Resident(name) is { } s)
            ApplyResponse(s, name);
        else
            Spill(name, NameOp.Response);
    }

    private void OnAuthority(string name, string zone, string? server)
    {
        if (Resident(name) is { } s)
            ApplyAuthority(s, zone, server);
        else
        {
            var w = Spill(name, NameOp.Authority);
            SpillFiles.WriteText(w, zone);
            SpillFiles.WriteText(w, server ?? "");
        }
    }

    private void OnAnswer(string name, NameOp op, string data)
    {
        if (Resident(name) is { } s)
            ApplyAnswer(s, op, data);
        else
            SpillFiles.WriteText(Spill(name, op), data);
    }

    private void OnChain(string name, string type, uint frame, List<string> cnames, string[] v4, string[] v6)
    {
        if (Resident(name) is { } s)
        {
            ApplyChain(s, type, frame, cnames, v4, v6);
            return;
        }
        var w = Spill(name, NameOp.Chain);
        SpillFiles.WriteText(w, type);
        w.Write(frame);
        SpillFiles.WriteTexts(w, cnames);
        SpillFiles.WriteTexts(w, v4);
        SpillFiles.WriteTexts(w, v6);
    }

    private static void ApplyHeader(NameState s, uint frame, int opcode)
    {
        if (s.First == 0)
            s.First = frame;
        s.Opcodes |= (ushort)(1 << opcode);
    }

    private static void ApplyQuery(NameState s, string spelling, string type)
    {
        if (!s.Queried)
            (s.Spelling, s.Queried) = (spelling, true);
        s.Queries++;
        AddType(s, type);
    }

    private static void ApplyResponse(NameState s, string spelling)
    {
        s.Spelling ??= spelling;
        s.Responses++;
    }

    private static void ApplyAuthority(NameState s, string zone, string? server)
    {
        AddOnce(ref s.More.AuthorityZones, zone);
        if (!string.IsNullOrEmpty(server))
            AddOnce(ref s.More.AuthorityServers, server);
    }

    private static void ApplyAnswer(NameState s, NameOp op, string data)
    {
        if (op == NameOp.Cname)
            s.More.FirstCname ??= data;
        else if (op == NameOp.IPv4)
            s.AddIPv4(data);
        else
            AddOnce(ref s.More.IPv6, data);
    }

    /// <summary>A query for the name (spelt so) got no answer.</summary>
    private static void ApplyUnanswered(NameState s, string spelling) => AddOnce(ref s.More.Unanswered, spelling);

    /// <summary>Replays one partition's changes into states by name.</summary>
    private static Dictionary<string, NameState> Replay(BinaryReader r, long end)
    {
        var names = new Dictionary<string, NameState>(StringComparer.OrdinalIgnoreCase);
        var stream = r.BaseStream;
        while (stream.Position < end)
        {
            var op = (NameOp)r.ReadByte();
            var name = SpillFiles.ReadText(r);
            if (!names.TryGetValue(name, out var s))
                names[name] = s = new NameState();
            switch (op)
            {
                case NameOp.Header:
                    ApplyHeader(s, r.ReadUInt32(), r.ReadByte());
                    break;
                case NameOp.Query:
                    ApplyQuery(s, name, SpillFiles.ReadText(r));
                    break;
                case NameOp.Response:
                    ApplyResponse(s, name);
                    break;
                case NameOp.Authority:
                    ApplyAuthority(s, SpillFiles.ReadText(r), SpillFiles.ReadText(r));
                    break;
                case NameOp.Cname or NameOp.IPv4 or NameOp.IPv6:
                    ApplyAnswer(s, op, SpillFiles.ReadText(r));
                    break;
                case NameOp.Unanswered:
                    ApplyUnanswered(s, name);
                    break;
                case NameOp.Chain:
                    ApplyChain(s, SpillFiles.ReadText(r), r.ReadUInt32(), [.. SpillFiles.ReadTexts(r)],
                        SpillFiles.ReadTexts(r), SpillFiles.ReadTexts(r));
                    break;
                default:
                    throw new InvalidDataException($"DNS name spill: unknown change {op}");
            }
        }
        return names;
    }

    private static readonly string[] DataTypes = ["A", "AAAA", "CNAME", "NS", "SOA", "PTR"];
    private static readonly string[] DataFields = ["dns.a", "dns.aaaa", "dns.cname", "dns.ns", "dns.soa.mname",
        "dns.ptr.domain_name"];

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

    /// <summary>The exchange a message belongs to, seen from the client: id, name, transport, both ends.</summary>
    private static long Key(in Packet p, string id, string name, string transport, bool fromClient)
    {
        var tcp = transport == "TCP";
        var clientIp = fromClient ? p.Src : p.Dst;
        var serverIp = fromClient ? p.Dst : p.Src;
        var clientPort =
            p.Str(tcp ? (fromClient ? "tcp.srcport" : "tcp.dstport") : (fromClient ? "udp.srcport" : "udp.dstport"));
        var serverPort =
            p.Str(tcp ? (fromClient ? "tcp.dstport" : "tcp.srcport") : (fromClient ? "udp.dstport" : "udp.srcport"));
        var lower = StringComparer.OrdinalIgnoreCase.GetHashCode(name);
        // Two independent 32-bit hashes: a false match among a million keys is about one in ten million.
        var a = HashCode.Combine(id, lower, transport, clientIp, clientPort, serverIp, serverPort);
        var b = HashCode.Combine(serverPort, serverIp, clientPort, clientIp, transport, lower, id, 0x5bd1e995);
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

    private static void AddOnce(ref object? items, string item)
    {
        if (items is null)
            items = item;
        else if (items is string one)
        {
            if (one != item)
                items = new[] { one, item };
        }
        else if (items is string[] many && Array.IndexOf(many, item) < 0)
            items = (string[])[.. many, item];
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
    private static IReadOnlyList<string> Union(string[] own, IReadOnlyList<DnsChain> chains, bool v6)
    {
        // Without LINQ on purpose: this runs once per name, and a hundred thousand names must not leave megabytes
        // of garbage (the GC grows its budget while most of what is allocated survives).
        IReadOnlyList<string>? single = own.Length > 0 ? own : null;
        var same = true;
        foreach (var c in chains)
        {
            var l = v6 ? c.IPv6 : c.IPv4;
            if (l.Count == 0 || ReferenceEquals(l, single))
                continue;
            if (single is null)
                single = l;
            else if (!l.SequenceEqual(single))
                same = false;
        }
        if (single is null)
            return [];
        if (same && IsSortedSet(single))
            return single;
        var all = new SortedSet<string>(own, StringComparer.Ordinal);
        foreach (var c in chains)
            all.UnionWith(v6 ? c.IPv6 : c.IPv4);
        return [.. all];
    }

    private static bool IsSortedSet(IReadOnlyList<string> l)
    {
        for (var i = 1; i < l.Count; i++)
            if (string.CompareOrdinal(l[i - 1], l[i]) >= 0)
                return false;
        return true;
    }

    private static string[] Sorted(string[]? items)
    {
        if (items is null || items.Length == 0)
            return [];
        if (IsSortedSet(items))
            return items;
        var copy = (string[])items.Clone();
        Array.Sort(copy, StringComparer.Ordinal);
        return copy;
    }

    private static void Bump(SortedDictionary<string, int> d, string k) => d[k] = d.GetValueOrDefault(k) + 1;

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

    private IReadOnlyList<DnsNameSummary>? _summaries;

    public IReadOnlyList<DnsNameSummary> Summaries()
    {
        if (_summaries is not null) return _summaries;
        if (_settled)
        {
            foreach (var key in _pendingOrder)
                if (_pending.Remove(key, out var q))
                    Settle(q.Name, q.Server);
            _pendingOrder.Clear();
        }
        if (_spill is not null)
            return _summaries = SummariesFromDisk(_spill);
        var named = _names.Values.Where(s => s.Queries + s.Responses > 0).ToArray();
        Array.Sort(named, (x, y) => string.CompareOrdinal(x.Spelling, y.Spelling));
        Func<string, string?> firstCname = n => _names.TryGetValue(n, out var at) ? at.Rare?.FirstCname : null;
        Func<string, (string[], string[]?)?> endOf = n =>
            _names.TryGetValue(n, out var e) ? (e.IPv4s(), e.Rare?.IPv6) : null;
        foreach (var s in named)
            Finish(s, firstCname, endOf);
        if (_settled)
            _unanswered = UnansweredOf(_names.Values);
        // The states now hold everything the model needs; the lookup by name goes.
        _names.Clear();
        _names.TrimExcess();
        return _summaries = new NameList(named);
    }

    /// <summary>
    /// The names' summaries when some names' changes went to disk: three passes over the states, one partition in
    /// memory at a time. First where each alias points (its first CNAME), then the addresses of the names where
    /// chains end, then each name's summary, written as a sorted run. Memory holds the aliases and those ends, not
    /// every name.
    /// </summary>
    private IReadOnlyList<DnsNameSummary> SummariesFromDisk(DnsNameSpill spill)
    {
        var alias = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var states in AllStates(spill))
            foreach (var (name, s) in states)
                if (s.Rare?.FirstCname is { } c)
                    alias[name] = c;
        Func<string, string?> firstCname = alias.GetValueOrDefault;
        var ends = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in alias.Keys)
            if (Follow(name, firstCname) is ({ }, var end))
                ends.Add(end);
        var endAddresses = new Dictionary<string, (string[], string[]?)>(StringComparer.OrdinalIgnoreCase);
        if (ends.Count > 0)
            foreach (var states in AllStates(spill))
                foreach (var (name, s) in states)
                    if (ends.Contains(name))
                        endAddresses[name] = (s.IPv4s(), s.Rare?.IPv6);
        Func<string, (string[], string[]?)?> endOf = n =>
            endAddresses.TryGetValue(n, out var e) ? e : null;
        foreach (var states in AllStates(spill))
        {
            var named = states.Values.Where(s => s.Queries + s.Responses > 0).ToArray();
            Array.Sort(named, (x, y) => string.CompareOrdinal(x.Spelling, y.Spelling));
            foreach (var s in named)
                Finish(s, firstCname, endOf);
            spill.WriteNames(named.Select(s => s.ToSummary()));
            if (_settled)
                spill.WriteUnanswered(UnansweredOf(states.Values));
        }
        if (_settled)
            _unanswered = spill.Unanswered();
        _names.Clear();
        _names.TrimExcess();
        return spill.Names();
    }

    /// <summary>The names (as spelt in their queries) that got no answer, distinct and sorted.</summary>
    private static string[] UnansweredOf(IEnumerable<NameState> states)
    {
        var all = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var s in states)
            if (s.Rare?.Unanswered is { } spellings)
                all.UnionWith(spellings);
        return [.. all];
    }

    /// <summary>The states in memory, then each partition's, replayed from disk one at a time.</summary>
    private IEnumerable<Dictionary<string, NameState>> AllStates(DnsNameSpill spill)
    {
        yield return _names;
        var floor = GC.GetTotalMemory(false);
        foreach (var (reader, end) in spill.ReadPartitions())
        {
            yield return Replay(reader, end);
            // A partition's states live through young collections while in use, so they die old, where the GC seldom
            // looks: without this, the dead states of every partition piled up (+170 MB at 500k names).
            if (GC.GetTotalMemory(false) > floor + (8 << 20))
            {
                GC.Collect();
                floor = GC.GetTotalMemory(false);
            }
        }
    }

    /// <summary>Where a name's first CNAMEs lead, as far as 16 links and short of a loop: the chain (null when the
    /// name is no alias) and the name it ends at.</summary>
    private static (List<string>? Chain, string End) Follow(string name, Func<string, string?> firstCname)
    {
        List<string>? chain = null;
        var cur = name;
        while (firstCname(cur) is { } next && (chain ??= []).Count < 16 && !chain.Contains(next))
        {
            chain.Add(next);
            cur = next;
        }
        return (chain, cur);
    }

    /// <summary>Sets the name's final answers: where its first chain leads, and every address it resolved to.</summary>
    /// <param name="endOf">The addresses (IPv4, IPv6) of a name where a chain ends; null for a name never seen.</param>
    private void Finish(NameState s, Func<string, string?> firstCname, Func<string, (string[], string[]?)?> endOf)
    {
        var (chain, end) = Follow(s.Spelling!, firstCname);
        // Each response is followed on its own records: the A and the AAAA answers can take different Traffic
        // Manager chains, and a chain can change during the capture; the name resolved to all their addresses.
        var first = s.Chain;
        IReadOnlyList<DnsChain> chains = first is null ? [] : s.Rare?.Chains is { } more ? [first, .. more]
            : [first];
        IReadOnlyList<string> cnames = chain is { Count: > 0 } ? [.. chain] : [];
        if (cnames.Count == 0)
            foreach (var c in chains)
                if (c.Cnames.Count > 0)
                {
                    cnames = c.Cnames;
                    break;
                }
        // No alias: the chain ends at the name itself.
        var (own4, own6) = chain is null ? (s.IPv4s(), s.Rare?.IPv6) : endOf(end) ?? ([], null);
        var v4 = Union(own4, chains, v6: false);
        var v6 = Union(own6 ?? [], chains, v6: true);
        var plain = chain is null && cnames.Count == 0 && s.SameIPv4s(v4)
            && v6.SequenceEqual((IReadOnlyList<string>?)s.Rare?.IPv6 ?? []);
        s.Final = plain ? null : new FinalAnswers(cnames, v4, v6);
        if (s.QueryTypes is string one)
            s.QueryTypes = OneType(one);
    }

    /// <summary>The CNAME chain one response gives for the name, and the addresses at its end.</summary>
    private static (List<string> Cnames, string[] IPv4, string[] IPv6) ChainOf(string name, List<DnsRecord> records)
    {
        // Plain loops over the few records of one response: this runs for every DNS answer in the capture.
        var cnames = new List<string>(0);
        var cur = name;
        while (cnames.Count < 16)
        {
            DnsRecord? c = null;
            foreach (var r in records)
                if (r.Section == "answer" && r.Type == "CNAME" && string.Equals(r.Name, cur,
                    StringComparison.OrdinalIgnoreCase))
                {
                    c = r;
                    break;
                }
            if (c is null || c.Data.Length == 0 || cnames.Contains(c.Data, StringComparer.OrdinalIgnoreCase))
                break;
            cnames.Add(c.Data);
            cur = c.Data;
        }
        var end = cur;
        string[] Addresses(string t)
        {
            string[]? found = null;
            foreach (var r in records)
                if (r.Section == "answer" && r.Type == t && r.Data.Length > 0 && string.Equals(r.Name, end,
                    StringComparison.OrdinalIgnoreCase))
                    AddOnce(ref found, r.Data);
            return found is null ? [] : Sorted(found);
        }
        return (cnames, Addresses("A"), Addresses("AAAA"));
    }

    /// <summary>Adds a response's chain to the name's distinct chains, per query type, in the order first
    /// seen.</summary>
    private static void ApplyChain(NameState state, string type, uint frame, List<string> cnames, string[] v4,
        string[] v6)
    {
        // The same chain answered again (with the same or other addresses at its end) is one entry.
        bool Same(DnsChain x) => x.QueryType == type && x.Cnames.SequenceEqual(cnames,
            StringComparer.OrdinalIgnoreCase);
        DnsChain Merged(DnsChain x) => x with
        {
            IPv4 = x.IPv4.SequenceEqual(v4) ? x.IPv4 : [.. x.IPv4.Union(v4).Order(StringComparer.Ordinal)],
            IPv6 = x.IPv6.SequenceEqual(v6) ? x.IPv6 : [.. x.IPv6.Union(v6).Order(StringComparer.Ordinal)],
            Responses = x.Responses + 1,
        };
        var firstChain = state.Chain;
        if (firstChain is null)
        {
            state.Chain = new DnsChain(type, cnames.Count == 0 ? [] : [.. cnames], v4, v6, frame, 1);
            return;
        }
        if (Same(firstChain))
        {
            state.Chain = Merged(firstChain);
            return;
        }
        var more = state.More.Chains ??= new List<DnsChain>(1);
        var i = more.FindIndex(Same);
        if (i >= 0)
            more[i] = Merged(more[i]);
        else
            more.Add(new DnsChain(type, cnames.Count == 0 ? [] : [.. cnames], v4, v6, frame, 1));
    }

    public DnsSection Build(IEnumerable<string> dohServers)
    {
        var names = Summaries();
        IReadOnlyList<string> unanswered = _unanswered
            ?? _pending.Values.Select(x => x.Name).Distinct().Order(StringComparer.Ordinal).ToList();
        var unansweredByServer = _settled ? new SortedDictionary<string, int>(_settledByServer, StringComparer.Ordinal)
            : Count(_pending.Values.Select(x => x.Server));
        return new DnsSection
        {
            QueryCount = _queryCount,
            ResponseCount = _responseCount,
            UnansweredCount = unanswered.Count,
            QueryTypes = _queryTypes,
            Rcodes = _rcodes,
            Transports = _transports,
            RecursionDesired = _recursionDesired,
            DnssecOkQueries = _dnssecOk,
            AuthenticatedResponses = _authenticated,
            AuthoritativeResponses = _authoritative,
            DnssecRecordTypes = [.. _dnssecTypes],
            Names = names,
            Unanswered = unanswered,
            DotPackets = DotPackets,
            LikelyDohServers = [.. dohServers],
            MdnsPackets = MdnsPackets,
            LlmnrPackets = LlmnrPackets,
            StubResolverQueries = _stub,
            UnansweredByServer = unansweredByServer,
            Opcodes = Enumerable.Range(0, 16).Where(c => _opcodes[c] > 0).ToDictionary(OpcodeName, c => _opcodes[c]),
        };
    }

    /// <summary>Frees the per-message state once the section is built: the model holds what is left.</summary>
    public void Release()
    {
        _pending.Clear();
        _answered.Clear();
        _answeredOrder.Clear();
        _pendingOrder.Clear();
    }

    internal static SortedDictionary<string, int> Count(IEnumerable<string> items)
    {
        var d = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var i in items) d[i] = d.GetValueOrDefault(i) + 1;
        return d;
    }
}
