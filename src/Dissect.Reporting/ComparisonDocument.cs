using Dissect.Analysis;
using Dissect.Reporting.Localization;

namespace Dissect.Reporting;

/// <summary>Captures side by side: the index of a batch and the output of 'dissect compare'.</summary>
public static class ComparisonDocument
{
    public static string Title(int count, string language) =>
        Localizer.For(language).T("title.comparison", ("count", (long)count));

    /// <summary>Video bytes per audio byte, from the flows' kinds; "–" without audio.</summary>
    private static string VideoToAudio(IReadOnlyList<MediaFlow> flows, Localizer l)
    {
        long Bytes(string kind) => flows.Where(f => f.Kind == kind).Sum(f => f.Up.Bytes + f.Down.Bytes);
        var audio = Bytes("audio");
        return audio == 0 ? "–" : l.Num((double)Bytes("video") / audio, "0.0") + " : 1";
    }

    /// <summary>Seconds with media (time bins that carry some) and the media bytes, from the traffic bins.</summary>
    private static (double Seconds, long Bytes) MediaActivity(ReportModel m)
    {
        var bins = m.Traffic.Bins.Where(x => x.BytesByClass.ContainsKey("Media")).ToList();
        return (bins.Count * m.Traffic.BinSeconds, bins.Sum(x => x.BytesByClass["Media"]));
    }

