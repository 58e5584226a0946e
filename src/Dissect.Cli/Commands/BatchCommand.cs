using System.CommandLine;
using Dissect.Analysis;
using Dissect.IO;
using Dissect.Reporting;
using Dissect.Jobs.Batch;
using Dissect.Reporting.Pdf;
using Dissect.Tshark;
using Spectre.Console;

namespace Dissect.Cli.Commands;

public static class BatchCommand
{
    public static Command Create(ConsoleIo io)
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Description =
            "Folders (searched recursively), globs or capture files",
            Arity = ArgumentArity.ZeroOrMore
        };
        var output = new Option<string>("--out", "-o")
        {
            Description =
            "Output folder; the input tree is mirrored under it",
            Required = true
        };
        var jobs = new Option<int>("--jobs", "-j")
        {
            Description = "Captures processed in parallel",
            DefaultValueFactory = _ => Environment.ProcessorCount
        };
        jobs.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--jobs takes 1 or more"); });
        var force = new Option<bool>("--force") { Description = "Redo captures whose outputs are current" };
        var shard = new Option<string?>("--shard")
        {
            Description =
            "Process only part i of n of the sorted inputs, e.g. 2/8 (for Slurm/Kubernetes job arrays)"
        };
        var skipHidden = new Option<bool>("--skip-hidden")
        {
            Description = "Leave out files and folders whose names start with '.' (they are counted in a warning)",
        };
        var merge = new Option<bool>("--merge")
        {
            Description =
            "Only build the index from the reports already under --out (after the shards finished)"
        };
        var (format, lang, noNotes) = ReportCommand.OutputOptions();
        var tshark = DoctorCommand.TsharkOption();
        var max = AnalyzeCommand.MaxPacketsOption();
        var timeout = AnalyzeCommand.TimeoutOption();
        var filter = AnalyzeCommand.DisplayFilterOption();
        var cmd = new Command("batch",
            "Report on every capture of folders in parallel, skip what is current, and write an index that compares " +
                "them")
            { inputs, output, jobs, force, shard, merge, skipHidden, format, lang, noNotes, tshark, max, timeout,
                filter };
        cmd.Validators.Add(r =>
        {
            var given = r.GetValue(inputs) ?? [];
            if (r.GetValue(merge) && given.Length > 0)
                r.AddError("--merge builds the index from the reports already under --out; it takes no inputs");
            else if (!r.GetValue(merge) && given.Length == 0)
                r.AddError("give folders, globs or captures to report on (or --merge to index finished shards)");
        });
        cmd.SetAction(async (pr, ct) =>
        {
            if (!ReportCommand.TryReadOutputOptions(pr, format, lang, noNotes, io, out var formats, out var ro))
                return ExitCodes.Usage;
            var outDir = pr.GetValue(output)!;
            try
            {
                Directory.CreateDirectory(outDir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return io.Fail($"cannot create the output folder {outDir}: {e.Message}");
            }
            if (pr.GetValue(merge))
                return WriteIndex(io, outDir, [], ro) ? ExitCodes.Ok : ExitCodes.Failure;

            var problems = new List<string>();
            var walker = new InputWalker(pr.GetValue(skipHidden));
            List<BatchInput> list;
            try
            {
                list = BatchRunner.Expand(pr.GetValue(inputs) ?? [], problems, walker);
            }
            catch (OutputNameCollisionException e)
            {
                return io.Fail(e.Message, ExitCodes.Usage);
            }
            foreach (var p in problems.Concat(walker.Warnings))
                io.Err.WriteLine($"dissect: warning: {Terminal.Safe(p)}");
            if (walker.HiddenSkipped > 0)
                io.Err.WriteLine($"dissect: warning: {walker.HiddenSkipped} hidden files and folders (names starting "
                    + "with '.') were left out, as --skip-hidden asks");
            if (pr.GetValue(shard) is { } s)
            {
                var parts = s.Split('/');
                if (parts.Length != 2 || !int.TryParse(parts[0], out var i) || !int.TryParse(parts[1], out var n)
                    || n < 1 || i < 1 || i > n)
                    return io.Fail("--shard takes i/n with 1 <= i <= n, for example 3/8", ExitCodes.Usage);
                list = BatchRunner.Shard(list, i, n);
            }
            if (list.Count == 0)
                return io.Fail("no capture files found (looked for " + string.Join(", ",
                    CaptureFiles.Extensions) + ")", problems.Count > 0 ? ExitCodes.Usage : ExitCodes.Failure);
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
            var bo = new BatchOptions(formats, ro, pr.GetValue(jobs), pr.GetValue(force), outDir);
            List<BatchResult> results;
            try
            {
                results = await RunWithProgress(io, list, bo, options, ct);
            }
            catch (OperationCanceledException)
            {
                io.Err.WriteLine("dissect: cancelled; finished reports are kept, unfinished ones were not written");
                return ExitCodes.Cancelled;
            }
            Summary(io, results);
            var failed = results.Where(r => r.Status == BatchStatus.Failed).Select(r => (r.Relative,
                r.Error!)).ToList();
            if (pr.GetValue(shard) is null)
                WriteIndex(io, outDir, failed, ro);
            return failed.Count == 0 ? ExitCodes.Ok : failed.Count == results.Count ? ExitCodes.Failure
                : ExitCodes.PartialFailure;
        });
        return cmd;
    }

    private static async Task<List<BatchResult>> RunWithProgress(ConsoleIo io, List<BatchInput> list, BatchOptions bo,
        AnalyzeOptions options, CancellationToken ct)
    {
        var interactive = !Console.IsOutputRedirected && io.IsConsole
            && Environment.GetEnvironmentVariable("CI") is null;
        var gate = new object();
        int done = 0, failed = 0, skipped = 0;
        if (!interactive)
        {
            // Plain lines in completion order, numbered under the same lock that prints them; a failure goes to
            // standard error, once.
            return await BatchRunner.RunAsync(list, bo, options, (r, _, total) =>
            {
                lock (gate)
                {
                    done++;
                    var head = $"[{done}/{total}] {r.Status.ToString().ToLowerInvariant(),-7} {r.Relative}";
                    if (r.Status == BatchStatus.Failed)
                        io.Err.WriteLine($"{head}: {r.Error}");
                    else
                        io.Out.WriteLine(head + (r.Status == BatchStatus.Done ? $" ({r.Seconds:0.0} s)" : ""));
                }
            }, ct: ct);
        }
        List<BatchResult> results = [];
        var running = new List<string>();
        string Describe()
        {
            var now = running.Count == 0 ? "" : " · now: " + string.Join(", ",
                running.Take(3).Select(n => Markup.Escape(Terminal.Safe(n, 40))))
                + (running.Count > 3 ? $" +{running.Count - 3}" : "");
            return $"{done}/{list.Count} done, {failed} failed, {skipped} skipped{now}";
        }
        await AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Describe(), maxValue: list.Count);
                results = await BatchRunner.RunAsync(list, bo, options, (r, _, _) =>
                {
                    lock (gate)
                    {
                        done++;
                        if (r.Status == BatchStatus.Failed) failed++;
                        if (r.Status == BatchStatus.Skipped) skipped++;
                        running.Remove(r.Relative);
                        task.Description = Describe();
                        task.Increment(1);
                    }
                }, input =>
                {
                    lock (gate)
                    {
                        running.Add(input.Relative);
                        task.Description = Describe();
                    }
                }, ct);
            });
        return results;
    }

    private static void Summary(ConsoleIo io, List<BatchResult> results)
    {
        var done = results.Count(r => r.Status == BatchStatus.Done);
        var skipped = results.Count(r => r.Status == BatchStatus.Skipped);
        var failed = results.Where(r => r.Status == BatchStatus.Failed).ToList();
        // Off a terminal each failure was printed as it happened; on one, the table below is its only mention.
        if (!Console.IsOutputRedirected && io.IsConsole && Environment.GetEnvironmentVariable("CI") is null
            && failed.Count > 0)
        {
            var t = new Spectre.Console.Table().AddColumns("Failed capture", "Error");
            foreach (var f in failed)
                t.AddRow(Markup.Escape(Terminal.Safe(f.Relative)), Markup.Escape(Terminal.Safe(f.Error!)));
            AnsiConsole.Write(t);
        }
        io.Out.WriteLine($"batch: {results.Count} captures: {done} reported, {skipped} skipped (current), " +
            $"{failed.Count} failed");
    }

    /// <summary>Writes index.pdf, index.md, index.html and index.json from every model under the output
    /// folder.</summary>
    public static bool WriteIndex(ConsoleIo io, string outDir, IReadOnlyList<(string Input, string Error)> failures,
        ReportOptions ro)
    {
        var unusable = new List<(string File, string Error)>();
        var models = BatchRunner.ReadModels(outDir, unusable);
        foreach (var (file, error) in unusable)
            io.Err.WriteLine($"dissect: warning: {Terminal.Safe(file)} left out of the index: {Terminal.Safe(error)}");
        if (models.Count == 0 && failures.Count == 0)
        {
            io.Fail($"no reports found under {outDir} to index");
            return false;
        }
        var blocks = ComparisonDocument.Build(models, failures, ro.Language);
        var first = models.Select(m => m.Model.Capture.FirstPacket).Where(t =>
            t is not null).DefaultIfEmpty(null).Min();
        var title = ComparisonDocument.Title(models.Count, ro.Language);
        PdfReport.Write(blocks, title, "index", first, Path.Combine(outDir, "index.pdf"), ro.Language);
        AtomicFile.WriteAllText(Path.Combine(outDir, "index.md"), MarkdownReport.Render(blocks, ro.Language));
        AtomicFile.WriteAllText(Path.Combine(outDir, "index.html"), HtmlReport.Render(blocks, title, ro.Language));
        var index = models.Select(m => new
        {
            report = m.Name,
            capture = m.Model.Capture.FileName,
            sha256 = m.Model.Capture.Sha256,
            packets = m.Model.Capture.Packets,
            bytes = m.Model.Capture.Bytes,
            findings = m.Model.Findings
        })
            .Cast<object>().ToList();
        AtomicFile.WriteAllText(Path.Combine(outDir, "index.json"),
            System.Text.Json.JsonSerializer.Serialize(new
            {
                reports = index,
                failed = failures.Select(f => new { capture = f.Input, error = f.Error })
            },
                    ReportJson.Options) + "\n");
        io.Out.WriteLine($"wrote {Path.Combine(outDir, "index.pdf")}, index.md, index.html and index.json " +
            $"({models.Count} reports)");
        return true;
    }
}
