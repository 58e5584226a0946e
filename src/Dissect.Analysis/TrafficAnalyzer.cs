namespace Dissect.Analysis;

/// <summary>Bytes and packets over time, in at most 4,096 sparse slots (<see cref="TimeSlots"/>).</summary>
public sealed class TrafficAnalyzer : IAnalyzer
{
    public static readonly string[] Classes = ["STUN/TURN", "Media", "TLS", "QUIC", "DNS", "Other TCP", "Other UDP",
        "Other"];
    private static readonly Schema.FilterNames Names = new(Schema.Protocols.MsTurn.Spec);
    private static readonly string ProtoLayer = ":" + Names.Prefix;

    public IEnumerable<string> Fields =>
        ["frame.time_epoch", "frame.len", "frame.protocols", Names.Media, Packet.RtpSsrcField];

    private readonly TimeSlots _slots = new(Classes.Length);

    private long Tenths => _slots.Tenths;

    public void Add(in Packet p) => _slots.Add(p.Time, ClassOf(p), p.Length);

    private static int ClassOf(in Packet p)
    {
        var s = p.Protocols;
        if (p.Has(Names.Media) || p.IsRtp || s.Contains(":rtcp", StringComparison.Ordinal)) return 1;
        if (s.Contains(ProtoLayer, StringComparison.Ordinal) || s.Contains(":stun", StringComparison.Ordinal)) return 0;
        if (s.Contains(":quic", StringComparison.Ordinal)) return 3;
        if (s.Contains(":tls", StringComparison.Ordinal)) return 2;
        if (s.Contains(":dns", StringComparison.Ordinal)) return 4;
        if (s.Contains(":tcp", StringComparison.Ordinal)) return 5;
        if (s.Contains(":udp", StringComparison.Ordinal)) return 6;
        return 7;
    }

    public TrafficSection Build(double start)
    {
        if (_slots.Count == 0)
            return new TrafficSection(1, Classes, [], null, 0);
        // One stray timestamp far from the rest must not stretch the axis: split at gaps of more than a
        // day, bin the cluster that holds most packets, and report the gap and what was left out.
        var slots = _slots.ByTenths();
        double? gap = null;
        var clusters = new List<(int From, int To, long Packets)>();
        var from = 0;
        long total = 0, cluster = 0;
        for (var i = 1; i <= slots.Length; i++)
        {
            cluster += slots[i - 1].Count;
            if (i < slots.Length && (slots[i].Tenth - slots[i - 1].Tenth) / 10.0 <= 86400)
                continue;
            if (i < slots.Length)
                gap = Math.Max(gap ?? 0, (slots[i].Tenth - slots[i - 1].Tenth) / 10.0);
            clusters.Add((from, i - 1, cluster));
            total += cluster;
            (from, cluster) = (i, 0);
        }
        var main = clusters.OrderByDescending(c => c.Packets).ThenBy(c => c.From).First();
        var firstSlot = slots[main.From].Tenth;
        var lastSlot = slots[main.To].Tenth;
        var excluded = total - main.Packets;
        var span = Math.Max(Tenths / 10.0, (lastSlot + Tenths - firstSlot) / 10.0 - 0.1);
        var width = Math.Max(TimeSlots.WidthFor(span), Tenths / 10.0);
        var bins = new SortedDictionary<long, (long Packets, long[] Bytes)>();
        foreach (var (slot, count, values) in slots)
        {
            if (slot < firstSlot || slot > lastSlot) continue;
            var b = TimeSlots.BinOf(slot - firstSlot, width);
            if (!bins.TryGetValue(b, out var acc)) acc = (0, new long[Classes.Length]);
            for (var i = 0; i < Classes.Length; i++) acc.Bytes[i] += values[i];
            bins[b] = (acc.Packets + count, acc.Bytes);
        }
        var list = new List<TrafficBin>();
        var dense = bins.Keys.Last() < 2000;
        var offset = excluded > 0 ? 0 : Math.Max(0, _slots.Origin + firstSlot / 10.0 - start);
        for (long b = 0; b <= bins.Keys.Last(); b++)
        {
            if (!bins.TryGetValue(b, out var v))
            {
                if (!dense) continue;
                v = (0, new long[Classes.Length]);
            }
            list.Add(new TrafficBin(Math.Round(offset + b * width, 3), v.Packets, v.Bytes.Sum(),
                Classes.Select((c, i) => (c, v.Bytes[i])).Where(x => x.Item2 > 0).ToDictionary(x => x.c,
                    x => x.Item2)));
        }
        return new TrafficSection(width, Classes, list, gap, excluded);
    }
}