    public static List<Block> Build(IReadOnlyList<(string Name, ReportModel Model)> items, IReadOnlyList<(string Input,
        string Error)> failures, string language = "en")
    {
        var L = Localizer.For(language);
        string H(string key) => L["col." + key];
        var b = new List<Block> { new Heading(0, Title(items.Count, language)) };
        if (failures.Count > 0)
        {
            b.Add(new Heading(2, L["cmp.failed"]));
            b.Add(new Table([H("capture"), H("error")],
                [.. failures.Select(f => (IReadOnlyList<string>)[f.Input, f.Error])], new HashSet<int>(), [2, 4]));
        }
        if (items.Count == 0)
        {
            b.Add(new Paragraph(L["cmp.none"]));
            return b;
        }
        string Pct(long part, long whole) => whole == 0 ? "–" : L.Num(100.0 * part / whole) + " %";
        var labels = OutputNames.ShortestUniqueSuffixes([.. items.Select(i => i.Name)]);
        b.Add(new Heading(1, L["cmp.side-by-side"]));
        b.Add(new Table([H("capture"), H("packets"), H("bytes"), H("time-s"), "UDP", "TCP", "IPv6", H("tls-versions"),
            "MS-TURN", H("relayed-bytes"), H("direct-bytes")],
            [.. items.Select(i =>
            {
                var m = i.Model;
                var n = m.Network;
                return (IReadOnlyList<string>)[i.Name, L.N(m.Capture.Packets),
                    L.N(m.Capture.Bytes), L.Num(m.Capture.DurationSeconds),
                    Pct(n.UdpPackets, n.UdpPackets + n.TcpPackets), Pct(n.TcpPackets, n.UdpPackets + n.TcpPackets),
                        Pct(n.IPv6Packets, n.IPv4Packets + n.IPv6Packets),
                    m.Tls.NegotiatedVersions.Count == 0 ? "–" : string.Join(", ", m.Tls.NegotiatedVersions.Keys),
                        L.N(m.Stun.MsTurnMessages), L.N(m.Stun.RelayedMediaBytes), L.N(m.Stun.DirectRtpBytes)];
            })], new HashSet<int> { 1, 2, 3, 4, 5, 6, 8, 9, 10 }, [2.6, 0.9, 1.1, 0.8, 0.7, 0.7, 0.7, 1.1, 0.8, 1, 1]));
        b.Add(new Table([H("capture"), "NAT", H("dns-names"), H("tls-connections"), H("certificates")],
            [.. items.Select(i => (IReadOnlyList<string>)[i.Name, L.Finding(Findings.NatFinding(i.Model.Stun.Nat)),
                L.N(i.Model.Dns.Names.Count), L.N(i.Model.Tls.Connections.Count),
                    L.N(i.Model.Tls.Certificates.Count)])],
            new HashSet<int> { 2, 3, 4 }, [2.5, 4, 0.8, 0.9, 0.9]));

        b.Add(new Heading(1, L["cmp.dns-names"]));
        var sets = items.Select(i => i.Model.Dns.Names.Select(n => n.Name.ToLowerInvariant()).ToHashSet()).ToList();
        var common = sets.Skip(1).Aggregate(new HashSet<string>(sets[0]), (acc,
            s) =>
        { acc.IntersectWith(s); return acc; });
        b.Add(new Paragraph(common.Count == 0 ? L["cmp.no-common"]
            : L.T("cmp.common", ("count", common.Count), ("names", common.Order(StringComparer.Ordinal).ToArray()))));
        var unique = items.Select((i, k) => (i.Name, Names: sets[k].Where(n => sets.Where((_,
            j) => j != k).All(s => !s.Contains(n))).Order(StringComparer.Ordinal).ToList()))
            .Where(x => x.Names.Count > 0).ToList();
        if (unique.Count > 0)
            b.Add(new Table([H("capture"), H("only-here")],
                // Past a screenful the count is said, never a silent cut: the models list every name.
                [.. unique.Select(u => (IReadOnlyList<string>)[u.Name, string.Join(", ",
                    u.Names.Take(ReportDocument.MaxListed)) + (u.Names.Count > ReportDocument.MaxListed ? " " +
                        L.T("and-more", ("count", (long)(u.Names.Count - ReportDocument.MaxListed))) : "")])],
                new HashSet<int>(), [1.5, 4]));

        b.Add(new Heading(1, L["cmp.media"]));
        b.Add(new Table([H("capture"), H("path"), H("via-or-peer"), H("media-packets"), H("media-bytes"),
            H("media-rate"), H("video-audio")],
            [.. items.Select((i, k) =>
            {
                var flows = i.Model.Media.Flows;
                var paths = flows.Select(f => L.Code("path", f.Path)).Distinct().ToList();
                var ends = flows.Select(f => f.Via ?? f.Remote).Distinct().Take(4).ToList();
                var (active, bytes) = MediaActivity(i.Model);
                return (IReadOnlyList<string>)[labels[k], paths.Count == 0 ? "–" : string.Join(", ", paths),
                    ends.Count == 0 ? "–" : string.Join("\n", ends),
                    L.N(flows.Sum(f => f.Up.Packets + f.Down.Packets)), L.N(bytes),
                    active <= 0 ? "–" : L.Num(bytes * 8 / active / 1000) + " kbit/s", VideoToAudio(flows, L)];
            })], new HashSet<int> { 3, 4, 5, 6 }, [2.4, 0.8, 2, 0.9, 1, 0.9, 0.8]));
        b.Add(new Paragraph(L["cmp.media-note"]));

        b.Add(new Heading(1, L["cmp.traffic"]));
        // A common grid: seconds since each call's start (its first media, else the capture's start), the longest
        // cut into at most 120 bins, so calls recorded with different lead-ins line up.
        var starts = items.Select(i => i.Model.Traffic.Bins.FirstOrDefault(x => x.BytesByClass.ContainsKey("Media"))
            ?.StartSeconds ?? 0).ToList();
        var longest = Math.Max(1, items.Select((i, k) =>
            i.Model.Traffic.Bins.Count == 0 ? 0 : i.Model.Traffic.Bins[^1].StartSeconds + i.Model.Traffic.BinSeconds
                - starts[k]).Max());
        var width = new[] { 0.5, 1, 2, 5, 10, 30, 60, 300, 600, 3600, 86400 }.FirstOrDefault(w => longest / w <= 120,
            86400);
        var count = (int)Math.Ceiling(longest / width);
        var series = items.Take(8).Select((i, index) =>
        {
            var v = new double[count];
            foreach (var bin in i.Model.Traffic.Bins.Where(x => x.StartSeconds >= starts[index]))
            {
                var k = (int)Math.Min(count - 1, Math.Floor((bin.StartSeconds - starts[index]) / width));
                v[k] += bin.Bytes;
            }
            return (labels[index], (IReadOnlyList<double>)v);
        }).ToList();
        b.Add(new Chart(L.T("cmp.chart", ("bin", L.Num(width, "0.###"))),
            [.. Enumerable.Range(0, count).Select(k => L.Num(k * width))], series, true)
        {
            XAxis = L["axis.since-call"],
            YAxis = L["axis.bytes"],
        });
        if (items.Count > 8)
            b.Add(new Paragraph(L.T("cmp.first-eight", ("count", items.Count))));
        return b;
    }
}
