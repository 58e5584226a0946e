using System.Globalization;
using System.Security;
using System.Text;
using Dissect.Reporting.Localization;
using Dissect.Reporting.Pdf;

namespace Dissect.Reporting.Charts;

/// <summary>
/// A chart block as inline SVG for the HTML and Markdown reports: the same definition the PDF draws, with the same
/// palette, whole-number ticks for counts, axis titles with units and the legend inside the frame.
/// </summary>
public static class SvgChart
{
    /// <summary>The width of a chart that has the page's width to itself.</summary>
    public const double Width = 760;

    private const double PlotRight = 12, PlotTop = 12;

    public static string Render(Chart c, Localizer l, double width = Width)
    {
        var legendRows = c.Series.Count > 1 ? (c.Series.Count + 3) / 4 : 0;
        var plotH = c.Lines ? 170.0 : Math.Min(170, 40 + 22 * c.Labels.Count);
        var h = PlotTop + plotH + 44 + legendRows * 16;
        var scale = AxisScale.For(c.Series.SelectMany(s => s.Values));
        // Room on the left for the widest tick label ("2 500 000": about 6.2 px a character) and the axis title.
        var widest = Enumerable.Range(0, scale.Ticks + 1).Max(k => l.N((long)Math.Round(k * scale.Step)).Length);
        var plotLeft = Math.Max(44, 28 + 6.2 * widest);
        var plotW = width - plotLeft - PlotRight;
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        string F(double v) => v.ToString("0.#", inv);
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 {F(width)} {F(h)}\" ")
          .Append(inv, $"width=\"{F(width)}\" height=\"{F(h)}\" font-family=\"sans-serif\" font-size=\"11\">")
          .Append("<title>").Append(X(c.Title)).Append("</title>");
        double Y(double v) => PlotTop + plotH - v / scale.Maximum * plotH;
        for (var k = 0; k <= scale.Ticks; k++)
        {
            var v = k * scale.Step;
            sb.Append(inv, $"<line x1=\"{F(plotLeft)}\" x2=\"{F(width - PlotRight)}\" ")
              .Append(inv, $"y1=\"{F(Y(v))}\" y2=\"{F(Y(v))}\" ")
              .Append("stroke=\"#ddd\"/>")
              .Append(inv, $"<text x=\"{F(plotLeft - 6)}\" y=\"{F(Y(v) + 4)}\" text-anchor=\"end\">")
              .Append(X(l.N((long)Math.Round(v)))).Append("</text>");
        }
        var n = Math.Max(1, c.Labels.Count);
        double Xc(int i) => plotLeft + (c.Lines && n > 1 ? i * plotW / (n - 1) : (i + 0.5) * plotW / n);
        var step = Math.Max(1, (int)Math.Ceiling(n / 10.0));
        for (var i = 0; i < c.Labels.Count; i += step)
            sb.Append(inv, $"<text x=\"{F(Xc(i))}\" y=\"{F(PlotTop + plotH + 14)}\" text-anchor=\"middle\">")
              .Append(X(c.Labels[i])).Append("</text>");
        for (var s = 0; s < c.Series.Count; s++)
        {
            var colour = ChartTheme.Hex(s);
            var values = c.Series[s].Values;
            if (c.Lines && n > 1)
                sb.Append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").Append(colour)
                  .Append("\" points=\"")
                  .AppendJoin(' ', values.Select((v, i) => F(Xc(i)) + "," + F(Y(v)))).Append("\"><title>")
                  .Append(X(c.Series[s].Name)).Append("</title></polyline>");
            else
            {
                var bw = plotW / n / (c.Series.Count + 1);
                for (var i = 0; i < values.Count; i++)
                    sb.Append(inv, $"<rect x=\"{F(Xc(i) - plotW / n / 2 + bw * (s + 0.5))}\" y=\"{F(Y(values[i]))}\" ")
                      .Append(inv, $"width=\"{F(bw)}\" height=\"{F(PlotTop + plotH - Y(values[i]))}\" ")
                      .Append("fill=\"").Append(colour).Append("\"><title>").Append(X(c.Labels[i])).Append(": ")
                      .Append(X(l.Num(values[i], "#,0.##"))).Append("</title></rect>");
            }
        }
        sb.Append(inv, $"<line x1=\"{F(plotLeft)}\" x2=\"{F(width - PlotRight)}\" y1=\"{F(PlotTop + plotH)}\" ")
          .Append(inv, $"y2=\"{F(PlotTop + plotH)}\" stroke=\"#888\"/>");
        if (c.XAxis is not null)
            sb.Append(inv, $"<text x=\"{F(plotLeft + plotW / 2)}\" y=\"{F(PlotTop + plotH + 30)}\" ")
              .Append("text-anchor=\"middle\" fill=\"#444\">").Append(X(c.XAxis)).Append("</text>");
        if (c.YAxis is not null)
            sb.Append(inv, $"<text transform=\"translate(12 {F(PlotTop + plotH / 2)}) rotate(-90)\" ")
              .Append("text-anchor=\"middle\" fill=\"#444\">").Append(X(c.YAxis)).Append("</text>");
        if (c.Series.Count > 1)
            for (var s = 0; s < c.Series.Count; s++)
            {
                var x = plotLeft + s % 4 * (plotW / 4);
                var y = PlotTop + plotH + 44 + s / 4 * 16;
                sb.Append(inv, $"<rect x=\"{F(x)}\" y=\"{F(y - 9)}\" width=\"12\" height=\"10\" fill=\"")
                  .Append(ChartTheme.Hex(s)).Append("\"/>")
                  .Append(inv, $"<text x=\"{F(x + 16)}\" y=\"{F(y)}\">").Append(X(c.Series[s].Name)).Append("</text>");
            }
        return sb.Append("</svg>").ToString();
    }

    // Text from captures reaches SVG only escaped, and cleaned of control and bidi characters.
    private static string X(string s) => SecurityElement.Escape(TextSafety.Clean(s, 200));
}
