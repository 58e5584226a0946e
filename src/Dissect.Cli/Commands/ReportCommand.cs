using System.CommandLine;
using System.Text;
using Dissect.Analysis;
using Dissect.IO;
using Dissect.Reporting;
using Dissect.Reporting.Pdf;
using Dissect.Tshark;

namespace Dissect.Cli.Commands;

public static class ReportCommand
{
    public static readonly string[] Formats = ["pdf", "json", "md"];

    public static Command Create(ConsoleIo io)
    {
        var captures = new Argument<string[]>("captures") { Description = "One or more .pcap/.pcapng files", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "Output folder", DefaultValueFactory = _ => "reports" };
        var format = new Option<string>("--format") { Description = "Comma-separated: pdf, json, md", DefaultValueFactory = _ => "pdf,json" };
        var lang = new Option<string>("--lang") { Description = "Language of the teaching notes: en or fr", DefaultValueFactory = _ => "en" };
        var noNotes = new Option<bool>("--no-notes") { Description = "Leave the teaching notes out" };
        var tshark = DoctorCommand.TsharkOption();
        var max = AnalyzeCommand.MaxPacketsOption();
        var timeout = AnalyzeCommand.TimeoutOption();
        var cmd = new Command("report", "Write a course-style report (PDF, JSON, Markdown) for each capture") { captures, output, format, lang, noNotes, tshark, max, timeout };
        cmd.SetAction(async (pr, ct) =>
        {
            var formats = pr.GetValue(format)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(f => f.ToLowerInvariant()).ToList();
            if (formats.Count == 0 || formats.Any(f => !Formats.Contains(f)))
                return io.Fail($"--format takes a list of {string.Join(", ", Formats)}", ExitCodes.Usage);
            var language = pr.GetValue(lang)!;
            if (!TeachingNotes.Languages.Contains(language))
                return io.Fail($"--lang takes {string.Join(" or ", TeachingNotes.Languages)}", ExitCodes.Usage);
            AnalyzeOptions options;
            try
            {
                options = Runtime.Prepare(pr.GetValue(tshark), pr.GetValue(max), TimeSpan.FromSeconds(pr.GetValue(timeout)));
            }
            catch (TsharkNotFoundException e)
            {
                return io.Fail($"{e.Message}; {e.Hint}", ExitCodes.ToolMissing);
            }
            var outDir = pr.GetValue(output)!;
            try
            {
                Directory.CreateDirectory(outDir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return io.Fail($"cannot create the output folder {outDir}: {e.Message}");
            }
            var ro = new ReportOptions(language, !pr.GetValue(noNotes));
            var failed = 0;
            var used = new HashSet<string>();
            foreach (var capture in pr.GetValue(captures)!)
            {
                try
                {
                    var model = await CaptureAnalyzer.AnalyzeAsync(capture, options, ct);
                    var stem = Path.Combine(outDir, UniqueStem(capture, used));
                    foreach (var f in formats)
                    {
                        var path = $"{stem}.{f}";
                        switch (f)
                        {
                            case "pdf": PdfReport.Write(model, ro, path); break;
                            case "json": AtomicFile.WriteAllText(path, ReportJson.Serialize(model)); break;
                            case "md": AtomicFile.WriteAllText(path, MarkdownReport.Render(model, ro)); break;
                        }
                        io.Out.WriteLine($"wrote {path}");
                    }
                }
                catch (DissectException e)
                {
                    failed++;
                    io.Err.WriteLine($"dissect: error: {Terminal.Safe(capture)}: {e.Message}; {e.Hint}");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    failed++;
                    io.Err.WriteLine($"dissect: error: {Terminal.Safe(capture)}: {e.Message}");
                }
            }
            return failed == 0 ? ExitCodes.Ok : failed == pr.GetValue(captures)!.Length ? ExitCodes.Failure : ExitCodes.PartialFailure;
        });
        return cmd;
    }

    /// <summary>An output file stem from a capture name: only [A-Za-z0-9._-], bounded length, unique in one run.</summary>
    public static string UniqueStem(string capture, HashSet<string> used)
    {
        var name = Path.GetFileNameWithoutExtension(capture);
        var sb = new StringBuilder();
        foreach (var ch in name.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_') sb.Append(ch);
            else if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(ch) != System.Globalization.UnicodeCategory.NonSpacingMark) sb.Append('_');
        }
        var stem = sb.ToString().Trim('.', '_');
        if (stem.Length == 0) stem = "capture";
        if (stem.Length > 100) stem = stem[..100];
        var unique = stem;
        for (var i = 2; !used.Add(unique); i++)
            unique = $"{stem}-{i}";
        return unique;
    }
}
