using Dissect.Analysis;
using Dissect.IO;
using Dissect.Reporting.Pdf;

namespace Dissect.Reporting;

/// <summary>What a renderer gets: the model, the blocks (built once, on first use, for every format that lays them
/// out), the options.</summary>
public sealed record RenderInput(ReportModel Model, Lazy<List<Block>> LazyBlocks, ReportOptions Options)
{
    public IReadOnlyList<Block> Blocks => LazyBlocks.Value;

    public string Title => ReportDocument.Title(Model, Options.Language);
}

/// <summary>One output format: its file extension and how it writes a report there (atomically).</summary>
public sealed record ReportRenderer(string Format, Action<RenderInput, string> Write);

/// <summary>Writes one model in the chosen formats next to each other (stem.pdf, stem.json, …), each
/// atomically.</summary>
public static class ReportWriter
{
    /// <summary>The formats, in the order help and completion list them; a new format is one entry here.</summary>
    public static readonly IReadOnlyList<ReportRenderer> Renderers =
    [
        new("pdf", (r, path) => PdfReport.Write(r.Blocks, r.Title, r.Model.Capture.FileName,
            r.Model.Capture.FirstPacket, path, r.Options.Language)),
        new("json", (r, path) => AtomicFile.Write(path, tmp => ReportJson.WriteFile(tmp, r.Model))),
        new("md", (r, path) => AtomicFile.WriteAllText(path, MarkdownReport.Render(r.Blocks, r.Options.Language))),
        new("html", (r, path) => AtomicFile.WriteAllText(path, HtmlReport.Render(r.Blocks, r.Title,
            r.Options.Language))),
    ];

    public static readonly string[] Formats = [.. Renderers.Select(r => r.Format)];

    public static IReadOnlyList<string> Write(ReportModel model, string stem, IEnumerable<string> formats,
        ReportOptions options)
    {
        var requested = formats.ToList();
        var renderers = requested.Select(f => Renderers.FirstOrDefault(r => r.Format == f)
            ?? throw new ArgumentException($"unknown format '{f}'", nameof(formats))).ToList();
        var blocks = new Lazy<List<Block>>(() => ReportDocument.Build(model, options));
        // The PDF goes last whatever the order asked: its engine's fonts and caches stay loaded once used, and the
        // JSON writer's transient buffers on top of them made a 300k-name report's peak 20 MB higher (199 → 180).
        foreach (var renderer in renderers.OrderBy(r => r.Format == "pdf"))
            renderer.Write(new RenderInput(model, blocks, options), $"{stem}.{renderer.Format}");
        return [.. requested.Select(f => $"{stem}.{f}")];
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
               ".charts{display:flex;gap:16px}.charts figure{flex:1;min-width:0}" +
               "</style></head><body>\n" +
               body + "</body></html>\n";
    }
}
