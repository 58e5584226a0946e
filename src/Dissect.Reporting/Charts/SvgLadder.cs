using System.Globalization;
using System.Security;
using System.Text;

namespace Dissect.Reporting.Charts;

/// <summary>The ladder diagram as inline SVG: the same block and geometry as the PDF's.</summary>
public static class SvgLadder
{
    private const double W = 760, Gutter = 110, RowH = 20, LineH = 12;

    public static string Render(Ladder l)
    {
        var inv = CultureInfo.InvariantCulture;
        string F(double v) => v.ToString("0.#", inv);
        var colW = (W - Gutter) / l.Columns.Count;
        double X(int i) => Gutter + (i + 0.5) * colW;
        var heads = l.Columns.Select(c => new[] { c.Label }.Concat(TextSafety.Clean(c.Detail).Split('\n')).ToList())
            .ToList();
        var headH = heads.Max(h => h.Count) * LineH + 8;
        var h = headH + l.Steps.Count * RowH + 10;
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 {F(W)} {F(h)}\" ")
          .Append(inv, $"width=\"{F(W)}\" height=\"{F(h)}\" font-family=\"sans-serif\" font-size=\"10\">")
          .Append("<title>").Append(Esc(l.Title)).Append("</title>")
          .Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" ")
          .Append("markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"")
          .Append(ChartTheme.Hex(0)).Append("\"/></marker></defs>");
        for (var i = 0; i < heads.Count; i++)
        {
            for (var k = 0; k < heads[i].Count; k++)
                sb.Append(inv, $"<text x=\"{F(X(i))}\" y=\"{F(LineH * (k + 1))}\" text-anchor=\"middle\"")
                  .Append(k == 0 ? " font-weight=\"bold\">" : " fill=\"#444\">").Append(Esc(heads[i][k]))
                  .Append("</text>");
            sb.Append(inv, $"<line x1=\"{F(X(i))}\" x2=\"{F(X(i))}\" y1=\"{F(headH)}\" y2=\"{F(h - 4)}\" ")
              .Append("stroke=\"#999\" stroke-dasharray=\"3 3\"/>");
        }
        for (var k = 0; k < l.Steps.Count; k++)
        {
            var step = l.Steps[k];
            var y = headH + k * RowH + RowH * 0.7;
            var (a, z) = (X(step.From), X(step.To));
            sb.Append(inv, $"<text x=\"4\" y=\"{F(y + 3)}\" fill=\"#666\">").Append(Esc(step.When)).Append("</text>");
            if (step.Band)
                sb.Append(inv, $"<rect x=\"{F(Math.Min(a, z))}\" y=\"{F(y - 5)}\" width=\"{F(Math.Abs(z - a))}\" ")
                  .Append("height=\"10\" fill=\"").Append(ChartTheme.Hex(0)).Append("\" fill-opacity=\"0.25\"/>");
            else
                sb.Append(inv, $"<line x1=\"{F(a)}\" x2=\"{F(z)}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"")
                  .Append(ChartTheme.Hex(0)).Append("\" marker-end=\"url(#arrow)\"/>");
            sb.Append(inv, $"<text x=\"{F((a + z) / 2)}\" y=\"{F(y - 4)}\" text-anchor=\"middle\" ")
              .Append("stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">")
              .Append(Esc(step.Label)).Append("</text>");
        }
        return sb.Append("</svg>").ToString();
    }

    private static string Esc(string s) => SecurityElement.Escape(TextSafety.Clean(s, 200));
}
