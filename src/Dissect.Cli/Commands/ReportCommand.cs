using System.CommandLine;
using System.Text;
using Dissect.Analysis;
using Dissect.Reporting;
using Dissect.Tshark;

namespace Dissect.Cli.Commands;

public static class ReportCommand
{
    public static (Option<string> Format, Option<string> Lang, Option<bool> NoNotes) OutputOptions()
    {
        var format = new Option<string>("--format")
        {
            Description = "Comma-separated: " + string.Join(", ", ReportWriter.Formats),
            DefaultValueFactory = _ => "pdf,json",
        };
        // Offered by shell completion; the value is checked by TryReadOutputOptions.
        format.CompletionSources.Add([.. ReportWriter.Formats, "pdf,json", "pdf,json,md,html"]);
        return (format, LangOption(), new Option<bool>("--no-notes") { Description = "Leave the teaching notes out" });
    }

    public static Option<string> LangOption()
    {
        var lang = new Option<string>("--lang")
        {
            Description = "Language of the report: " + string.Join(" or ", TeachingNotes.Languages),
            DefaultValueFactory = _ => "en",
        };
        lang.CompletionSources.Add([.. TeachingNotes.Languages]);
        lang.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } v && !TeachingNotes.Languages.Contains(v))
                r.AddError($"--lang takes {string.Join(" or ", TeachingNotes.Languages)}");
        });
        return lang;
    }

    public static bool TryReadOutputOptions(ParseResult pr, Option<string> format, Option<string> lang,
        Option<bool> noNotes, ConsoleIo io, out List<string> formats, out ReportOptions options)
    {
        formats = pr.GetValue(format)!.Split(',',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(f =>
                f.ToLowerInvariant()).Distinct().ToList();
        options = new ReportOptions(pr.GetValue(lang)!, !pr.GetValue(noNotes));
        if (formats.Count == 0 || formats.Any(f => !ReportWriter.Formats.Contains(f)))
        {
            io.Fail($"--format takes a list of {string.Join(", ", ReportWriter.Formats)}", ExitCodes.Usage);
            return false;
        }
        if (!TeachingNotes.Languages.Contains(options.Language))
        {
            io.Fail($"--lang takes {string.Join(" or ", TeachingNotes.Languages)}", ExitCodes.Usage);
            return false;
        }
        return true;
    }

    public static Command Create(ConsoleIo io)
    {
        var captures = new Argument<string[]>("captures")
        {
            Description = "One or more capture files (any format tshark reads); - reads one from standard input",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out", "-o")
        {
            Description = "Output folder",
            DefaultValueFactory = _ => "reports"
        };
        var (format, lang, noNotes) = OutputOptions();
        var tshark = DoctorCommand.TsharkOption();
        var max = AnalyzeCommand.MaxPacketsOption();
        var timeout = AnalyzeCommand.TimeoutOption();
        var filter = AnalyzeCommand.DisplayFilterOption();
        var stats = new Option<bool>("--stats")
        {
            Description = "After the reports are written, print time, packets per second and Dissect's own peak memory",
        };
        var cmd = new Command("report", "Write a course-style report (PDF, JSON, Markdown, HTML) for each capture")
        {
            captures, output, format, lang, noNotes, tshark, max, timeout, filter, stats,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            if (!TryReadOutputOptions(pr, format, lang, noNotes, io, out var formats, out var ro))
                return ExitCodes.Usage;
            AnalyzeOptions options;
            try
            {
                options = Runtime.Prepare(pr.GetValue(tshark), pr.GetValue(max),
                    TimeSpan.FromSeconds(pr.GetValue(timeout)), pr.GetValue(filter));
            }
            catch (TsharkNotFoundException e)
            {
                return io.Fail($"{e.Message}; {e.Hint}", ExitCodes.ToolMissing);
            }
            catch (DisplayFilterException e)
            {
                return io.Fail($"{e.Message}; {e.Hint}", ExitCodes.Usage);
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
            // Two captures that would write the same reports are a usage error before any work.
            try
            {
                OutputNames.CheckUnique(pr.GetValue(captures)!.Select(c => (c, StemOf(c))));
            }
            catch (OutputNameCollisionException e)
            {
                return io.Fail(e.Message, ExitCodes.Usage);
            }
            var failed = 0;
            long packets = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var all = pr.GetValue(captures)!;
            foreach (var capture in all)
            {
                try
                {
                    ReportModel model;
                    using (var live = new LiveProgress(io, capture))
                        model = await CaptureAnalyzer.AnalyzeAsync(
                            capture == "-" ? await StandardInput.SpoolAsync(ct) : capture, options, null, ct,
                                live.Progress);
                    packets += model.Capture.Packets;
                    foreach (var path in ReportWriter.Write(model, Path.Combine(outDir, StemOf(capture)), formats, ro))
                        io.Out.WriteLine($"wrote {path}");
                    if (model.Capture.Warning is { } w)
                        io.Err.WriteLine($"dissect: warning: {Terminal.Safe(capture)}: {w}");
                }
                catch (OperationCanceledException)
                {
                    io.Err.WriteLine("dissect: cancelled; reports already written are kept");
                    return ExitCodes.Cancelled;
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
                catch (Exception e)
                {
                    // The other captures still get their reports; this one is reported as a bug.
                    failed++;
                    io.Err.WriteLine($"dissect: error: {Terminal.Safe(capture)}: internal error ({e.GetType().Name}: " +
                        $"{e.Message}); please report it");
                }
            }
            if (pr.GetValue(stats))
                io.Out.WriteLine(AnalyzeCommand.StatsLine(clock.Elapsed, packets));
            return failed == 0 ? ExitCodes.Ok : failed == all.Length ? ExitCodes.Failure : ExitCodes.PartialFailure;
        });
        return cmd;
    }

    /// <summary>A report's file stem from its capture's name (see <see cref="OutputNames"/>).</summary>
    public static string StemOf(string capture) =>
        OutputNames.Safe(OutputNames.StripCaptureExtension(Path.GetFileName(capture == "-" ? "stdin" : capture)));
}
