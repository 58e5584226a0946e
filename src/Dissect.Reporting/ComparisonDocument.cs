using System.Globalization;
using Dissect.Analysis;

namespace Dissect.Reporting;

/// <summary>Captures side by side: the index of a batch and the output of 'dissect compare'.</summary>
public static class ComparisonDocument
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static List<Block> Build(IReadOnlyList<(string Name, ReportModel Model)> items, IReadOnlyList<(string Input,
        string Error)> failures)
    {
        var b = new List<Block> { new Heading(0, $"Comparison of {items.Count} captures") };
        if (failures.Count > 0)
        {
            b.Add(new Heading(2, "Captures that failed"));
            b.Add(new Table(["Capture", "Error"], [.. failures.Select(f => (IReadOnlyList<string>)[f.Input, f.Error])],
                new HashSet<int>(), [2, 4]));
        }
        if (items.Count == 0)
        {
            b.Add(new Paragraph("No capture was analysed."));
            return b;
        }
        static string Pct(long part, long whole) => whole == 0 ? "–" : (100.0 * part / whole).ToString("0.#",
            Inv) + " %";
        b.Add(new Heading(1, "Captures side by side"));
        b.Add(new Table(["Capture", "Packets", "Bytes", "Time (s)", "UDP", "TCP", "IPv6", "TLS versions", "MS-TURN",
            "Relayed media (B)", "Direct RTP (B)"],
            [.. items.Select(i =>
            {
                var m = i.Model;
                var n = m.Network;
                return (IReadOnlyList<string>)[i.Name, m.Capture.Packets.ToString("N0", Inv),
                    m.Capture.Bytes.ToString("N0", Inv), m.Capture.DurationSeconds.ToString("0.#", Inv),
                    Pct(n.UdpPackets, n.UdpPackets + n.TcpPackets), Pct(n.TcpPackets, n.UdpPackets + n.TcpPackets),
                        Pct(n.IPv6Packets, n.IPv4Packets + n.IPv6Packets),
                    m.Tls.NegotiatedVersions.Count == 0 ? "–" : string.Join(", ", m.Tls.NegotiatedVersions.Keys),
                        m.Stun.MsTurnMessages.ToString(Inv), m.Stun.RelayedMediaBytes.ToString("N0", Inv),
                            m.Stun.DirectRtpBytes.ToString("N0", Inv)];
            })], new HashSet<int> { 1, 2, 3, 4, 5, 6, 8, 9, 10 }, [2.6, 0.9, 1.1, 0.8, 0.7, 0.7, 0.7, 1.1, 0.8, 1, 1]));
        b.Add(new Table(["Capture", "NAT", "DNS names", "TLS connections", "Certificates"],
            [.. items.Select(i => (IReadOnlyList<string>)[i.Name, i.Model.Stun.NatVerdict,
                i.Model.Dns.Names.Count.ToString(Inv), i.Model.Tls.Connections.Count.ToString(Inv),
                    i.Model.Tls.Certificates.Count.ToString(Inv)])],
            new HashSet<int> { 2, 3, 4 }, [2.5, 4, 0.8, 0.9, 0.9]));

        b.Add(new Heading(1, "DNS names"));
        var sets = items.Select(i => i.Model.Dns.Names.Select(n => n.Name.ToLowerInvariant()).ToHashSet()).ToList();
        var common = sets.Skip(1).Aggregate(new HashSet<string>(sets[0]), (acc,
            s) =>
        { acc.IntersectWith(s); return acc; });
        b.Add(new Paragraph(common.Count == 0 ? "No name is queried in every capture."
            : $"Queried in every capture ({common.Count}): " + string.Join(", " +
                "", common.Order(StringComparer.Ordinal))));
        var unique = items.Select((i, k) => (i.Name, Names: sets[k].Where(n => sets.Where((_,
            j) => j != k).All(s => !s.Contains(n))).Order(StringComparer.Ordinal).ToList()))
            .Where(x => x.Names.Count > 0).ToList();
        if (unique.Count > 0)
            b.Add(new Table(["Capture", "Names only this capture queried"],
                [.. unique.Select(u => (IReadOnlyList<string>)[u.Name, string.Join(", ",
                    u.Names.Take(30)) + (u.Names.Count > 30 ? $" … (+{u.Names.Count - 30})" : "")])],
                new HashSet<int>(), [1.5, 4]));

        b.Add(new Heading(1, "Traffic over time"));
        // A common grid: seconds since each capture's start, the longest capture cut into at most 120 bins.
        var longest = Math.Max(1, items.Max(i =>
            i.Model.Traffic.Bins.Count == 0 ? 0 : i.Model.Traffic.Bins[^1].StartSeconds + i.Model.Traffic.BinSeconds));
        var width = new[] { 0.5, 1, 2, 5, 10, 30, 60, 300, 600, 3600, 86400 }.FirstOrDefault(w => longest / w <= 120,
            86400);
        var count = (int)Math.Ceiling(longest / width);
        var series = items.Take(8).Select(i =>
        {
            var v = new double[count];
            foreach (var bin in i.Model.Traffic.Bins)
            {
                var k = (int)Math.Min(count - 1, Math.Floor(bin.StartSeconds / width));
                v[k] += bin.Bytes;
            }
            return (i.Name.Length > 24 ? i.Name[..24] : i.Name, (IReadOnlyList<double>)v);
        }).ToList();
        b.Add(new Chart($"Bytes per {width.ToString(Inv)} s since each capture's " +
            $"start", [.. Enumerable.Range(0, count).Select(k => (k * width).ToString("0.#", Inv))], series, true));
        if (items.Count > 8)
            b.Add(new Paragraph($"The chart shows the first 8 of {items.Count} captures; the table above lists all."));
        return b;
    }
}
