using System.Globalization;
using Dissect.Analysis;

namespace Dissect.Reporting;

public abstract record Block;
public sealed record Heading(int Level, string Text) : Block;
public sealed record Paragraph(string Text) : Block;
public sealed record Note(string Text) : Block;
public sealed record Table(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows,
    IReadOnlySet<int> NumericColumns, IReadOnlyList<double> Widths) : Block;
/// <summary>A bar chart (one bar per label) or, with several series, a line chart over the labels.</summary>
public sealed record Chart(string Title, IReadOnlyList<string> Labels, IReadOnlyList<(string Name,
    IReadOnlyList<double> Values)> Series, bool Lines) : Block;

/// <summary>Intervals on a date axis with one marked instant (certificate validity against the capture date).</summary>
public sealed record Timeline(string Title, IReadOnlyList<(string Label, DateTimeOffset From, DateTimeOffset To)> Items,
    DateTimeOffset Marker, string MarkerLabel) : Block;

public sealed record ReportOptions(string Language = "en", bool Notes = true);

/// <summary>
/// The sections of a course-style report, as layout-neutral blocks: the PDF and Markdown renderers
/// both lay out this one list, so they always say the same thing.
/// </summary>
public static class ReportDocument
{
    // The servers one ClientHello offer went to: six names, then how many more.
    private static string ServersOf(IEnumerable<TlsConnection> offer)
    {
        var names = offer.Select(x => x.Sni ?? x.Server).Distinct().ToList();
        return string.Join(", ", names.Take(6)) + (names.Count > 6 ? ", …" : "");
    }

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Scenario(string fileName) =>
        Path.GetFileNameWithoutExtension(fileName).Replace('_', ' ').Replace('-', ' ').Trim();

    /// <summary>Rows of one table in a report; the JSON model holds every row.</summary>
    public const int MaxRows = 150;

    /// <summary>Items listed in one sentence before "and N more".</summary>
    public const int MaxListed = 40;

    /// <summary>The rows a capped table shows: with more than <see cref="MaxRows"/>, the busiest, in name
    /// order.</summary>
    public static List<T> Busiest<T>(IEnumerable<T> items, Func<T, long> weight, Func<T, string> name)
    {
        // One pass with a heap of MaxRows: the items may be made on the fly (300k DNS names), never all at once.
        var worstFirst = Comparer<(long Weight, string Name)>.Create((x, y) =>
            x.Weight != y.Weight ? x.Weight.CompareTo(y.Weight) : string.CompareOrdinal(y.Name, x.Name));
        var kept = new PriorityQueue<T, (long, string)>(worstFirst);
        foreach (var item in items)
        {
            var key = (weight(item), name(item));
            if (kept.Count < MaxRows)
                kept.Enqueue(item, key);
            else if (kept.TryPeek(out _, out var worst) && worstFirst.Compare(key, worst) > 0)
                kept.EnqueueDequeue(item, key);
        }
        return [.. kept.UnorderedItems.Select(x => x.Element).OrderBy(name, StringComparer.Ordinal)];
    }

    public static string Capped(IReadOnlyList<string> items) =>
        items.Count <= MaxListed ? string.Join(", ", items)
            : string.Join(", ", items.Take(MaxListed)) + string.Create(Inv, $" and {items.Count - MaxListed:N0} more");

