namespace Dissect.Reporting.Pdf;

/// <summary>
/// A value axis from 0 to a round maximum in at most <see cref="MaxTicks"/> steps of 1, 2 or 5 × 10ⁿ.
/// PdfSharp.Charting, left to itself, draws one tick per unit: a bar of a million frames meant a million labels.
/// </summary>
public readonly record struct AxisScale(double Maximum, double Step)
{
    public const int MaxTicks = 6;

    public int Ticks => (int)Math.Round(Maximum / Step);

    // Round steps: 1, 2 or 5 times a power of ten.
    private static readonly int[] Mantissas = [1, 2, 5, 10];

    /// <param name="maxTicks">Fewer for a small chart, whose labels would otherwise touch.</param>
    public static AxisScale For(IEnumerable<double> values, int maxTicks = MaxTicks)
    {
        var max = values.Where(double.IsFinite).DefaultIfEmpty(0).Max();
        if (max <= 0)
            return new AxisScale(1, 1);   // all zero (or nothing): an axis of 0–1, not a division by zero
        // Counts are whole: never a step below 1, so 3 frames show 0, 1, 2, 3 and not 0, 0.5, 1, …
        var raw = Math.Max(1, max / maxTicks);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = Mantissas.Select(m => m * magnitude).First(s => s >= raw);
        return new AxisScale(Math.Ceiling(max / step) * step, step);
    }
}
