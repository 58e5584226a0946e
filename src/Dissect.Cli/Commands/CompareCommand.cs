using System.CommandLine;
using Dissect.Analysis;
using Dissect.IO;
using Dissect.Reporting;
using Dissect.Reporting.Pdf;
using Dissect.Tshark;

namespace Dissect.Cli.Commands;

public static class CompareCommand
{
    public static Command Create(ConsoleIo io)
    {
        var inputs = new Argument<string[]>("captures")
        {
            Description =
            "Two or more captures, or report models (.json) written by Dissect",
            Arity = ArgumentArity.OneOrMore
        };
        var output = new Option<string>("--out", "-o")
        {
            Description = "Output file stem; writes STEM.pdf, STEM.md and STEM.html",
            DefaultValueFactory = _ => Path.Combine("reports", "comparison")
        };
        var tshark = DoctorCommand.TsharkOption();
        var max = AnalyzeCommand.MaxPacketsOption();
        var timeout = AnalyzeCommand.TimeoutOption();
        var filter = AnalyzeCommand.DisplayFilterOption();
        var lang = ReportCommand.LangOption();
        var cmd = new Command("compare", "Compare captures side by side (PDF, Markdown and HTML)") { inputs, output,
            lang, tshark, max, timeout, filter };
        cmd.Validators.Add(r =>
        {
            if ((r.GetValue(inputs) ?? []).Length is 1)
                r.AddError("compare needs two or more captures or models, side by side");
        });
        cmd.SetAction(async (pr, ct) =>
        {
            var items = new List<(string, ReportModel)>();
            var failures = new List<(string, string)>();
            AnalyzeOptions? options = null;
            var given = pr.GetValue(inputs)!;
            var labels = OutputNames.ShortestUniqueSuffixes(given);
            foreach (var (input, label) in given.Zip(labels))
            {
                try
                {
                    if (input.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                    {
                        items.Add((label, ReportJson.Read(input)));
                        continue;
                    }
                    options ??= Runtime.Prepare(pr.GetValue(tshark), pr.GetValue(max),
                        TimeSpan.FromSeconds(pr.GetValue(timeout)), pr.GetValue(filter));
                    items.Add((label, await CaptureAnalyzer.AnalyzeAsync(input, options, ct)));
                }
                catch (TsharkNotFoundException e)
                {
                    return io.Fail($"{e.Message}; {e.Hint}", ExitCodes.ToolMissing);
                }
                catch (DisplayFilterException e)
                {
                    return io.Fail($"{e.Message}; {e.Hint}", ExitCodes.Usage);
                }
                catch (Exception e) when (e is DissectException or IOException or UnauthorizedAccessException
                    or System.Text.Json.JsonException)
                {
                    failures.Add((input, e is DissectException d ? $"{d.Message}; {d.Hint}" : e.Message));
                    io.Err.WriteLine($"dissect: error: {Terminal.Safe(input)}: {Terminal.Safe(failures[^1].Item2)}");
                }
            }
            if (items.Count < 2)
                return io.Fail($"nothing to compare: {items.Count} of the inputs could be read, and a comparison " +
                    $"needs two");
            var stem = pr.GetValue(output)!;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(stem))!);
                var language = pr.GetValue(lang)!;
                var blocks = ComparisonDocument.Build(items, failures, language);
                var title = ComparisonDocument.Title(items.Count, language);
                PdfReport.Write(blocks, title, "comparison", items.Select(i => i.Item2.Capture.FirstPacket).Min(),
                    stem + ".pdf", language);
                AtomicFile.WriteAllText(stem + ".md", MarkdownReport.Render(blocks, language));
                AtomicFile.WriteAllText(stem + ".html", HtmlReport.Render(blocks, title, language));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return io.Fail($"cannot write {stem}.pdf: {e.Message}");
            }
            io.Out.WriteLine($"wrote {stem}.pdf, {stem}.md and {stem}.html");
            return failures.Count == 0 ? ExitCodes.Ok : ExitCodes.PartialFailure;
        });
        return cmd;
    }
}