    public static List<Block> Build(ReportModel m, ReportOptions o)
    {
        var b = new List<Block>();
        void NoteFor(string section)
        {
            if (o.Notes && TeachingNotes.PlainText(o.Language, section) is { } t)
                b.Add(new Note(t));
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
            b.Add(new Paragraph(string.Create(Inv,
                $"{all - Math.Min(MaxRows, t.Rows.Count):N0} more rows are not shown here; the JSON model lists them " +
                    $"all.")));
        }
        static string N(long v) => v.ToString("N0", Inv);
        static Table T(string[] h, IEnumerable<IReadOnlyList<string>> rows, int[]? numeric = null,
            double[]? widths = null) =>
            new(h, rows.ToList(), (numeric ?? []).ToHashSet(), widths ?? Enumerable.Repeat(1.0, h.Length).ToArray());

        var c = m.Capture;
        b.Add(new Heading(0, "Capture analysis: " + c.FileName));
        AddTable(T(["Property", "Value"],
        [
            ["Scenario", Scenario(c.FileName)],
            ["Capture start (UTC)", c.FirstPacket?.ToString("yyyy-MM-dd HH:mm:ss.fff", Inv) ?? "–"],
            ["Duration", c.DurationSeconds.ToString("0.###", Inv) + " s"],
            ["Packets / bytes", $"{N(c.Packets)} / {N(c.Bytes)}"],
            ["File", $"{c.Format}, {N(c.SizeBytes)} bytes, link types {string.Join(", ", c.LinkTypes)}"],
            ["SHA-256", c.Sha256],
            ["Tools", $"Dissect {c.DissectVersion}; {c.TsharkVersion}"],
            .. c.DisplayFilter is { } filter
                ? new IReadOnlyList<string>[] { ["Filtered view",
                    $"only the packets matching the display filter {filter}"] }
                : [],
        ], widths: [1, 3]));
        b.Add(new Heading(2, "Key findings"));
        foreach (var f in m.Findings)
            b.Add(new Paragraph("• " + f));

        // I. DNS
        var d = m.Dns;
        b.Add(new Heading(1, "I. DNS"));
        NoteFor("dns");
        if (d.QueryCount + d.ResponseCount == 0)
            b.Add(new Paragraph("No DNS traffic observed." + (d.MdnsPackets + d.LlmnrPackets > 0
                ? $" (Local name services only: {d.MdnsPackets} mDNS, {d.LlmnrPackets} LLMNR packets.)" : "")));
        else
        {
            b.Add(new Paragraph($"{d.QueryCount} queries and {d.ResponseCount} responses; transports: " +
                $"{Join(d.Transports)}; response codes: {Join(d.Rcodes)}; " +
                $"{d.RecursionDesired} queries with RD set, {d.DnssecOkQueries} with DO set; " +
                    $"{d.AuthenticatedResponses} responses with AD set, {d.AuthoritativeResponses} authoritative " +
                        $"(AA)."));
            AddTable(T(["Name", "CNAME chain", "IPv4", "IPv6", "Types", "Authority"],
                Busiest(d.Names, n => n.Queries + n.Responses, n => n.Name).Select(n => (IReadOnlyList<string>)[n.Name,
                    ChainText(n), Lines(n.IPv4), Lines(n.IPv6),
                    string.Join(", ", n.QueryTypes),
                        n.AuthorityServers.Count + n.AuthorityZones.Count == 0 ? "–" : string.Join(", ",
                            n.AuthorityZones.Concat(n.AuthorityServers))]),
                widths: [2.1, 2.6, 1.3, 1.7, 0.8, 1.5]), d.Names.Count);
            b.Add(new Chart("Queries by record type", [.. d.QueryTypes.Keys], [("queries",
                [.. d.QueryTypes.Values.Select(v => (double)v)])], false));
            if (d.Unanswered.Count > 0)
                b.Add(new Paragraph("Unanswered: " + Capped(d.Unanswered)));
            b.Add(new Paragraph(d.DnssecRecordTypes.Count > 0 ? "DNSSEC records seen: " + string.Join(", ",
                d.DnssecRecordTypes) + "." : "No DNSSEC records (RRSIG, DNSKEY, DS, NSEC) seen."));
            if (d.MdnsPackets + d.LlmnrPackets > 0)
                b.Add(new Paragraph($"Local name services, not in the table: {d.MdnsPackets} mDNS and " +
                    $"{d.LlmnrPackets} LLMNR packets."));
            if (d.DotPackets > 0 || d.LikelyDohServers.Count > 0)
                b.Add(new Paragraph($"Encrypted DNS: {d.DotPackets} DNS-over-TLS packets (port 853); likely " +
                    $"DNS-over-HTTPS servers: {(d.LikelyDohServers.Count == 0 ? "none" : string.Join(", " +
                        "", d.LikelyDohServers))}."));
        }

