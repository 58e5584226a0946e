using Dissect.Analysis;
using Dissect.IO;
using Dissect.Reporting.Pdf;

namespace Dissect.Reporting;

/// <summary>Writes one model in the chosen formats next to each other (stem.pdf, stem.json, …), each
/// atomically.</summary>
public static class ReportWriter
{
    public static readonly string[] Formats = ["pdf", "json", "md", "html"];

    public static IReadOnlyList<string> Write(ReportModel model, string stem, IEnumerable<string> formats,
        ReportOptions options)
    {
        var written = new List<string>();
        // The layout-neutral blocks are computed once and laid out by every renderer.
        var blocks = new Lazy<List<Block>>(() => ReportDocument.Build(model, options));
        foreach (var f in formats)
        {
            var path = $"{stem}.{f}";
            switch (f)
            {
                case "pdf":
                    PdfReport.Write(blocks.Value, "Capture analysis: " + model.Capture.FileName,
                    model.Capture.FileName, model.Capture.FirstPacket, path); break;
                case "json": AtomicFile.Write(path, tmp => ReportJson.WriteFile(tmp, model)); break;
                case "md": AtomicFile.WriteAllText(path, MarkdownReport.Render(blocks.Value)); break;
                case "html":
                    AtomicFile.WriteAllText(path, HtmlReport.Render(blocks.Value, model.Capture.FileName,
                    options.Language)); break;
                default: throw new ArgumentException($"unknown format '{f}'", nameof(formats));
            }
            written.Add(path);
        }
        return written;
    }
}

/// <summary>HTML through Markdig from the Markdown report. Capture text reaches it with &lt; and &amp; already escaped
/// (TextSafety.Markdown), so the only raw HTML is the report's own line breaks.</summary>
public static class HtmlReport
{
    public static string Render(ReportModel m, ReportOptions o) => Render(ReportDocument.Build(m, o),
        m.Capture.FileName, o.Language);

    public static string Render(IReadOnlyList<Block> blocks, string fileName, string language)
    {
        var pipeline = Markdig.MarkdownExtensions.UsePipeTables(new Markdig.MarkdownPipelineBuilder()).Build();
        var body = Markdig.Markdown.ToHtml(MarkdownReport.Render(blocks), pipeline);
        return "<!DOCTYPE html>\n<html lang=\"" + (language == "fr" ? "fr"
            : "en") + "\"><head><meta charset=\"utf-8\"><title>" +
               System.Net.WebUtility.HtmlEncode("Capture analysis: " + TextSafety.Clean(fileName, 200)) +
               "</title><style>body{font-family:sans-serif;max-width:72em;margin:auto;font-size:14px}" +
               "table{border-collapse:collapse;margin:8px 0}" +
               "td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}" +
               "blockquote{color:#555;border-left:3px solid #1f77b4;margin-left:0;padding-left:10px}" +
               "</style></head><body>\n" +
               body + "</body></html>\n";
    }
}
