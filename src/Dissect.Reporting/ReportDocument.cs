using System.Globalization;
using Dissect.Analysis;
using Dissect.Reporting.Localization;

namespace Dissect.Reporting;

public abstract record Block;
public sealed record Heading(int Level, string Text) : Block;
public sealed record Paragraph(string Text) : Block;
/// <summary>A teaching note: plain text for the PDF, and its Markdown (Dissect's own text, never a capture's) for the
/// Markdown and HTML reports, which keep its emphasis and code spans.</summary>
public sealed record Note(string Text) : Block
{
    public string? Markdown { get; init; }
}
public sealed record Table(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows,
    IReadOnlySet<int> NumericColumns, IReadOnlyList<double> Widths) : Block
{
    /// <summary>For a "verify in Wireshark" table: each row's display filter and the frame it must match.</summary>
    public IReadOnlyList<Check> Checks { get; init; } = [];
}

/// <summary>A claim's proof in Wireshark: a display filter, and the first frame it matches.</summary>
public sealed record Check(string Filter, long Frame);
/// <summary>A bar chart (one bar per label) or, with several series, a line chart over the labels.</summary>
public sealed record Chart(string Title, IReadOnlyList<string> Labels, IReadOnlyList<(string Name,
    IReadOnlyList<double> Values)> Series, bool Lines) : Block
{
    /// <summary>The axis titles, with their units.</summary>
    public string? XAxis { get; init; }

    public string? YAxis { get; init; }

    /// <summary>The values are counts: the value axis has whole-number ticks.</summary>
    public bool Integers { get; init; }
}

/// <summary>Small charts side by side (the cover's), each drawn as a <see cref="Chart"/> of its share of the
/// width.</summary>
public sealed record ChartGroup(IReadOnlyList<Chart> Charts) : Block;

/// <summary>Intervals on a date axis with one marked instant (certificate validity against the capture date).</summary>
public sealed record Timeline(string Title, IReadOnlyList<(string Label, DateTimeOffset From, DateTimeOffset To)> Items,
    DateTimeOffset Marker, string MarkerLabel) : Block;

/// <summary>
/// A sequence (ladder) diagram, as Wireshark's Flow Graph draws one: a column per participant, an arrow per message
/// (repeats counted), and bands for the media.
/// </summary>
public sealed record Ladder(string Title, IReadOnlyList<LadderColumn> Columns, IReadOnlyList<LadderStep> Steps)
    : Block;

public sealed record LadderColumn(string Label, string Detail);

/// <param name="When">Relative time and frame, shown beside the arrow.</param>
/// <param name="Band">A media band between two columns rather than one message.</param>
public sealed record LadderStep(int From, int To, string Label, string When, bool Band = false);

public sealed record ReportOptions(string Language = "en", bool Notes = true);

/// <summary>
/// The sections of a course-style report, as layout-neutral blocks: the PDF and Markdown renderers
/// both lay out this one list, so they always say the same thing.
/// </summary>
public static class ReportDocument
{
    // The servers one ClientHello offer went to, every one: a cut list would hide facts.
    private static string ServersOf(IEnumerable<TlsConnection> offer) =>
        string.Join(", ", offer.Select(x => x.Sni ?? x.Server).Distinct());

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Scenario(string fileName) =>
        Path.GetFileNameWithoutExtension(fileName).Replace('_', ' ').Replace('-', ' ').Trim();

    /// <summary>Rows of one table in a report; the JSON model holds every row.</summary>
    public const int MaxRows = 150;

    /// <summary>Items listed in one sentence before "and N more".</summary>
    public const int MaxListed = 40;

    /// <summary>The rows a capped table shows: with more than <see cref="MaxRows"/>, the busiest, in name
    /// order.</summary>
    public static List<T> Busiest<T>(IEnumerable<T> items, Func<T, long> weight, Func<T, string> name,
        int count = MaxRows)
    {
        // One pass with a heap of MaxRows: the items may be made on the fly (300k DNS names), never all at once.
        var worstFirst = Comparer<(long Weight, string Name)>.Create((x, y) =>
            x.Weight != y.Weight ? x.Weight.CompareTo(y.Weight) : string.CompareOrdinal(y.Name, x.Name));
        var kept = new PriorityQueue<T, (long, string)>(worstFirst);
        foreach (var item in items)
        {
            var key = (weight(item), name(item));
            if (kept.Count < count)
                kept.Enqueue(item, key);
            else if (kept.TryPeek(out _, out var worst) && worstFirst.Compare(key, worst) > 0)
                kept.EnqueueDequeue(item, key);
        }
        return [.. kept.UnorderedItems.Select(x => x.Element).OrderBy(name, StringComparer.Ordinal)];
    }