        // II. Network layer
        var n = m.Network;
        b.Add(new Heading(1, "II. Network layer"));
        NoteFor("network");
        b.Add(new Paragraph($"IPv4 packets: {N(n.IPv4Packets)}; IPv6 packets: {N(n.IPv6Packets)}. Private addresses: " +
            $"{(n.PrivateAddresses.Count == 0 ? "none" : string.Join(", ", n.PrivateAddresses.Take(12)))}; public " +
                $"addresses: {n.PublicAddressCount}. NAT: {m.Stun.NatVerdict}."));
        if (n.TopEndpoints.Count > 0)
            AddTable(T(["Address", "Name (from this capture)", "Scope", "Frames", "Bytes"],
                n.TopEndpoints.Select(e => (IReadOnlyList<string>)[e.Address, e.Name ?? "–", e.Scope, N(e.Frames),
                    N(e.Bytes)]), [3, 4], [2.2, 2.7, 1.0, 1, 1.2]));

        // III. Transport
        b.Add(new Heading(1, "III. Transport layer"));
        NoteFor("transport");
        b.Add(new Paragraph($"TCP: {N(n.TcpPackets)} packets ({N(n.TcpBytes)} bytes); UDP: {N(n.UdpPackets)} packets " +
            $"({N(n.UdpBytes)} bytes); other: {N(n.OtherPackets)}."));
        // Link and network layers are in section II; ASN.1 certificate parts are not protocols a student lists.
        var top = n.Protocols.Where(p =>
            p.Protocol is not ("frame" or "eth" or "ethertype" or "sll" or "sll2" or "ip" or "ipv6" or "data")
            && !p.Protocol.StartsWith("x509", StringComparison.Ordinal) && !p.Protocol.StartsWith("pkix",
                StringComparison.Ordinal)).Take(12).ToList();
        if (top.Count > 0)
        {
            AddTable(T(["Protocol", "Frames", "Bytes"], top.Select(p => (IReadOnlyList<string>)[p.Protocol, N(p.Frames),
                N(p.Bytes)]), [1, 2]));
            b.Add(new Chart("Frames per protocol", [.. top.Select(p => p.Protocol)], [("frames",
                [.. top.Select(p => (double)p.Frames)])], false));
        }
        if (n.TopConversations.Count > 0)
            AddTable(T(["Endpoint A", "Endpoint B", "Name", "Transport", "Frames", "Bytes"],
                n.TopConversations.Select(cv => (IReadOnlyList<string>)[cv.A, cv.B, cv.Name ?? "–", cv.Transport,
                    N(cv.Frames), N(cv.Bytes)]), [4, 5], [2, 2, 2.2, 0.8, 0.8, 1]));
        if (m.Tls.QuicVersions.Count > 0)
            b.Add(new Paragraph($"QUIC versions: {Join(m.Tls.QuicVersions)}; SNI: {(m.Tls.QuicSni.Count == 0 ? "none " +
                "visible" : string.Join(", ", m.Tls.QuicSni))}."));

