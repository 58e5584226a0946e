using System.Text;
using Dissect.Analysis;

namespace Dissect.Reporting;

/// <summary>The report as Markdown, with the same tables as the PDF, for students' own write-ups.</summary>
public static class MarkdownReport
{
    public static string Render(ReportModel m, ReportOptions o) => Render(ReportDocument.Build(m, o), o.Language);

    /// <param name="inlineSvg">Charts as inline SVG (for the HTML page) rather than as SVG images in data URIs (for a
    /// Markdown file that stands alone).</param>
    public static string Render(IReadOnlyList<Block> blocks, string language = "en", bool inlineSvg = false)
    {
        var l = Localization.Localizer.For(language);
        var sb = new StringBuilder();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case Heading h:
                    sb.Append(new string('#',
                        h.Level + 1)).Append(' ').Append(TextSafety.Markdown(h.Text)).Append("\n\n");
                    break;
                case Paragraph p:
                    sb.Append(TextSafety.Markdown(p.Text)).Append("\n\n");
                    break;
                case Note { Markdown: { } md }:
                    foreach (var line in md.Split('\n'))
                        sb.Append(line.Length == 0 ? ">" : "> " + line).Append('\n');
                    sb.Append('\n');
                    break;
                case Note n:
                    sb.Append("> ").Append(TextSafety.Markdown(n.Text)).Append("\n\n");
                    break;
                case Table t:
                    sb.Append("| ").Append(string.Join(" | ", t.Headers.Select(TextSafety.Markdown))).Append(" |\n|");
                    for (var i = 0; i < t.Headers.Count; i++)
                        sb.Append(t.NumericColumns.Contains(i) ? "---:|" : "---|");
                    sb.Append('\n');
                    foreach (var row in t.Rows)
                        sb.Append("| ").Append(string.Join(" | ", row.Select(TextSafety.Markdown))).Append(" |\n");
                    sb.Append('\n');
                    break;
                case Timeline tl:
                    sb.Append('*').Append(TextSafety.Markdown(tl.Title)).Append(":* " +
                        "").Append(TextSafety.Markdown(tl.MarkerLabel)).Append("; ")
                      .Append(string.Join("; ", tl.Items.Select(i =>
                          TextSafety.Markdown($"{i.Label} {i.From:yyyy-MM-dd} → {i.To:yyyy-MM-dd}")))).Append("\n\n");
                    break;
                case Ladder ladder:
                    Figure(sb, ladder.Title, Charts.SvgLadder.Render(ladder), inlineSvg);
                    break;
                case Chart c:
                    Figure(sb, c.Title, Charts.SvgChart.Render(c, l), inlineSvg);
                    break;
                case ChartGroup group:
                    // Side by side: a flex row in the HTML page; in Markdown, images on one line, which viewers set
                    // side by side.
                    if (inlineSvg)
                        sb.Append("<div class=\"charts\">");
                    foreach (var c in group.Charts)
                        Figure(sb, c.Title, Charts.SvgChart.Render(c, l, Charts.SvgChart.Width / group.Charts.Count),
                            inlineSvg, separate: false);
                    sb.Append(inlineSvg ? "</div>\n\n" : "\n\n");
                    break;
            }
        }
        return sb.ToString().TrimEnd('\n') + "\n";
    }

    // A figure: inline SVG in the HTML page; in a Markdown file that stands alone, an image with a data URI.
    private static void Figure(StringBuilder sb, string title, string svg, bool inline, bool separate = true)
    {
        if (inline)
            sb.Append("<figure><figcaption>").Append(System.Security.SecurityElement.Escape(TextSafety.Clean(title)))
              .Append("</figcaption>").Append(svg).Append("</figure>");
        else
            sb.Append("![").Append(TextSafety.Markdown(title)).Append("](data:image/svg+xml;base64,")
              .Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(svg))).Append(')');
        if (separate)
            sb.Append("\n\n");
    }
}