    public static List<Block> Build(ReportModel m, ReportOptions o)
    {
        var L = Localizer.For(o.Language);
        var b = new List<Block>();
        void NoteFor(string section)
        {
            if (o.Notes && TeachingNotes.PlainText(o.Language, section) is { } t)
                b.Add(new Note(t) { Markdown = TeachingNotes.Markdown(o.Language, section) });
        }
        // A table is for reading: past MaxRows it shows the first rows and says how many more the JSON model holds
        // (a capture of 100k DNS names once made a 2,000-page PDF).
        void AddTable(Table t, int? total = null)
        {
            var all = total ?? t.Rows.Count;
            if (all > t.Rows.Count)
                b.Add(t);
            else if (t.Rows.Count <= MaxRows)
            {
                b.Add(t);
                return;
            }
            else
                b.Add(t with { Rows = [.. t.Rows.Take(MaxRows)] });
            b.Add(new Paragraph(L.T("more-rows", ("count", (long)(all - Math.Min(MaxRows, t.Rows.Count))))));
        }
        string N(long v) => L.N(v);
        // A value the model lists as a number, named from the schema in the report's language: "6 (…)" when the
        // number is worth keeping beside its name (a version), the name alone otherwise.
        string SchemaValue((Schema.AttributeRole Role, string Field) f, long v, bool withNumber) =>
            Schema.Protocols.MsTurn.Spec.NameOf(f.Role, f.Field, (ulong)v) is { } name
                ? withNumber ? $"{v.ToString(Inv)} ({L.SchemaName(name)})" : L.SchemaName(name)
                : withNumber ? v.ToString(Inv) : L.T("stun.stream-type-number", ("type", v));
        string H(string key) => L["col." + key];
        Table T(string[] h, IEnumerable<IReadOnlyList<string>> rows, int[]? numeric = null, double[]? widths = null) =>
            new([.. h.Select(H)], rows.ToList(), (numeric ?? []).ToHashSet(),
                widths ?? Enumerable.Repeat(1.0, h.Length).ToArray());
        string Counts(IReadOnlyDictionary<string, int> d) => d.Count == 0 ? L["none"] : string.Join(", ",
            d.Select(kv => $"{kv.Key} {N(kv.Value)}"));
        // The kind with what it was told from: the busier direction's mean size and rate, a Teams port range.
        string KindCell(MediaFlow f)
        {
            var lines = new List<string> { L.Code("kind", f.Kind) };
            if (f.KindEvidence is { MeanPacketBytes: { } bytes, PacketsPerSecond: { } rate })
                lines.Add(L.T("kind.evidence.size", ("bytes", (long)bytes), ("rate", (long)rate)));
            if (f.KindEvidence is { LocalPort: { } port })
                lines.Add(L.T("kind.evidence.port", ("port", port.ToString(Inv))));
            return string.Join("\n", lines);
        }
        string Listed(IReadOnlyList<string> items) => items.Count == 0 ? L["none"]
            : items.Count <= MaxListed ? string.Join(", ", items)
            : string.Join(", ", items.Take(MaxListed)) + " " + L.T("and-more", ("count", (long)(items.Count -
                MaxListed)));

        // Every section ends with its claims' proofs: a display filter a student pastes into Wireshark, and the first
        // frame it shows.
        var checks = new List<(string Claim, Check Check)>();
        void Claim(string claim, string filter, long frame)
        {
            if (frame > 0 && checks.Count < MaxRows)
                checks.Add((claim, new Check(filter, frame)));
        }
        void VerifyTable()
        {
            if (checks.Count == 0)
                return;
            // The preference and heuristics named are those of Dissect's own pass.
            b.Add(new Paragraph(L.T("verify.intro", ("preference", CaptureAnalyzer.Preferences[0].Split(':')[0]),
                ("heuristics", CaptureAnalyzer.Heuristics))));
            b.Add(T(["claim", "filter", "first-frame"], checks.Select(x => (IReadOnlyList<string>)[x.Claim,
                x.Check.Filter, x.Check.Frame.ToString(Inv)]), [2], [2, 3, 0.6]) with
            {
                Checks = [.. checks.Select(x => x.Check)],
            });
            checks.Clear();
        }

        var c = m.Capture;
        b.Add(new Heading(0, Title(m, o.Language)));
        AddTable(T(["property", "value"],
        [
            [L["cap.scenario"], Scenario(c.FileName)],
            [L["cap.start"], c.FirstPacket is { } startedAt ? L.DateTime(startedAt) : "–"],
            [L["cap.duration"], L.Num(c.DurationSeconds, "#,0.###") + " s"],
            [L["cap.packets-bytes"], $"{N(c.Packets)} / {N(c.Bytes)}"],
            [L["cap.file"], L.T("cap.file-value", ("format", c.Format), ("size", c.SizeBytes),
                ("links", c.LinkTypes.ToArray()))],
            ["SHA-256", c.Sha256],
            [L["cap.tools"], $"Dissect {c.DissectVersion}; {c.TsharkVersion}"],
            .. c.DisplayFilter is { } filter
                ? new IReadOnlyList<string>[] { [L["cap.filtered"], L.T("cap.filtered-value", ("filter", filter))] }
                : [],
        ], widths: [1, 3]));
        b.Add(new Heading(2, L["cover.heading"]));
        AddTable(T(["question", "answer"], Cover(m, L), widths: [1, 3]));
        b.Add(new Heading(2, L["h.findings"]));
        foreach (var f in m.Findings)
            b.Add(new Paragraph("• " + (f.Severity == "warning" ? L["warning"] + " " : "") + L.Finding(f)));
        if (CoverCharts(m, L) is { } coverCharts)
            b.Add(coverCharts);

        // I. DNS
        var d = m.Dns;
        b.Add(new Heading(1, L["h.dns"]));
        NoteFor("dns");
        if (d.QueryCount + d.ResponseCount == 0)
            b.Add(new Paragraph(L["dns.none"] + (d.MdnsPackets + d.LlmnrPackets > 0
                ? " " + L.T("dns.local-only", ("mdns", d.MdnsPackets), ("llmnr", d.LlmnrPackets)) : "")));
        else
        {
            b.Add(new Paragraph(L.T("dns.summary", ("queries", d.QueryCount), ("responses", d.ResponseCount),
                ("transports", Counts(d.Transports)), ("rcodes", Counts(d.Rcodes)), ("rd", d.RecursionDesired),
                ("do", d.DnssecOkQueries), ("ad", d.AuthenticatedResponses), ("aa", d.AuthoritativeResponses))));
            var shown = Busiest(d.Names, n => n.Queries + n.Responses, n => n.Name);
            AddTable(T(["name", "ipv4", "ipv6", "types", "authority"],
                shown.Select(n => (IReadOnlyList<string>)[n.Name, Lines(n.IPv4), Lines(n.IPv6),
                    string.Join(", ", n.QueryTypes) + (n.Opcodes.Any(o => o != "QUERY")
                        ? " (" + string.Join(", ", n.Opcodes) + ")" : ""),
                        n.AuthorityServers.Count + n.AuthorityZones.Count == 0 ? "–" : string.Join(", ",
                            n.AuthorityZones.Concat(n.AuthorityServers))]),
                widths: [2.4, 1.3, 1.9, 0.8, 1.6]), d.Names.Count);
            // Each chain apart: A and AAAA answers may follow different Traffic Manager endpoints, and a chain may
            // change during the capture, so one name can have several, each leading to its own addresses.
            var chains = shown.SelectMany(n => ChainsOf(n).Select(c => (n.Name, Chain: c))).ToList();
            if (chains.Count > 0)
            {
                b.Add(new Paragraph(L["dns.chains"]));
                AddTable(T(["name", "type", "cname-chain", "addresses", "frame"],
                    chains.Select(x => (IReadOnlyList<string>)[x.Name, x.Chain.QueryType,
                        string.Join("\n", x.Chain.Cnames.Select(c => "→ " + c)),
                        Lines([.. x.Chain.IPv4, .. x.Chain.IPv6]),
                        x.Chain.FirstFrame == 0 ? "–" : x.Chain.FirstFrame.ToString(Inv)]),
                    [4], [2, 0.6, 2.6, 1.6, 0.6]));
            }
            foreach (var x in shown)
                Claim(x.Name, $"dns.qry.name == {Quoted(x.Name)}", x.FirstFrame);
            foreach (var (name, chain) in chains)
                Claim($"{name} ({chain.QueryType}) → {chain.Cnames[^1]}", $"dns.qry.name == {Quoted(name)}" +
                    (DnsAnalyzer.TypeCode(chain.QueryType) is { } code ? $" && dns.qry.type == {code}" : "") +
                    // The chain's last alias tells it from the others (the first is often shared).
                    $" && dns.cname == {Quoted(chain.Cnames[^1])}", chain.FirstFrame);
            if (d.Opcodes.Count > 0)
                b.Add(new Paragraph(d.Opcodes.Keys.All(o => o == "QUERY")
                    ? L.T("dns.opcodes-query", ("count", d.Opcodes["QUERY"]))
                    : L.T("dns.opcodes", ("opcodes", Counts(d.Opcodes)))));
            if (d.QueryTypes.Count > 0)
                b.Add(new Paragraph(L.T("dns.types", ("types", d.QueryTypes.Select(kv => $"{kv.Key} {N(kv.Value)}")))));
            // Two paragraphs: a full stop after the list would read as a name's root dot.
            if (d.Unanswered.Count > 0)
                b.Add(new Paragraph(L.T("dns.unanswered", ("names", Listed(d.Unanswered)))));
            if (d.Unanswered.Count > 0 && d.UnansweredByServer.Count > 0)
                b.Add(new Paragraph(L.T("dns.unanswered-by-server", ("servers", Counts(d.UnansweredByServer)))));
            if (d.StubResolverQueries.Count > 0)
                b.Add(new Paragraph(L.T("dns.stub", ("count", d.StubResolverQueries.Values.Sum()),
                    ("resolvers", d.StubResolverQueries.Keys.ToArray()))));
            b.Add(new Paragraph(d.DnssecRecordTypes.Count > 0
                ? L.T("dns.dnssec-records", ("types", d.DnssecRecordTypes)) : L["dns.no-dnssec-records"]));
            if (d.MdnsPackets + d.LlmnrPackets > 0)
                b.Add(new Paragraph(L.T("dns.local", ("mdns", d.MdnsPackets), ("llmnr", d.LlmnrPackets))));
            if (d.DotPackets > 0 || d.LikelyDohServers.Count > 0)
                b.Add(new Paragraph(L.T("dns.encrypted", ("dot", d.DotPackets), ("doh", d.LikelyDohServers))));
        }
        VerifyTable();

        // II. Network layer
        var n = m.Network;
        b.Add(new Heading(1, L["h.network"]));
        NoteFor("network");
        b.Add(new Paragraph(L.T("net.summary", ("ipv4", n.IPv4Packets), ("ipv6", n.IPv6Packets),
            ("private", n.PrivateAddressCount <= 12 ? L.List(n.PrivateAddresses)
                : L.List([.. n.PrivateAddresses.Take(12)]) + " " + L.T("and-more", ("count",
                    (long)(n.PrivateAddressCount - 12)))), ("public", n.PublicAddressCount),
            ("nat", L.Finding(Findings.NatFinding(m.Stun.Nat))))));
        if (n.TopEndpoints.Count > 0)
            AddTable(T(["address", "name-here", "scope", "frames", "bytes"],
                n.TopEndpoints.Select(e => (IReadOnlyList<string>)[e.Address, e.Name ?? "–", L.Code("scope", e.Scope),
                    N(e.Frames), N(e.Bytes)]), [3, 4], [2.2, 2.7, 1.0, 1, 1.2]));

        // III. Transport
        b.Add(new Heading(1, L["h.transport"]));
        NoteFor("transport");
        b.Add(new Paragraph(L.T("transport.summary", ("tcp", n.TcpPackets), ("tcpBytes", n.TcpBytes),
            ("udp", n.UdpPackets), ("udpBytes", n.UdpBytes), ("other", n.OtherPackets))));
        // Link and network layers are in section II; ASN.1 certificate parts are not protocols a student lists.
        var top = n.Protocols.Where(p =>
            p.Protocol is not ("frame" or "eth" or "ethertype" or "sll" or "sll2" or "ip" or "ipv6" or "data")
            && !p.Protocol.StartsWith("x509", StringComparison.Ordinal) && !p.Protocol.StartsWith("pkix",
                StringComparison.Ordinal)).Take(12).ToList();
        if (top.Count > 0)
            AddTable(T(["protocol", "frames", "bytes"], top.Select(p => (IReadOnlyList<string>)[p.Protocol,
                N(p.Frames), N(p.Bytes)]), [1, 2]));
        if (n.TopConversations.Count > 0)
            AddTable(T(["endpoint-a", "endpoint-b", "name", "transport", "frames", "bytes"],
                n.TopConversations.Select(cv => (IReadOnlyList<string>)[cv.A, cv.B, cv.Name ?? "–", cv.Transport,
                    N(cv.Frames), N(cv.Bytes)]), [4, 5], [2, 2, 2.2, 0.8, 0.8, 1]));
        if (m.Tls.QuicVersions.Count > 0)
            b.Add(new Paragraph(L.T("quic.summary", ("versions", Counts(m.Tls.QuicVersions)),
                ("sni", m.Tls.QuicSni.Count == 0 ? L["none-visible"] : string.Join(", ", m.Tls.QuicSni)))));

        // IV. Security
        var t = m.Tls;
        b.Add(new Heading(1, L["h.security"]));
        NoteFor("security");
        if (t.Connections.Count == 0)
            b.Add(new Paragraph(L["tls.none"]));
        else
        {
            b.Add(new Paragraph(L.T("tls.summary", ("clientHellos", t.ClientHellos), ("serverHellos", t.ServerHellos),
                ("versions", Counts(t.NegotiatedVersions)))));
            // One row per server name and outcome: a client opens many connections to one service, and a row each
            // repeated the same facts over pages.
            var groups = t.Connections.GroupBy(x => (Name: x.Sni ?? x.Server, x.Transport, x.ChosenVersion,
                Suite: x.ChosenSuite?.Name)).ToList();
            AddTable(T(["server-sni", "connections", "offered", "chosen-version", "chosen-suite", "fs"],
                groups.Select(g =>
                {
                    var x = g.First();
                    var addresses = g.Select(c => c.Server).Distinct().ToList();
                    return (IReadOnlyList<string>)[
                        (x.Sni ?? "–") + "\n" + string.Join("\n", addresses),
                        N(g.Count()) + (x.Transport == "QUIC" ? " (QUIC)" : ""),
                        L.T("tls.offered-cell", ("versions", x.OfferedVersions), ("suites", x.OfferedSuiteCount)),
                        x.ChosenVersion ?? "–",
                        x.ChosenSuite?.Name ?? "–",
                        x.ChosenSuite is null ? "–" : x.ChosenSuite.ForwardSecrecy ? L["yes"] : L["no"]];
                }), [1], [2.4, 0.7, 1.8, 1, 3, 0.5]));
            // One claim per server name (or address, without SNI): its first handshake.
            foreach (var g in t.Connections.GroupBy(x => x.Sni ?? Net.Host(x.Server)))
            {
                var first = g.MinBy(x => x.Frame)!;
                var versions = g.Select(x => x.ChosenVersion).OfType<string>().Distinct().ToList();
                Claim($"{g.Key}: {(versions.Count == 0 ? "–" : string.Join(", ", versions))}", first.Sni is { } sni
                    ? $"tls.handshake.extensions_server_name == {Quoted(sni)}"
                    : $"{IpField(first.Server)} == {Net.Host(first.Server)} && (tls.handshake.type == 1 || " +
                        "tls.handshake.type == 2)", first.Frame);
            }
            // Client fingerprints: the same JA3/JA4 across servers is one TLS client (an app or a browser).
            var prints = t.Connections.Where(x => x.Ja3 is not null || x.Ja4 is not null)
                .GroupBy(x => (x.Ja3, x.Ja4)).ToList();
            if (prints.Count > 0)
                AddTable(T(["ja3", "ja4", "connections", "servers-sni"],
                    prints.Select(g => (IReadOnlyList<string>)[g.Key.Ja3 ?? "–", g.Key.Ja4 ?? "–", N(g.Count()),
                        ServersOf(g)]), [2], [2, 2.4, 0.7, 3]));
            var offers = t.Connections.Where(x => x.OfferedSuites.Count > 0)
                .GroupBy(x => string.Join(",", x.OfferedVersions) + "|" + string.Join(",", x.OfferedSuites)).ToList();
            if (offers.Count > 0)
                AddTable(T(["offer", "servers-sni", "versions", "offered-suites"],
                    offers.Select((g, k) =>
                        (IReadOnlyList<string>)[$"#{k + 1} ({g.Count()}×)", ServersOf(g),
                        string.Join(", ", g.First().OfferedVersions), string.Join(", ", g.First().OfferedSuites)]),
                    widths: [0.8, 2, 0.9, 5]));
            var suites = t.Connections.Where(x => x.ChosenSuite is not null).Select(x => x.ChosenSuite!).DistinctBy(s =>
                s.Code).ToList();
            if (suites.Count > 0)
                AddTable(T(["suite", "key-exchange", "auth", "cipher", "mode", "hash", "weakness"],
                    suites.Select(s => (IReadOnlyList<string>)[s.Name, s.KeyExchange, s.Authentication, s.Cipher,
                        s.Mode, s.Hash, L.Code("weakness", s.Weakness)]), widths: [3, 1.3, 1, 1, 0.8, 0.7, 1.5]));
        }
        foreach (var w in m.Findings.Where(f => f.Severity == "warning" && f.Id.StartsWith("tls.",
            StringComparison.Ordinal)))
            b.Add(new Paragraph(L["warning"] + " " + L.Finding(w)));
        if (t.Certificates.Count > 0)
            AddTable(T(["subject-cn", "issuer", "valid-from", "valid-to", "days", "status", "key", "sni-match"],
                t.Certificates.Select(x => (IReadOnlyList<string>)[x.CommonName ?? x.Subject, Cn(x.Issuer),
                    x.NotBefore.ToString("yyyy-MM-dd", Inv), x.NotAfter.ToString("yyyy-MM-dd", Inv),
                    N(x.LifetimeDays), L.Code("status", x.Status),
                        $"{x.KeyType} {x.KeySize}", x.SniMatches is null ? "–" : x.SniMatches.Value ? L["yes"]
                            : L["no-caps"]]), [4], [2.2, 2, 1, 1, 0.6, 1, 1, 0.7]));
        // A certificate by its serial number: common names repeat across a chain's copies, serials do not.
        foreach (var x in t.Certificates)
            Claim(x.CommonName ?? x.Subject, "tls.handshake.type == 11" + (IsHex(x.Serial)
                ? " && x509af.serialNumber contains " + string.Join(':', x.Serial.ToLowerInvariant().Chunk(2)
                    .Select(p => new string(p))) : ""), x.Frame);
        if (t.Certificates.Count > 0 && c.FirstPacket is { } captured)
            b.Add(new Timeline(L["chart.validity"],
                [.. t.Certificates.Take(20).Select(x => (x.CommonName ?? x.Subject, x.NotBefore, x.NotAfter))],
                captured, L.T("chart.capture-marker", ("date", captured.ToString("yyyy-MM-dd", Inv)))));
        if (t.Certificates.Count == 0 && t.Tls13HiddenCertificates > 0)
            b.Add(new Paragraph(L.T("tls.hidden", ("count", t.Tls13HiddenCertificates))));
        if (t.PseudoTlsStreams.Count > 0)
        {
            b.Add(new Paragraph(L.T("tls.pseudo", ("count", t.PseudoTlsStreams.Count))));
            AddTable(T(["frame", "client", "msturn-server", "frames"],
                t.PseudoTlsStreams.Select(x => (IReadOnlyList<string>)[x.FirstFrame.ToString(Inv), x.Client, x.Server,
                    N(x.Frames)]),
                [0, 3], [0.6, 2, 2, 0.6]));
            foreach (var x in t.PseudoTlsStreams)
                Claim(x.Client + " → " + x.Server, Msturn.PseudoTlsContentType, x.FirstFrame);
        }
        b.Add(new Paragraph(d.DnssecOkQueries + d.AuthenticatedResponses > 0
            ? L.T("tls.dnssec", ("do", d.DnssecOkQueries), ("ad", d.AuthenticatedResponses)) : L["tls.no-dnssec"]));
        VerifyTable();

        // V. Application: STUN/TURN
        var s = m.Stun;
        b.Add(new Heading(1, L["h.stun"]));
        NoteFor("stun");
        if (s.MsTurnMessages + s.StunMessages == 0)
            b.Add(new Paragraph(L["stun.none"]));
        else
        {
            b.Add(new Paragraph(L.T("stun.summary", ("msturn", s.MsTurnMessages), ("stun", s.StunMessages),
                ("nat", L.Finding(Findings.NatFinding(s.Nat))), ("relayed", s.RelayedMediaPackets),
                ("relayedBytes", s.RelayedMediaBytes), ("direct", s.DirectRtpPackets),
                ("directBytes", s.DirectRtpBytes),
                ("versions", s.MsVersions.Select(v => SchemaValue(StunAnalyzer.VersionField, v, true)).ToList()),
                ("streams", s.StreamTypes.Select(v => SchemaValue(StunAnalyzer.StreamTypeField, v, false)).ToList()),
                ("software", s.Software))));
            AddTable(T(["message-type", "count"], s.MessageTypes.Select(kv => (IReadOnlyList<string>)[kv.Key,
                N(kv.Value)]), [1], [3, 1]));
            if (s.Allocations.Count > 0)
                AddTable(T(["frame", "client", "turn-server", "relayed-address", "mapped-address", "lifetime"],
                    s.Allocations.Select(a => (IReadOnlyList<string>)[a.Frame.ToString(Inv), a.Client, a.Server,
                        a.Relayed ?? "–", a.Mapped ?? "–",
                            a.Lifetime is null ? "–" : N(a.Lifetime.Value) + " s" + (a.Deallocated ? " " +
                                L["freed"] : "")]), [0], [0.7, 1.8, 1.8, 1.8, 1.8, 1]));
            if (s.ErrorResponses.Count > 0)
            {
                // A 401 asks for credentials in the REALM; an ALTERNATE-SERVER sends the client to another relay, which
                // is why a server named in DNS may never be contacted.
                AddTable(T(["frame", "error-response", "code-reason", "realm", "alternate", "from", "count"],
                    s.ErrorResponses.Select(e => (IReadOnlyList<string>)[e.FirstFrame.ToString(Inv), e.Message,
                        e.Code.ToString(Inv) + (e.Reason is { } r ? " " + r : ""), e.Realm ?? "–", e.AlternateServer
                            ?? "–", e.Server,
                        N(e.Count)]), [0, 6], [0.65, 1.3, 2.1, 0.8, 1.75, 1.75, 0.6]));
                var redirect = s.ErrorResponses.FirstOrDefault(e => e.AlternateServer is not null);
                if (redirect is not null)
                    b.Add(new Paragraph(L.T("stun.redirect", ("server", redirect.Server),
                        ("message", redirect.Message), ("code", redirect.Code.ToString(Inv)),
                        ("alternate", redirect.AlternateServer), ("frame", redirect.FirstFrame.ToString(Inv)))));
            }
            if (s.Peers.Count > 0)
                b.Add(new Paragraph(L.T("stun.peers", ("peers", Listed(s.Peers)))));
            if (m.Media.Flows.Count > 0)
            {
                b.Add(new Paragraph(L["stun.flows"]));
                AddTable(T(["path", "a", "b-relay", "carried-as", "media", "kind", "packets-each-way",
                        "bytes-each-way", "rate-each-way", "ssrc"],
                    m.Media.Flows.Take(MaxRows).Select(f => (IReadOnlyList<string>)[
                        L.Code("path", f.Path), f.Local, f.Remote + (f.RemoteName is { } rn ? "\n" + rn : ""),
                        string.Join(", ", f.Encapsulation.Select(e => L.Code("encap", e)))
                            + (f.Transport == "tcp" && !f.Encapsulation.Contains("ms-turn-tcp-data") ? " (TCP)" : ""),
                        string.Join(", ", f.Protocols), KindCell(f),
                        $"{N(f.Up.Packets)} / {N(f.Down.Packets)}", $"{N(f.Up.Bytes)} / {N(f.Down.Bytes)}",
                        $"{L.Num(f.Up.Kbps)} / {L.Num(f.Down.Kbps)}", string.Join(", ", f.Ssrcs)]),
                    [6, 7, 8], [0.8, 2, 2, 1.6, 0.9, 0.7, 1.1, 1.3, 1, 1.4]), m.Media.Flows.Count);
            }
            var streams = m.Media.Flows.SelectMany(f => f.Streams).ToList();
            if (streams.Count > 0)
            {
                b.Add(new Paragraph(L["stun.streams"]));
                AddTable(T(["ssrc", "direction", "pt", "packets", "lost", "mean-jitter", "max-jitter"],
                    streams.Select(x => (IReadOnlyList<string>)[x.Ssrc, $"{x.From} → {x.To}",
                        x.PayloadType.ToString(Inv), N(x.Packets),
                        N(x.Lost) + " (" + L.Num(x.Packets + x.Lost == 0 ? 0 : 100.0 * x.Lost / (x.Packets + x.Lost))
                            + " %)",
                        x.MeanJitterMs is { } mean ? L.Num(mean, "0.000") + " ms" : L["unknown"],
                        x.MaxJitterMs is { } max ? L.Num(max, "0.000") + " ms" : L["unknown"]]),
                    [3], [1.1, 3, 0.4, 0.8, 0.9, 0.9, 0.9]), streams.Count);
            }
            if (CallLadder(m, L) is var (ladder, steps, hosts))
            {
                b.Add(ladder);
                // A cut diagram says so, and where to see it whole.
                if (steps > ladder.Steps.Count || hosts > ladder.Columns.Count)
                    b.Add(new Paragraph(L.T("ladder.cut", ("shown", ladder.Steps.Count), ("steps", steps),
                        ("columns", ladder.Columns.Count), ("hosts", hosts))));
            }
            if (s.MessagesOverTime.Count > 1)
            {
                // Series in the order the operations first appear, "Other" last.
                var present = s.MessagesOverTime.SelectMany(x => x.Counts.Keys).Distinct()
                    .OrderBy(k => k == "Other").ToList();
                b.Add(new Chart(L.T("chart.msturn", ("bin", L.Num(s.MessageBinSeconds, "0.###"))),
                    [.. s.MessagesOverTime.Select(x => L.Num(x.StartSeconds))],
                    [.. present.Select(k => (k == "Other" ? L["other"] : k, (IReadOnlyList<double>)[..
                        s.MessagesOverTime.Select(x => (double)x.Counts.GetValueOrDefault(k))]))], true)
                {
                    XAxis = L["axis.seconds"],
                    YAxis = L["axis.messages"],
                    Integers = true,
                });
            }
            if (s.Timeline.Count > 0)
                AddTable(T(["time-s", "frame", "event"], s.Timeline.Take(40).Select(e =>
                    (IReadOnlyList<string>)[L.Num(e.Seconds, "0.000"), e.Frame.ToString(Inv),
                        e.Kind + (e.Count > 1 ? " ×" + N(e.Count) : "")]), [0, 1],
                        [1, 1, 4]));
            b.Add(new Paragraph(L.T("stun.attributes", ("attributes", s.AttributesSeen))));
            // The NAT verdict's evidence: the first message that shows a public (or untranslated) address.
            var shownAddresses = s.Nat.Public.Concat(s.Nat.Untranslated).Distinct().ToList();
            if (shownAddresses.Count > 0)
                Claim(L.Finding(Findings.NatFinding(s.Nat)), string.Join(" || ", shownAddresses.SelectMany(a =>
                {
                    var v = a.Contains(':', StringComparison.Ordinal) ? "ipv6" : "ipv4";
                    return new[] { $"{Msturn.Of("att." + v)} == {a}", $"stun.att.{v} == {a}" };
                })), s.Nat.EvidenceFrame);
            var kindOf = s.Timeline.GroupBy(e => e.Frame).ToDictionary(g => g.Key, g => g.First().Kind);
            foreach (var e in s.Timeline.DistinctBy(e => e.Kind))
                if (MessageFilter(e.Kind) is { } byType)
                    Claim(e.Kind, byType, e.Frame);
            foreach (var a in s.Allocations.DistinctBy(a => (a.Relayed, a.Mapped)))
                if (kindOf.TryGetValue(a.Frame, out var kind) && MessageFilter(kind) is { } byType)
                    Claim($"{kind}: {a.Relayed ?? "–"} / {a.Mapped ?? "–"}", byType + (a.Relayed is { } relayed
                        ? $" && {AddressField(relayed, kind)} == {Net.Host(relayed)} && "
                            + $"{(kind.EndsWith(StunAnalyzer.StandardSuffix, StringComparison.Ordinal) ? "stun.att.port"
                                : Msturn.AttributePort)} == {Net.Port(relayed)}" : ""), a.Frame);
            // MS-TURN's error code, or the one Wireshark's STUN dissector reads from other apps' TURN.
            foreach (var e in s.ErrorResponses.DistinctBy(e => (e.Code, e.Server)))
                Claim($"{e.Message} {e.Code}", $"({Msturn.Of("att.error_code")} == {e.Code.ToString(Inv)} || " +
                    $"(stun.att.error.class == {(e.Code / 100).ToString(Inv)} && stun.att.error == " +
                    $"{(e.Code % 100).ToString(Inv)})) && {SourceField(e.Server)} == {Net.Host(e.Server)}",
                    e.FirstFrame);
            foreach (var f in m.Media.Flows)
                Claim($"{L.Code("path", f.Path)} {f.Local} ↔ {f.Remote}", FlowFilter(f.Local, f.Remote) +
                    $" && ({MediaFilters.RtpOrRtcp} || {MediaFilters.TurnData} || {Msturn.Media})", f.FirstFrame);
        }
        VerifyTable();

        // VI. Traffic over time
        var tr = m.Traffic;
        b.Add(new Heading(1, L["h.traffic"]));
        NoteFor("traffic");
        if (tr.Bins.Count == 0)
            b.Add(new Paragraph(L["traffic.none"]));
        else
        {
            var used = tr.Classes.Where(cl => tr.Bins.Any(x => x.BytesByClass.ContainsKey(cl))).ToList();
            b.Add(new Chart(L.T("chart.traffic", ("bin", L.Num(tr.BinSeconds, "0.###"))),
                [.. tr.Bins.Select(x => L.Num(x.StartSeconds))],
                [.. used.Select(cl => (L.Code("class", cl), (IReadOnlyList<double>)[.. tr.Bins.Select(x =>
                    (double)x.BytesByClass.GetValueOrDefault(cl))]))], true)
            {
                XAxis = L["axis.seconds"],
                YAxis = L["axis.bytes"],
            });
        }
        return b;
    }