        // IV. Security
        var t = m.Tls;
        b.Add(new Heading(1, "IV. Encryption and security"));
        NoteFor("security");
        if (t.Connections.Count == 0)
            b.Add(new Paragraph("No TLS handshake observed."));
        else
        {
            b.Add(new Paragraph($"{t.ClientHellos} ClientHello and {t.ServerHellos} ServerHello messages; negotiated " +
                $"versions: {Join(t.NegotiatedVersions)}."));
            AddTable(T(["Server (SNI)", "Offered", "Chosen version", "Chosen suite", "FS"],
                t.Connections.Select(x => (IReadOnlyList<string>)[
                    $"{x.Sni ?? "–"}\n{x.Server}",
                    $"{string.Join(", ", x.OfferedVersions)}; {x.OfferedSuiteCount} suites",
                    x.ChosenVersion ?? "–",
                    x.ChosenSuite?.Name ?? "–",
                    x.ChosenSuite is null ? "–" : x.ChosenSuite.ForwardSecrecy ? "yes" : "no"]),
                widths: [2.4, 1.8, 1, 3, 0.5]));
            var offers = t.Connections.Where(x => x.OfferedSuites.Count > 0)
                .GroupBy(x => string.Join(",", x.OfferedVersions) + "|" + string.Join(",", x.OfferedSuites)).ToList();
            if (offers.Count > 0)
                AddTable(T(["ClientHello offer", "Servers (SNI)", "Versions", "Offered suites, in the client's order"],
                    offers.Select((g, k) =>
                        (IReadOnlyList<string>)[$"#{k + 1} ({g.Count()}×)", ServersOf(g),
                        string.Join(", ", g.First().OfferedVersions), string.Join(", ",
                            g.First().OfferedSuites.Select(n => n.StartsWith("TLS_",
                                StringComparison.Ordinal) ? n[4..] : n))]),
                    widths: [0.8, 2, 0.9, 5]));
            var suites = t.Connections.Where(x => x.ChosenSuite is not null).Select(x => x.ChosenSuite!).DistinctBy(s =>
                s.Code).ToList();
            if (suites.Count > 0)
                AddTable(T(["Suite", "Key exchange", "Auth", "Cipher", "Mode", "Hash", "Weakness"],
                    suites.Select(s => (IReadOnlyList<string>)[s.Name, s.KeyExchange, s.Authentication, s.Cipher,
                        s.Mode, s.Hash, s.Weakness ?? "–"]), widths: [3, 1.3, 1, 1, 0.8, 0.7, 1.5]));
            foreach (var w in t.WeakFindings)
                b.Add(new Paragraph("Warning: " + w));
        }
        if (t.Certificates.Count > 0)
            AddTable(T(["Subject CN", "Issuer", "Valid from", "Valid to", "Days", "Status", "Key", "SNI match"],
                t.Certificates.Select(x => (IReadOnlyList<string>)[x.CommonName ?? x.Subject, Cn(x.Issuer),
                    x.NotBefore.ToString("yyyy-MM-dd", Inv), x.NotAfter.ToString("yyyy-MM-dd", Inv),
                    x.LifetimeDays.ToString(Inv), x.Status,
                        $"{x.KeyType} {x.KeySize}", x.SniMatches is null ? "–" : x.SniMatches.Value ? "yes"
                            : "NO"]), [4], [2.2, 2, 1, 1, 0.6, 1, 1, 0.7]));
        if (t.Certificates.Count > 0 && c.FirstPacket is { } captured)
            b.Add(new Timeline("Certificate validity against the capture date",
                [.. t.Certificates.Take(20).Select(x => (x.CommonName ?? x.Subject, x.NotBefore, x.NotAfter))],
                captured, "capture " + captured.ToString("yyyy-MM-dd", Inv)));
        if (t.Certificates.Count == 0 && t.Tls13HiddenCertificates > 0)
            b.Add(new Paragraph($"No certificate is visible: TLS 1.3 encrypted them in {t.Tls13HiddenCertificates} " +
                $"connection(s)."));
        if (t.PseudoTlsStreams.Count > 0)
        {
            b.Add(new Paragraph($"Not TLS: {t.PseudoTlsStreams.Count} TCP stream(s) open with MS-TURN's pseudo-TLS " +
                $"hello "
                + "(MS-TURN 2.1.1: a fixed ClientHello and ServerHello on port 443, so that TURN passes firewalls " +
                    "that only "
                + "let TLS through), then carry framed TURN messages in clear. Wireshark's TLS dissector alone shows " +
                    "these "
                + "hellos as TLS 1.0 with TLS_DH_anon_WITH_RC4_128_MD5, but no key is agreed and nothing after them is "
                + "TLS-encrypted (the media keeps its own SRTP encryption). They are not counted among the TLS " +
                    "connections."));
            AddTable(T(["Frame", "Client", "MS-TURN server", "Frames"],
                t.PseudoTlsStreams.Select(x => (IReadOnlyList<string>)[x.FirstFrame.ToString(Inv), x.Client, x.Server,
                    N(x.Frames)]),
                [0, 3], [0.6, 2, 2, 0.6]));
        }
        b.Add(new Paragraph(d.DnssecOkQueries + d.AuthenticatedResponses > 0
            ? $"DNSSEC: {d.DnssecOkQueries} DO queries, {d.AuthenticatedResponses} AD responses."
                : "DNSSEC: not used by the resolver in this capture."));

