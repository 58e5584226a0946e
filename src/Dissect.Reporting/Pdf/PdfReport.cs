using System.Globalization;
using Dissect.Analysis;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Dissect.Reporting.Pdf;

/// <summary>
/// Lays the report blocks out on A4 pages with PDFsharp: wrapped text, tables that break across pages
/// with their header repeated, simple bar and line charts, page numbers and an outline per section.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "Write() owns the instance and disposes the document after saving.")]
public sealed class PdfReport
{
    private const double Margin = 50, PageW = 595.28, PageH = 841.89, Bottom = PageH - 50;
    private static readonly XColor[] Palette =
        [.. Charts.ChartTheme.Palette.Select(c => XColor.FromArgb(c.R, c.G, c.B))];

    private readonly PdfDocument _doc;
    private XGraphics _g = null!;
    private PdfPage _page = null!;
    private double _y;
    private Localization.Localizer _lang = Localization.Localizer.For("en");
    private readonly XFont _body, _bold, _small, _smallBold, _tiny, _tinyBold, _h0, _h1, _h2, _note;

    private PdfReport()
    {
        FontResolver.Install();   // licence and fonts must be set before the first document
        _doc = new PdfDocument();
        const string f = "Dissect";
        _body = new XFont(f, 9.5);
        _bold = new XFont(f, 9.5, XFontStyleEx.Bold);
        _small = new XFont(f, 7.5);
        _smallBold = new XFont(f, 7.5, XFontStyleEx.Bold);
        _tiny = new XFont(f, 6.5);
        _tinyBold = new XFont(f, 6.5, XFontStyleEx.Bold);
        _h0 = new XFont(f, 18, XFontStyleEx.Bold);
        _h1 = new XFont(f, 14, XFontStyleEx.Bold);
        _h2 = new XFont(f, 11, XFontStyleEx.Bold);
        _note = new XFont(f, 8.5, XFontStyleEx.Italic);
    }

    public static void Write(ReportModel m, ReportOptions o, string path) =>
        Write(ReportDocument.Build(m, o), ReportDocument.Title(m, o.Language), m.Capture.FileName,
            m.Capture.FirstPacket, path, o.Language);

    /// <param name="when">Document dates come from the capture, not the clock, so the same input gives the same
    /// document.</param>
    public static void Write(IReadOnlyList<Block> blocks, string title, string footer, DateTimeOffset? when,
        string path, string language = "en")
    {
        var r = new PdfReport { _lang = Localization.Localizer.For(language) };
        r.Render(blocks, footer);
        var date = when?.UtcDateTime ?? new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        r._doc.Info.Title = TextSafety.Clean(title, 200);
        r._doc.Info.Subject = r._lang["subject"];
        r._doc.Info.Creator = "Dissect " + CaptureAnalyzer.DissectVersion;
        r._doc.Info.CreationDate = date;
        r._doc.Info.ModificationDate = date;
        using var buffer = new MemoryStream();
        r._doc.Save(buffer, closeStream: false);
        r._doc.Dispose();
        var bytes = DeterministicPdf.Normalize(buffer.ToArray());
        Dissect.IO.AtomicFile.Write(path, tmp => File.WriteAllBytes(tmp, bytes));
    }