    /// <summary>The report's title, in its language.</summary>
    public static string Title(ReportModel m, string language) =>
        Localizer.For(language).T("title", ("file", m.Capture.FileName));

    private static readonly Schema.FilterNames Msturn = new(Schema.Protocols.MsTurn.Spec);

    private static readonly string[] SectionKeys = ["h.dns", "h.network", "h.transport", "h.security", "h.stun",
        "h.traffic"];

    /// <summary>
    /// The capture's shape on page 1: its rate over time (where a call's media start and stop shows at once) and what
    /// its bytes were made of. Section VI splits the same bins by class; the cover gives the whole.
    /// </summary>
    private static ChartGroup? CoverCharts(ReportModel m, Localizer l)
    {
        var tr = m.Traffic;
        if (tr.Bins.Count == 0 || tr.BinSeconds <= 0)
            return null;
        var rate = new Chart(l.T("chart.cover-rate", ("bin", l.Num(tr.BinSeconds, "0.###"))),
            [.. tr.Bins.Select(x => l.Num(x.StartSeconds))],
            [(l["chart.cover-all"], [.. tr.Bins.Select(x => x.Bytes * 8 / 1000.0 / tr.BinSeconds)])], true)
        {
            XAxis = l["axis.seconds-short"],
            YAxis = "kbit/s",
        };
        var classes = tr.Classes.Select(c => (Class: c, Bytes: tr.Bins.Sum(x => x.BytesByClass.GetValueOrDefault(c))))
            .Where(x => x.Bytes > 0).OrderByDescending(x => x.Bytes).ThenBy(x => x.Class, StringComparer.Ordinal)
            .Select(x => (Label: l.Code("class", x.Class), x.Bytes)).ToList();
        // Half a page holds four labels side by side: the smallest classes go together.
        const int bars = 4;
        if (classes.Count > bars)
            classes = [.. classes.Take(bars - 1), (l["other"], classes.Skip(bars - 1).Sum(x => x.Bytes))];
        var mix = new Chart(l["chart.cover-mix"], [.. classes.Select(x => x.Label)],
            [(l["axis.bytes"], [.. classes.Select(x => (double)x.Bytes)])], false)
        {
            YAxis = l["axis.bytes"],
            Integers = true,
        };
        return new ChartGroup([rate, mix]);
    }