        // V. Application: STUN/TURN
        var s = m.Stun;
        b.Add(new Heading(1, "V. Application: STUN/TURN and NAT"));
        NoteFor("stun");
        if (s.MsTurnMessages + s.StunMessages == 0)
            b.Add(new Paragraph("No STUN or TURN traffic observed."));
        else
        {
            b.Add(new Paragraph($"{s.MsTurnMessages} MS-TURN messages, {s.StunMessages} frames decoded by " +
                $"Wireshark's STUN dissector. {s.NatVerdict}. " +
                $"Relayed media: {N(s.RelayedMediaPackets)} packets, {N(s.RelayedMediaBytes)} bytes; direct RTP: " +
                    $"{N(s.DirectRtpPackets)} packets, {N(s.DirectRtpBytes)} bytes. MS-VERSION: " +
                        $"{List(s.MsVersions)}; stream types: {List(s.StreamTypes)}; server software: " +
                            $"{List(s.Software)}."));
            AddTable(T(["Message type", "Count"], s.MessageTypes.Select(kv => (IReadOnlyList<string>)[kv.Key,
                kv.Value.ToString(Inv)]), [1], [3, 1]));
            if (s.Allocations.Count > 0)
                AddTable(T(["Frame", "Client", "TURN server", "Relayed address", "Mapped address", "Lifetime"],
                    s.Allocations.Select(a => (IReadOnlyList<string>)[a.Frame.ToString(Inv), a.Client, a.Server,
                        a.Relayed ?? "–", a.Mapped ?? "–",
                            a.Lifetime is null ? "–" : a.Lifetime + " s" + (a.Deallocated ? " (freed)" : "")]), [0],
                                [0.7, 1.8, 1.8, 1.8, 1.8, 1]));
            if (s.ErrorResponses.Count > 0)
            {
                // A 401 asks for credentials in the REALM; an ALTERNATE-SERVER sends the client to another relay, which
                // is why a server named in DNS may never be contacted.
                AddTable(T(["Frame", "Error response", "Code and reason", "Realm", "Alternate server", "From", "Count"],
                    s.ErrorResponses.Select(e => (IReadOnlyList<string>)[e.FirstFrame.ToString(Inv), e.Message,
                        e.Code.ToString(Inv) + (e.Reason is { } r ? " " + r : ""), e.Realm ?? "–", e.AlternateServer
                            ?? "–", e.Server,
                        e.Count.ToString(Inv)]), [0, 6], [0.65, 1.3, 2.1, 0.8, 1.75, 1.75, 0.6]));
                var redirect = s.ErrorResponses.FirstOrDefault(e => e.AlternateServer is not null);
                if (redirect is not null)
                    b.Add(new Paragraph($"The server {redirect.Server} answered {redirect.Message} {redirect.Code} " +
                        $"and redirected the "
                        + $"client to {redirect.AlternateServer} (ALTERNATE-SERVER, frame {redirect.FirstFrame})."));
            }
            if (s.Peers.Count > 0)
                b.Add(new Paragraph("Peers (DESTINATION/REMOTE-ADDRESS): " + Capped(s.Peers)));
            if (s.MediaFlows.Count > 0)
            {
                b.Add(new Paragraph("Media flows: where the call goes. A relayed flow runs between a host and a TURN " +
                    "relay (via); a direct flow between the two hosts. Packets and bytes are counted each way " +
                    "(A→B / B→A)."));
                AddTable(T(["Path", "A", "B (relay when relayed)", "Carried as", "Media", "Packets A→B / B→A",
                        "Bytes A→B / B→A", "SSRC"],
                    s.MediaFlows.Take(MaxRows).Select(f => (IReadOnlyList<string>)[
                        f.Path, f.A, f.B, string.Join(", ", f.CarriedAs), string.Join(", ", f.Kinds),
                        $"{N(f.PacketsOut)} / {N(f.PacketsIn)}", $"{N(f.BytesOut)} / {N(f.BytesIn)}",
                        string.Join(", ", f.Ssrcs)]),
                    [5, 6], [0.8, 2, 2, 1.6, 0.9, 1.1, 1.3, 1.4]), s.MediaFlows.Count);
            }
            if (s.MessagesOverTime.Count > 1)
            {
                // Series in the order the operations first appear, "Other" last.
                var present = s.MessagesOverTime.SelectMany(x => x.Counts.Keys).Distinct()
                    .OrderBy(k => k == "Other").ToList();
                b.Add(new Chart($"MS-TURN messages per {s.MessageBinSeconds.ToString(Inv)} " +
                    $"s", [.. s.MessagesOverTime.Select(x => x.StartSeconds.ToString("0.#", Inv))],
                    [.. present.Select(k => (k, (IReadOnlyList<double>)[.. s.MessagesOverTime.Select(x =>
                        (double)x.Counts.GetValueOrDefault(k))]))], true));
            }
            if (s.Timeline.Count > 0)
                AddTable(T(["Time (s)", "Frame", "Event"], s.Timeline.Take(40).Select(e =>
                    (IReadOnlyList<string>)[e.Seconds.ToString("0.000", Inv), e.Frame.ToString(Inv), e.Kind]), [0, 1],
                        [1, 1, 4]));
            b.Add(new Paragraph("Attributes seen: " + string.Join(", ", s.AttributesSeen)));
        }

