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
                    PdfReport.Write(blocks.Value, ReportDocument.Title(model, options.Language),
                    model.Capture.FileName, model.Capture.FirstPacket, path, options.Language); break;
                case "json": AtomicFile.Write(path, tmp => ReportJson.WriteFile(tmp, model)); break;
                case "md": AtomicFile.WriteAllText(path, MarkdownReport.Render(blocks.Value, options.Language)); break;
                case "html":
                    AtomicFile.WriteAllText(path, HtmlReport.Render(blocks.Value,
                    ReportDocument.Title(model, options.Language), options.Language)); break;
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
        ReportDocument.Title(m, o.Language), o.Language);

    public static string Render(IReadOnlyList<Block> blocks, string title, string language)
    {
        var pipeline = Markdig.MarkdownExtensions.UsePipeTables(new Markdig.MarkdownPipelineBuilder()).Build();
        var body = Markdig.Markdown.ToHtml(MarkdownReport.Render(blocks, language, inlineSvg: true), pipeline);
        return "<!DOCTYPE html>\n<html lang=\"" + (language == "fr" ? "fr"
            : "en") + "\"><head><meta charset=\"utf-8\"><title>" +
               System.Net.WebUtility.HtmlEncode(TextSafety.Clean(title, 200)) +
               "</title><style>body{font-family:sans-serif;max-width:72em;margin:auto;font-size:14px}" +
               "table{border-collapse:collapse;margin:8px 0}" +
               "td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}" +
               "blockquote{color:#555;border-left:3px solid #0072b2;margin-left:0;padding-left:10px}" +
               "figure{margin:8px 0}figcaption{font-weight:bold;font-size:12px}svg{max-width:100%;height:auto}" +
               "</style></head><body>\n" +
               body + "</body></html>\n";
    }
}