    /// <summary>The lab's questions answered on page 1: media path, servers and relays, NAT, TLS, DNS.</summary>
    private static List<IReadOnlyList<string>> Cover(ReportModel m, Localizer l)
    {
        var s = m.Stun;
        var rows = new List<IReadOnlyList<string>>();
        var relayed = m.Media.Flows.Where(f => f.Path == "relayed").ToList();
        var direct = m.Media.Flows.Where(f => f.Path == "direct").ToList();
        var vias = relayed.Select(f => f.Via ?? f.Remote).Distinct().ToArray();
        var carried = relayed.SelectMany(f => f.Encapsulation).Distinct().Select(e => l.Code("encap", e)).ToArray();
        var pairs = direct.Select(f => $"{f.Local} ↔ {f.Remote}").Distinct().ToArray();
        rows.Add([l["cover.media"], relayed.Count + direct.Count == 0 ? l["cover.no-media"]
            : direct.Count == 0 && relayed.All(f => f.Reason == MediaFlow.IceLiteReason)
                ? l.T("cover.server-only", ("vias", vias))
            : direct.Count == 0 ? l.T("cover.relayed-only", ("vias", vias), ("carried", carried))
            : relayed.Count == 0 ? l.T("cover.direct-only", ("pairs", pairs))
            : l.T("cover.both", ("vias", vias), ("carried", carried), ("pairs", pairs))]);
        var names = m.Network.TopEndpoints.Where(e => e.Name is not null).ToDictionary(e => e.Address, e => e.Name!);
        string Named(string endpoint) => names.TryGetValue(Net.Host(endpoint), out var n) ? $"{endpoint} ({n})"
            : endpoint;
        if (s.Servers.Count > 0)
            rows.Add([l["cover.servers"], string.Join("\n", s.Servers.Take(8).Select(Named))]);
        var relays = s.Allocations.Select(a => a.Relayed).OfType<string>().Distinct().ToList();
        if (relays.Count > 0)
            rows.Add([l["cover.relays"], string.Join("\n", relays.Take(8))]);
        rows.Add(["NAT", l.Finding(Findings.NatFinding(s.Nat))]);
        if (m.Tls.Connections.Count > 0)
            rows.Add(["TLS", string.Join(", ", m.Tls.NegotiatedVersions.Select(kv => $"{kv.Key} ×{l.N(kv.Value)}"))
                + (m.Tls.ChosenSuites.Count > 0 ? "\n" + string.Join("\n", m.Tls.ChosenSuites.Keys) : "")]);
        // A top 5 kept in one pass: the names may be 300k summaries made on the fly, never all held at once.
        var busiest = Busiest(m.Dns.Names.Where(n => n.IPv4.Count + n.IPv6.Count > 0), n => n.Queries + n.Responses,
            n => n.Name, 5).OrderByDescending(n => n.Queries + n.Responses).ToList();
        if (busiest.Count > 0)
            rows.Add([l["cover.dns"], string.Join("\n", busiest.Select(n =>
                $"{n.Name} → {string.Join(", ", n.IPv4.Concat(n.IPv6))}"))]);
        // Three sections a line: page 1 keeps room for its two small charts.
        rows.Add([l["cover.contents"], string.Join("\n", SectionKeys.Chunk(3).Select(line =>
            string.Join(" · ", line.Select(k => l[k]))))]);
        return rows;
    }