        // VI. Traffic over time
        var tr = m.Traffic;
        b.Add(new Heading(1, "VI. Traffic over time"));
        NoteFor("traffic");
        if (tr.Bins.Count == 0)
            b.Add(new Paragraph("No packets."));
        else
        {
            var used = tr.Classes.Where(cl => tr.Bins.Any(x => x.BytesByClass.ContainsKey(cl))).ToList();
            b.Add(new Chart($"Bytes per {tr.BinSeconds.ToString(Inv)} s by protocol " +
                $"class", [.. tr.Bins.Select(x => x.StartSeconds.ToString("0.#", Inv))],
                [.. used.Select(cl => (cl, (IReadOnlyList<double>)[.. tr.Bins.Select(x =>
                    (double)x.BytesByClass.GetValueOrDefault(cl))]))], true));
        }
        return b;
    }

    private static string Join(IReadOnlyDictionary<string, int> d) => d.Count == 0 ? "none" : string.Join(", ",
        d.Select(kv => $"{kv.Key} {kv.Value}"));
    private static string List(IReadOnlyList<string> l) => l.Count == 0 ? "none" : string.Join(", ", l);
    /// <summary>
    /// The CNAME chain; when the name's answers followed several (A and AAAA through different Traffic Manager
    /// endpoints, or a change during the capture), each one, headed by its query type and with the addresses it led to.
    /// </summary>
    private static string ChainText(DnsNameSummary n)
    {
        var chains = n.Chains.Where(c => c.Cnames.Count > 0).ToList();
        if (chains.Count <= 1)
            return n.CnameChain.Count == 0 ? "–" : string.Join("\n", n.CnameChain.Select(x => "→\u00A0" + x));
        return string.Join("\n", chains.Select(c =>
            $"{c.QueryType}:\n" + string.Join("\n", c.Cnames.Select(x => "→\u00A0" + x))
            + (c.IPv4.Count + c.IPv6.Count > 0 ? "\n→\u00A0" + string.Join(", ", c.IPv4.Concat(c.IPv6)) : "")));
    }

    private static string Lines(IReadOnlyList<string> l) => l.Count == 0 ? "–" : string.Join("\n", l);
    private static string Cn(string dn) => dn.Split(',').Select(x => x.Trim()).FirstOrDefault(x => x.StartsWith("CN=",
        StringComparison.Ordinal))?[3..] ?? dn;
}
