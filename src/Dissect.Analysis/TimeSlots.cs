namespace Dissect.Analysis;

/// <summary>
/// Counters per class over time, the one time-binning helper of the analysis: sparse slots of 0.1 s whose width grows
/// (0.1 s → 1 s → 1 min → 1 h → 1 day) once there are 4,096 of them, so memory stays flat whatever the span (1M
/// packets over 28 hours once took 248 MB at a fixed 0.1 s). Each slot width divides every bin width
/// <see cref="WidthFor"/> can then pick, so a chart's bins are whole slots. Slots are counted from the first event,
/// to the microsecond, as tshark's <c>-z io,stat</c> counts its intervals from the first packet: the bins are the
/// ones a student gets from tshark, and wider slots start where a chart's first bin does. 4,096 is enough: a
/// chart has at most 120 bins, and once 4,096 slots are filled the span is at least 4,096 slots, whose bins (a 120th
/// of it, rounded up to a readable width) are whole slots of the next width too; so coarsening never changes a chart
/// of one busy stretch. 65,536 slots of eight classes took 8 MB per counter, a tenth of Dissect's peak on a
/// 1M-packet capture.
/// </summary>
/// <param name="classes">How many classes each slot counts.</param>
/// <param name="origin">Where slots count from, in the same seconds as the events; the first event's time if
/// null.</param>
public sealed class TimeSlots(int classes, double? origin = null)
{
    private static readonly double[] Widths = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200,
        21600, 43200, 86400, 604800, 2592000, 31536000];
    private static readonly long[] SlotTenths = [1, 10, 600, 36000, 864000];
    private const int MaxSlots = 1 << 12;

    private int _level;
    private double? _origin = origin;
    private Dictionary<long, (long Count, long[] Values)> _slots = [];

    /// <summary>A readable bin width giving at most 120 bins over <paramref name="span"/> seconds.</summary>
    public static double WidthFor(double span) => Widths.FirstOrDefault(w => span / w <= 120, Widths[^1]);

    /// <summary>The bin of <paramref name="width"/> seconds that a slot starting <paramref name="tenths"/> tenths of a
    /// second after the origin falls in. In whole tenths: 1.2 / 0.1 is 11.999… in floating point, which put a packet
    /// 1.2 s in into the bin before its own.</summary>
    public static long BinOf(long tenths, double width)
    {
        var w = (long)Math.Round(width * 10);
        return tenths >= 0 ? tenths / w : -((w - 1 - tenths) / w);
    }

    /// <summary>Where slots count from, in seconds: the origin given, else the first event's time.</summary>
    public double Origin => _origin ?? 0;

    /// <summary>The slots' width now, in tenths of a second.</summary>
    public long Tenths => SlotTenths[_level];

    public int Count => _slots.Count;

    /// <summary>Counts one event at <paramref name="seconds"/>, adding <paramref name="amount"/> to its
    /// class.</summary>
    public void Add(double seconds, int cls, long amount)
    {
        _origin ??= seconds;
        // Whole microseconds, kept in a double: a damaged first timestamp 500,000 years away overflows a long.
        var micros = Math.Round((seconds - _origin.Value) * 1e6, MidpointRounding.AwayFromZero);
        var slot = (long)Math.Floor(micros / (100_000.0 * Tenths));
        if (!_slots.TryGetValue(slot, out var v))
        {
            if (_slots.Count >= MaxSlots && _level < SlotTenths.Length - 1)
            {
                Coarsen();
                Add(seconds, cls, amount);
                return;
            }
            v = (0, new long[classes]);
        }
        v.Values[cls] += amount;
        _slots[slot] = (v.Count + 1, v.Values);
    }

    private void Coarsen()
    {
        var ratio = SlotTenths[_level + 1] / Tenths;
        _level++;
        var merged = new Dictionary<long, (long Count, long[] Values)>();
        foreach (var (slot, v) in _slots)
        {
            var k = (long)Math.Floor((double)slot / ratio);
            if (merged.TryGetValue(k, out var acc))
            {
                for (var i = 0; i < classes; i++) acc.Values[i] += v.Values[i];
                merged[k] = (acc.Count + v.Count, acc.Values);
            }
            else
                merged[k] = v;
        }
        _slots = merged;
    }

    /// <summary>The slots in time order: start in tenths of a second after <see cref="Origin"/>, events, and the amount
    /// per class. An array, not a sorted map, whose nodes take four times the memory.</summary>
    public Slot[] ByTenths()
    {
        var result = new Slot[_slots.Count];
        var i = 0;
        foreach (var (slot, v) in _slots)
            result[i++] = new Slot(slot * Tenths, v.Count, v.Values);
        Array.Sort(result, static (a, b) => a.Tenth.CompareTo(b.Tenth));
        return result;
    }
}

/// <summary>One slot of <see cref="TimeSlots"/>: its start in tenths of a second after the first event, its events
/// and its amount per class.</summary>
public readonly record struct Slot(long Tenth, long Count, long[] Values);