    /// <summary>Columns a ladder diagram has room for, and the steps it shows.</summary>
    public const int LadderColumns = 6, LadderSteps = 48;

    /// <summary>
    /// The call as a ladder: the client first (with its public mapping), then the servers and relays in the order
    /// they appear, then the peer; each MS-TURN message an arrow (Send and Data Indication once per direction, with
    /// their count), each media flow a band.
    /// </summary>
    private static (Ladder Ladder, int Steps, int Hosts)? CallLadder(ReportModel m, Localizer l)
    {
        var s = m.Stun;
        var events = s.Timeline.Where(e => e.From.Length > 0 && e.To.Length > 0).ToList();
        if (events.Count == 0)
            return null;
        var flows = m.Media.Flows.Take(4).ToList();
        var traffic = events.SelectMany(e => new[] { Net.Host(e.From), Net.Host(e.To) })
            .Concat(flows.SelectMany(f => new[] { Net.Host(f.Local), Net.Host(f.Via ?? f.Remote) })).ToList();
        var weight = traffic.GroupBy(h => h).ToDictionary(g => g.Key, g => g.Count());
        var order = traffic.Distinct().ToList();
        // The client: behind a NAT, or the host that asked for allocations (a public client has no NAT to show).
        var clients = s.Allocations.Select(a => Net.Host(a.Client)).ToHashSet();
        var locals = order.Where(h => s.Nat.Local.Contains(h) || Net.IsPrivate(h) || clients.Contains(h)).Take(2)
            .ToList();
        // With more hosts than columns, the busiest keep theirs, still in order of appearance.
        var others = order.Except(locals).OrderByDescending(h => weight[h]).ThenBy(order.IndexOf)
            .Take(LadderColumns - locals.Count).OrderBy(order.IndexOf);
        var hosts = locals.Concat(others).ToList();
        var names = m.Network.TopEndpoints.Where(e => e.Name is not null).ToDictionary(e => e.Address, e => e.Name!);
        var servers = s.Servers.Select(Net.Host).ToHashSet();
        var relays = s.Allocations.Select(a => a.Relayed).OfType<string>().Select(Net.Host).ToHashSet();
        // A dual-stack client has more addresses than the columns kept for it: each of them is still the client,
        // and only a private one is shown with the public address the NAT gives it.
        bool IsClient(string h) => locals.Contains(h) || s.Nat.Local.Contains(h) || Net.IsPrivate(h)
            || clients.Contains(h);
        string Role(string h) =>
            IsClient(h) ? (s.Nat.Public.Count > 0 && Net.IsPrivate(h)
                ? l.T("ladder.client-public", ("public", s.Nat.Public)) : l["ladder.client"])
            : relays.Contains(h) ? l["ladder.relay"] : servers.Contains(h) ? l["ladder.server"] : l["ladder.peer"];
        var columns = hosts.Select(h => new LadderColumn(h, Role(h) + (names.TryGetValue(h, out var n) ? "\n" + n
            : ""))).ToList();
        var steps = new List<(long Frame, LadderStep Step)>();
        foreach (var e in events)
            if (hosts.IndexOf(Net.Host(e.From)) is var a and >= 0 && hosts.IndexOf(Net.Host(e.To)) is var z and >= 0
                && a != z)
                steps.Add((e.Frame, new LadderStep(a, z, e.Kind + (e.Count > 1 ? " ×" + l.N(e.Count) : ""),
                    $"{l.Num(e.Seconds, "0.000")} s · {e.Frame.ToString(Inv)}")));
        foreach (var f in flows)
            if (hosts.IndexOf(Net.Host(f.Local)) is var a and >= 0
                && hosts.IndexOf(Net.Host(f.Via ?? f.Remote)) is var z and >= 0 && a != z)
                steps.Add((f.FirstFrame, new LadderStep(a, z, l.T("ladder.media", ("kinds", f.Protocols),
                    ("packets", f.Up.Packets + f.Down.Packets), ("bytes", f.Up.Bytes + f.Down.Bytes)),
                    $"{l.Num(f.FirstSeconds, "0.000")} s · {f.FirstFrame.ToString(Inv)}", Band: true)));
        if (steps.Count == 0)
            return null;
        var allSteps = events.Count(e => Net.Host(e.From) != Net.Host(e.To)) + flows.Count;
        return (new Ladder(l["ladder.title"], columns,
            [.. steps.OrderBy(x => x.Frame).Take(LadderSteps).Select(x => x.Step)]), Math.Max(allSteps, steps.Count),
            order.Count);
    }