    private void Render(IReadOnlyList<Block> blocks, string footer)
    {
        NewPage();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case Heading h: Heading(h); break;
                case Paragraph p: Text(p.Text, _body, XBrushes.Black, 0); break;
                case Note n: NoteBox(n.Text); break;
                case Table t: Table(t); break;
                case Chart c: Chart(c); break;
                case ChartGroup cg: ChartRow(cg); break;
                case Timeline tl: Timeline(tl); break;
                case Ladder l: Ladder(l); break;
            }
        }
        _g.Dispose();
        var total = _doc.PageCount;
        for (var i = 0; i < total; i++)
        {
            using var g = XGraphics.FromPdfPage(_doc.Pages[i], XGraphicsPdfPageOptions.Append);
            var label = _lang.T("page-footer", ("file", TextSafety.Clean(footer, 80)), ("page", (long)(i + 1)),
                ("pages", (long)total));
            g.DrawString(label, _small, XBrushes.Gray, new XRect(Margin, PageH - 35, PageW - 2 * Margin, 12),
                XStringFormats.Center);
        }
    }

    private void NewPage()
    {
        _g?.Dispose();
        _page = _doc.AddPage();
        _page.Width = XUnit.FromPoint(PageW);
        _page.Height = XUnit.FromPoint(PageH);
        _g = XGraphics.FromPdfPage(_page);
        _y = Margin;
    }

    private void Need(double h)
    {
        if (_y + h > Bottom)
            NewPage();
    }

    private void Heading(Heading h)
    {
        var font = h.Level switch { 0 => _h0, 1 => _h1, _ => _h2 };
        // A section starts a new page only when little of this one is left: small captures fill their pages.
        if (h.Level == 1 && _y > Bottom - 220)
            NewPage();
        Need(font.Size * 3);
        _y += h.Level == 0 ? 0 : 8;
        if (h.Level <= 1)
            _doc.Outlines.Add(TextSafety.Clean(h.Text, 120), _page, true);
        foreach (var line in Wrap(TextSafety.Clean(h.Text), font, PageW - 2 * Margin))
        {
            _g.DrawString(line, font, XBrushes.Black, new XPoint(Margin, _y + font.Size));
            _y += font.Size * 1.3;
        }
        _y += 4;
    }

    private void Text(string text, XFont font, XBrush brush, double indent)
    {
        foreach (var line in Wrap(TextSafety.Clean(text, 4000), font, PageW - 2 * Margin - indent))
        {
            Need(font.Size * 1.35);
            _g.DrawString(line, font, brush, new XPoint(Margin + indent, _y + font.Size));
            _y += font.Size * 1.35;
        }
        _y += 3;
    }

    private void NoteBox(string text)
    {
        var lines = Wrap(TextSafety.Clean(text, 4000), _note, PageW - 2 * Margin - 16);
        var h = lines.Count * _note.Size * 1.35 + 8;
        Need(h);
        _g.DrawRectangle(new XSolidBrush(XColor.FromArgb(240, 244, 250)), Margin, _y, PageW - 2 * Margin, h);
        _g.DrawRectangle(new XSolidBrush(XColor.FromArgb(31, 119, 180)), Margin, _y, 3, h);
        var y = _y + 4;
        foreach (var l in lines)
        {
            _g.DrawString(l, _note, XBrushes.DimGray, new XPoint(Margin + 10, y + _note.Size));
            y += _note.Size * 1.35;
        }
        _y += h + 6;
    }

    private void Table(Table t)
    {
        var total = PageW - 2 * Margin;
        const double pad = 3;
        // The cell font shrinks a step before any identifier would have to break.
        var (cell, cellBold) = (_small, _smallBold);
        var (widths, fits) = ColumnWidths(t, total, pad, cell, cellBold);
        if (!fits)
        {
            (cell, cellBold) = (_tiny, _tinyBold);
            widths = ColumnWidths(t, total, pad, cell, cellBold).Widths;
        }
        List<string>[] WrapRow(IReadOnlyList<string> cells, XFont font) =>
            [.. cells.Select((c, i) => Wrap(TextSafety.Clean(c, 4000), font, widths[i] - 2 * pad))];
        var header = WrapRow(t.Headers, cellBold);
        var tableWidth = widths.Sum();
        double Height(List<string>[] r) => r.Max(c => Math.Max(1, c.Count)) * cell.Size * 1.3 + 2 * pad;
        void DrawRow(List<string>[] r, XFont font, XBrush? fill)
        {
            var h = Height(r);
            var x = Margin;
            if (fill is not null)
                _g.DrawRectangle(fill, Margin, _y, tableWidth, h);
            for (var i = 0; i < r.Length; i++)
            {
                var y = _y + pad;
                foreach (var line in r[i])
                {
                    var right = t.NumericColumns.Contains(i) && fill is null;
                    var w = _g.MeasureString(line, font).Width;
                    _g.DrawString(line, font, XBrushes.Black, new XPoint(right ? x + widths[i] - pad - w : x + pad,
                        y + font.Size));
                    y += font.Size * 1.3;
                }
                x += widths[i];
            }
            _g.DrawLine(new XPen(XColors.LightGray, 0.5), Margin, _y + h, Margin + tableWidth, _y + h);
            _y += h;
        }
        var headerFill = new XSolidBrush(XColor.FromArgb(225, 232, 242));
        var rows = t.Rows.Select(row => WrapRow(row, cell)).ToList();
        // The header never stays alone at the foot of a page: it goes with the first row (or two, when short).
        Need(Height(header) + rows.Take(2).Sum(Height) + 4);
        DrawRow(header, cellBold, headerFill);
        foreach (var r in rows)
        {
            if (_y + Height(r) > Bottom)
            {
                NewPage();
                DrawRow(header, cellBold, headerFill);   // the header repeats on every page of the table
            }
            DrawRow(r, cell, null);
        }
        _y += 8;
    }

    /// <summary>Bar (column) and line charts drawn by PdfSharp.Charting inside the flow of the page.</summary>
    private void Chart(Chart c)
    {
        const double h = 170;
        var legendRows = LegendRows(c);
        Need(h + 30 + legendRows * 10);
        DrawChart(c, Margin, PageW - 2 * Margin, h);
        _y += 14 + h + legendRows * 10 + 10;
    }

    private static int LegendRows(Chart c) => c.Series.Count > 1 ? 1 + (c.Series.Count - 1) / 4 : 0;

    /// <summary>Small charts side by side, kept on one page.</summary>
    private void ChartRow(ChartGroup group)
    {
        const double most = 105, least = 72, gap = 18;
        var legendRows = group.Charts.Max(LegendRows);
        // They belong with what is above them (the cover): a little lower rather than alone on the next page.
        var room = Bottom - _y - 36 - legendRows * 10;
        if (room < least)
            NewPage();
        var h = room < least ? most : Math.Min(most, room);
        _y += 6;
        var width = (PageW - 2 * Margin - gap * (group.Charts.Count - 1)) / group.Charts.Count;
        for (var i = 0; i < group.Charts.Count; i++)
            DrawChart(group.Charts[i], Margin + i * (width + gap), width, h);
        _y += 14 + h + legendRows * 10 + 10;
    }

    /// <summary>A chart's title and frame at the current line; the caller moves down past them.</summary>
    private void DrawChart(Chart c, double left, double width, double h)
    {
        var legendRows = LegendRows(c);
        _g.DrawString(TextSafety.Clean(c.Title), _smallBold, XBrushes.Black, new XPoint(left, _y + 8));
        if (c.Labels.Count == 0)
            return;
        // A line needs two points: one bin is drawn as a column.
        var lines = c.Lines && c.Labels.Count > 1;
        var chart =
            new PdfSharp.Charting.Chart(lines ? PdfSharp.Charting.ChartType.Line
                : PdfSharp.Charting.ChartType.Column2D);
        chart.Font.Name = "Dissect";
        chart.Font.Size = XUnit.FromPoint(6.5);
        for (var k = 0; k < c.Series.Count; k++)
        {
            var series = chart.SeriesCollection.AddSeries();
            series.Name = TextSafety.Clean(c.Series[k].Name, 30);
            series.Add([.. c.Series[k].Values]);
            series.FillFormat.Color = Palette[k % Palette.Length];
            if (lines)
            {
                series.MarkerStyle = PdfSharp.Charting.MarkerStyle.None;
                series.LineFormat.Width = XUnit.FromPoint(1.1);
                series.LineFormat.Color = Palette[k % Palette.Length];
            }
        }
        // Label every bin for a few, about ten evenly spaced labels for long series.
        var step = Math.Max(1, (int)Math.Ceiling(c.Labels.Count / 10.0));
        var x = chart.XValues.AddXSeries();
        for (var i = 0; i < c.Labels.Count; i++)
        {
            var label = TextSafety.Clean(c.Labels[i], 16);
            x.Add(i % step == 0 ? (c.Lines && c.XAxis is null ? label + " s" : label) : "");
        }
        chart.XAxis.MajorTickMark = PdfSharp.Charting.TickMarkType.Outside;
        chart.YAxis.MajorTickMark = PdfSharp.Charting.TickMarkType.Outside;
        chart.YAxis.HasMajorGridlines = true;
        chart.YAxis.MajorGridlines.LineFormat.Color = XColors.LightGray;
        chart.YAxis.MinimumScale = 0;
        var scale = AxisScale.For(c.Series.SelectMany(x => x.Values), h < 120 ? 3 : AxisScale.MaxTicks);
        chart.YAxis.MaximumScale = scale.Maximum;
        chart.YAxis.MajorTick = scale.Step;
        chart.YAxis.TickLabels.Format = "#,##0";
        if (c.XAxis is not null)
        {
            chart.XAxis.Title.Caption = TextSafety.Clean(c.XAxis, 200);
            chart.XAxis.Title.Font.Size = XUnit.FromPoint(6.5);
        }
        if (c.YAxis is not null)
        {
            chart.YAxis.Title.Caption = TextSafety.Clean(c.YAxis, 200);
            chart.YAxis.Title.Font.Size = XUnit.FromPoint(6.5);
            chart.YAxis.Title.Orientation = 90;
            chart.YAxis.Title.VerticalAlignment = PdfSharp.Charting.VerticalAlignment.Center;
        }
        chart.PlotArea.LineFormat.Visible = false;
        if (c.Series.Count > 1)
        {
            chart.Legend.Docking = PdfSharp.Charting.DockingType.Bottom;
            chart.Legend.LineFormat.Visible = false;
            chart.Legend.Font.Size = XUnit.FromPoint(6.5);
        }
        var frame = new PdfSharp.Charting.ChartFrame(new XRect(left, _y + 14, width, h + legendRows * 10));
        frame.Add(chart);
        // PdfSharp.Charting formats its tick labels with the thread's culture: the report's own number format
        // for the time of the drawing gives French ticks their no-break-space groups ("12 000", not "12,000").
        var culture = CultureInfo.CurrentCulture;
        var local = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        local.NumberFormat = _lang.Numbers;
        CultureInfo.CurrentCulture = local;
        try
        {
            frame.Draw(_g);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>
    /// A ladder diagram: the times and frames in a gutter on the left, a lifeline per column, an arrow per message
    /// and a band per media flow. The column headers repeat on each page the diagram runs over.
    /// </summary>
    private void Ladder(Ladder l)
    {
        const double gutter = 74, rowH = 15;
        var x0 = Margin + gutter;
        var colW = (PageW - 2 * Margin - gutter) / l.Columns.Count;
        double X(int i) => x0 + (i + 0.5) * colW;
        var heads = l.Columns.Select(c => Wrap(TextSafety.Clean(c.Label), _tinyBold, colW - 4)
            .Concat(Wrap(TextSafety.Clean(c.Detail), _tiny, colW - 4)).ToList()).ToList();
        var headH = heads.Max(h => h.Count) * 8 + 6;
        var grey = new XPen(XColors.Gray, 0.5) { DashStyle = XDashStyle.Dash };
        var top = 0.0;
        void Lifelines()
        {
            for (var i = 0; i < l.Columns.Count; i++)
                _g.DrawLine(grey, X(i), top, X(i), _y);
        }
        void Header()
        {
            for (var i = 0; i < heads.Count; i++)
                for (var k = 0; k < heads[i].Count; k++)
                {
                    var font = k < Wrap(TextSafety.Clean(l.Columns[i].Label), _tinyBold, colW - 4).Count ? _tinyBold
                        : _tiny;
                    var w = _g.MeasureString(heads[i][k], font).Width;
                    _g.DrawString(heads[i][k], font, XBrushes.Black, new XPoint(X(i) - w / 2, _y + 7 + k * 8));
                }
            _y += headH;
            top = _y;
        }
        Need(14 + headH + 3 * rowH);
        _g.DrawString(TextSafety.Clean(l.Title), _smallBold, XBrushes.Black, new XPoint(Margin, _y + 8));
        _y += 14;
        Header();
        var band = new XSolidBrush(XColor.FromArgb(60, Palette[0]));
        foreach (var step in l.Steps)
        {
            if (_y + rowH > Bottom)
            {
                Lifelines();
                NewPage();
                Header();
            }
            var y = _y + rowH * 0.65;
            var (a, z) = (X(step.From), X(step.To));
            var label = TextSafety.Clean(step.Label);
            var lw = _g.MeasureString(label, _tiny).Width;
            // Labels sit on a white ground so that lifelines do not cross them.
            if (step.Band)
            {
                _g.DrawRectangle(band, Math.Min(a, z), y - 4, Math.Abs(z - a), 8);
                _g.DrawRectangle(XBrushes.White, (a + z) / 2 - lw / 2 - 1, y - 11, lw + 2, 7);
                _g.DrawString(label, _tiny, XBrushes.Black, new XPoint((a + z) / 2 - lw / 2, y - 5));
            }
            else
            {
                var pen = new XPen(Palette[0], 0.8);
                _g.DrawLine(pen, a, y, z, y);
                var dir = Math.Sign(z - a);
                _g.DrawPolygon(new XSolidBrush(Palette[0]), [new XPoint(z, y), new XPoint(z - dir * 5, y - 2.5),
                    new XPoint(z - dir * 5, y + 2.5)], XFillMode.Winding);
                _g.DrawRectangle(XBrushes.White, (a + z) / 2 - lw / 2 - 1, y - 8, lw + 2, 6.5);
                _g.DrawString(label, _tiny, XBrushes.Black, new XPoint((a + z) / 2 - lw / 2, y - 2));
            }
            _g.DrawString(TextSafety.Clean(step.When), _tiny, XBrushes.DimGray, new XPoint(Margin, y + 2));
            _y += rowH;
        }
        Lifelines();
        _y += 10;
    }

    /// <summary>One bar per interval on a shared date axis, and a red line at the marked instant.</summary>
    private void Timeline(Timeline t)
    {
        if (t.Items.Count == 0)
            return;
        const double row = 11;
        var labelW = 150.0;
        var h = t.Items.Count * row + 30;
        Need(h + 20);
        _g.DrawString(TextSafety.Clean(t.Title), _smallBold, XBrushes.Black, new XPoint(Margin, _y + 8));
        var top = _y + 16;
        var x0 = Margin + labelW;
        var w = PageW - Margin - x0;
        var min = t.Items.Min(i => i.From) < t.Marker ? t.Items.Min(i => i.From) : t.Marker;
        var max = t.Items.Max(i => i.To) > t.Marker ? t.Items.Max(i => i.To) : t.Marker;
        var span = Math.Max(1, (max - min).TotalDays);
        double X(DateTimeOffset d) => x0 + (d - min).TotalDays / span * w;
        for (var i = 0; i < t.Items.Count; i++)
        {
            var (label, from, to) = t.Items[i];
            var y = top + i * row;
            _g.DrawString(TextSafety.Clean(label, 34), _small, XBrushes.Black, new XPoint(Margin, y + 7.5));
            var valid = from <= t.Marker && t.Marker <= to;
            _g.DrawRectangle(new XSolidBrush(valid ? Palette[2] : Palette[3]), X(from), y + 1.5, Math.Max(1,
                X(to) - X(from)), row - 4);
        }
        var axisY = top + t.Items.Count * row + 2;
        _g.DrawLine(new XPen(XColors.Gray, 0.5), x0, axisY, x0 + w, axisY);
        _g.DrawString(min.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), _small, XBrushes.Gray, new XPoint(x0,
            axisY + 9));
        var maxLabel = max.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _g.DrawString(maxLabel, _small, XBrushes.Gray, new XPoint(x0 + w - _g.MeasureString(maxLabel, _small).Width,
            axisY + 9));
        var mx = X(t.Marker);
        _g.DrawLine(new XPen(XColors.Red, 1), mx, top - 2, mx, axisY);
        _g.DrawString(TextSafety.Clean(t.MarkerLabel), _small, XBrushes.Red, new XPoint(Math.Min(mx + 2, x0 + w - 70),
            axisY + 18));
        _y = axisY + 26;
    }

    // Where a long identifier may break: after its own separators, so "a-b.example.net" wraps as "a-b." / "example.net"
    // and never inside a label.
    private static bool IsSeparator(char c) => c is '.' or '-' or '_' or ':' or ',' or '/' or '→' or ';' or '=';

    /// <summary>
    /// Word wrap measured with the real font. A word longer than a line breaks after its last separator that fits;
    /// only a word without any separator is cut by characters.
    /// </summary>
    private List<string> Wrap(string text, XFont font, double width)
    {
        var lines = new List<string>();
        foreach (var para in text.Split('\n'))
        {
            var line = "";
            foreach (var word in para.Split(' '))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (_g.MeasureString(candidate, font).Width <= width)
                {
                    line = candidate;
                    continue;
                }
                if (line.Length > 0)
                    lines.Add(line);
                line = word;
                while (line.Length > 1 && _g.MeasureString(line, font).Width > width)
                {
                    var cut = line.Length - 1;
                    while (cut > 1 && _g.MeasureString(line[..cut], font).Width > width) cut--;
                    var sep = cut;
                    while (sep > 1 && !IsSeparator(line[sep - 1])) sep--;
                    if (sep > 1)
                        cut = sep;
                    lines.Add(line[..cut]);
                    line = line[cut..];
                }
            }
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>
    /// Column widths from the content, as browsers lay out tables: each column gets at least its widest word (so
    /// identifiers stay whole), and the room left goes to the columns whose text would otherwise wrap most. The widths
    /// a table asks for only apply when even the widest words do not fit.
    /// </summary>
    private (double[] Widths, bool Fits) ColumnWidths(Table t, double total, double pad, XFont font, XFont bold)
    {
        var n = t.Headers.Count;
        var min = new double[n];
        var pref = new double[n];
        double Measure(string s, XFont f) => _g.MeasureString(s, f).Width + 2 * pad + 1;
        void Take(int i, string cell, XFont f)
        {
            foreach (var line in TextSafety.Clean(cell, 4000).Split('\n'))
            {
                pref[i] = Math.Max(pref[i], Math.Min(Measure(line, f), total));
                foreach (var word in line.Split(' '))
                    min[i] = Math.Max(min[i], Math.Min(Measure(word, f), total * 0.45));
            }
        }
        for (var i = 0; i < n; i++)
            Take(i, t.Headers[i], bold);
        foreach (var row in t.Rows)
            for (var i = 0; i < n && i < row.Count; i++)
                Take(i, row[i], font);
        var sumPref = pref.Sum();
        var sumMin = min.Sum();
        // A table of short cells stays about as wide as its content, not stretched across the page.
        if (sumPref <= total)
            return ([.. pref.Select(p => p + Math.Min(24, (total - sumPref) / n))], true);
        if (sumMin <= total)
        {
            var slack = pref.Zip(min, (p, m) => p - m).ToArray();
            var sumSlack = slack.Sum();
            return ([.. min.Select((m, i) => m + (total - sumMin) * (sumSlack <= 0 ? 1.0 / n
                : slack[i] / sumSlack))], true);
        }
        // Even the widest words do not fit: the narrow columns keep theirs and only the widest columns share what is
        // left, all cut to one width (found by bisection), so only their longest identifiers break, at separators.
        double lo = 0, hi = min.Max();
        for (var k = 0; k < 40; k++)
        {
            var c = (lo + hi) / 2;
            if (min.Sum(m => Math.Min(m, c)) > total) hi = c; else lo = c;
        }
        return ([.. min.Select(m => Math.Min(m, lo))], false);
    }
}