    private static string Quoted(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string SourceField(string endpoint) => Net.Host(endpoint).Contains(':', StringComparison.Ordinal)
        ? "ipv6.src" : "ip.src";

    private static bool IsHex(string s) => s.Length > 0 && s.Length % 2 == 0 && s.All(char.IsAsciiHexDigit);

    private static string IpField(string endpoint) => Net.Host(endpoint).Contains(':', StringComparison.Ordinal)
        ? "ipv6.addr" : "ip.addr";

    /// <summary>The filter for an MS-TURN message type by its name in the schema, or null for a name
    /// the schema does not know (Wireshark's own STUN decodes those).</summary>
    private static string? MessageFilter(string name)
    {
        // A message Wireshark's STUN dissector decoded ("Allocate request (STUN)"): the frame's own message, the first
        // STUN layer of a frame that holds no MS-TURN message (STUN inside MS-TURN or TURN is a relayed check).
        if (name.EndsWith(StunAnalyzer.StandardSuffix, StringComparison.Ordinal))
        {
            var own = name[..^StunAnalyzer.StandardSuffix.Length];
            var code = Schema.Protocols.MsTurn.Spec.MessageTypes
                .FirstOrDefault(x => x.Name == own && x.AppliesTo(Schema.Protocols.MsTurn.Rfc))?.Code;
            return code is null ? null : $"stun.type#1 == 0x{code:x4} && !{Msturn.MessageType}";
        }
        var codes = Schema.Protocols.MsTurn.Spec.MessageTypes.Where(x => x.Name == name).Select(x => x.Code)
            .Distinct().ToList();
        return codes.Count == 0 ? null : codes.Count == 1 ? $"{Msturn.MessageType} == 0x{codes[0]:x4}"
            : $"{Msturn.MessageType} in {{{string.Join(" ", codes.Select(x => $"0x{x:x4}"))}}}";
    }

    // The address field of the dissector that decoded the message: Wireshark's STUN one for "(STUN)" kinds.
    private static string AddressField(string endpoint, string kind)
    {
        var v6 = Net.Host(endpoint).Contains(':', StringComparison.Ordinal);
        return kind.EndsWith(StunAnalyzer.StandardSuffix, StringComparison.Ordinal)
            ? v6 ? "stun.att.ipv6" : "stun.att.ipv4"
            : v6 ? Msturn.AttributeIpv6 : Msturn.AttributeIpv4;
    }

    /// <summary>Both ends of a UDP flow ("ip:port", IPv6 in brackets).</summary>
    private static string FlowFilter(string a, string b)
    {
        string End(string e) => $"{IpField(e)} == {Net.Host(e)} && udp.port == {Net.Port(e)}";
        return $"{End(a)} && {End(b)}";
    }

    /// <summary>The distinct CNAME chains of a name (older models without <see cref="DnsNameSummary.Chains"/>: its
    /// first chain).</summary>
    private static List<DnsChain> ChainsOf(DnsNameSummary n)
    {
        var chains = n.Chains.Where(c => c.Cnames.Count > 0).ToList();
        if (chains.Count > 0)
            return chains;
        return n.CnameChain.Count == 0 ? [] : [new DnsChain("–", n.CnameChain, n.IPv4, n.IPv6, 0, 0)];
    }

    private static string Lines(IReadOnlyList<string> l) => l.Count == 0 ? "–" : string.Join("\n", l);
    private static string Cn(string dn) => dn.Split(',').Select(x => x.Trim()).FirstOrDefault(x => x.StartsWith("CN=",
        StringComparison.Ordinal))?[3..] ?? dn;
}
