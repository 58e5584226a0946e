using Dissect.IO;
using System.CommandLine;
using Dissect.Analysis;
using Dissect.Codegen.Lua;
using Dissect.Reporting.Localization;
using Dissect.Tshark;

namespace Dissect.Cli.Commands;

public static class AnalyzeCommand
{
    public static Option<int?> MaxPacketsOption()
    {
        var o = new Option<int?>("--max-packets") { Description = "Read at most this many packets of each capture" };
        o.Validators.Add(r =>
            { if (r.GetValueOrDefault<int?>() is <= 0) r.AddError("--max-packets takes a count of 1 or more"); });
        return o;
    }

    public static Option<string?> DisplayFilterOption() => new("--display-filter", "-Y")
    {
        Description = "Report only on the packets this Wireshark display filter matches (the report says so)",
        HelpName = "FILTER",
    };

    public static Option<int> TimeoutOption()
    {
        var o = new Option<int>("--timeout")
        {
            Description = "Time-out per capture, in seconds",
            DefaultValueFactory = _ => 1800
        };
        o.Validators.Add(r =>
            { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--timeout takes a number of seconds of 1 or more"); });
        return o;
    }

    /// <summary>
    /// The analysis pass as a command for the user's own shell. Dissect runs tshark in a private HOME; a shell does
    /// not,
    /// so when the user's personal plugin folder already holds the dissector, '-X lua_script' would load it twice.
    /// </summary>
    public static string PasteableCommand(string capture, AnalyzeOptions options, ConsoleIo io)
    {
        var cmd = CaptureAnalyzer.Command(capture, options);
        var personal = options.LuaScript is null ? Runtime.InstalledCopy.None
            : Runtime.CopyIn(TsharkLocator.Inspect(options.TsharkPath).PersonalLuaPlugins, options.LuaScript);
        if (personal == Runtime.InstalledCopy.Stale)
            io.Err.WriteLine("dissect: note: the dissector in your personal plugin folder is another version; run " +
                "'dissect install'");
        if (personal != Runtime.InstalledCopy.None)
            cmd = cmd with { LuaScript = null };
        return cmd.CommandLine;
    }

    /// <summary>Time, rate and Dissect's own peak memory (the .NET process; tshark's is not included).</summary>
    public static string StatsLine(TimeSpan elapsed, long packets)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var seconds = Math.Max(0.001, elapsed.TotalSeconds);
        return System.FormattableString.Invariant(
            $"stats: seconds={elapsed.TotalSeconds:0.000} packets={packets} packets_per_s={packets / seconds:0} ")
            + System.FormattableString.Invariant($"dissect_peak_mb={self.PeakWorkingSet64 / 1048576.0:0.0} ")
            + System.FormattableString.Invariant($"managed_heap_mb={GC.GetTotalMemory(false) / 1048576.0:0.0} ")
            + System.FormattableString.Invariant(
                $"gc_committed_mb={GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:0.0} ")
            + System.FormattableString.Invariant(
                $"gc_count={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
    }

    /// <summary>Dissect's own work by stage (EK parsing, each analyzer, building the model), its whole CPU time, and
    /// the part of it the runtime spent compiling methods (what ahead-of-time compilation could not cover: generic
    /// code of the framework over its own value types); the rest of the wall time is waiting for tshark and
    /// writing.</summary>
    public static string ProfileLine(IReadOnlyList<(string Stage, double Seconds)> stages)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return "profile: " + string.Join(' ', stages.Select(x =>
            System.FormattableString.Invariant($"{x.Stage}_s={x.Seconds:0.000}"))) +
            System.FormattableString.Invariant($" dissect_cpu_s={self.TotalProcessorTime.TotalSeconds:0.000}") +
            System.FormattableString.Invariant(
                $" jit_s={System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:0.000}") +
            System.FormattableString.Invariant($" jit_methods={System.Runtime.JitInfo.GetCompiledMethodCount()}");
    }

    private static string Display(string input) => input == "-" ? "standard input" : input;

    /// <summary>
    /// Several captures: a summary each, or with <paramref name="jsonl"/> one compact JSON line each on standard output
    /// (the model, or {"capture", "error"}), messages on standard error. One failure never stops the others.
    /// </summary>
    private static async Task<int> Many(ConsoleIo io, string[] inputs, AnalyzeOptions options, bool jsonl,
        CancellationToken ct)
    {
        var failed = 0;
        var compact = new System.Text.Json.JsonSerializerOptions(ReportJson.Options) { WriteIndented = false };
        var raw = io.Out is EscapingWriter w ? w.Inner : io.Out;
        foreach (var input in inputs)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                var model =
                    await CaptureAnalyzer.AnalyzeAsync(input == "-" ? await StandardInput.SpoolAsync(ct) : input,
                        options, ct);
                if (jsonl)
                {
                    // JSON escapes every control character itself: the line goes out as it is.
                    raw.WriteLine(System.Text.Json.JsonSerializer.Serialize(model, compact));
                    continue;
                }
                io.Out.WriteLine($"{input}: {model.Capture.Packets} packets, {model.Capture.DurationSeconds:0.###} " +
                    $"s, {model.Capture.Format}");
                foreach (var f in model.Findings)
                    io.Out.WriteLine("  - " + Terminal.Safe(Localizer.For("en").Finding(f)));
            }
            catch (Exception e) when (e is DissectException or IOException or UnauthorizedAccessException)
            {
                failed++;
                var message = e is DissectException d ? $"{d.Message}; {d.Hint}" : e.Message;
                io.Err.WriteLine($"dissect: error: {Display(input)}: {message}");
                if (jsonl)
                    raw.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { capture = input, error = message },
                        compact));
            }
        }
        raw.Flush();
        return failed == 0 ? ExitCodes.Ok : failed == inputs.Length ? ExitCodes.Failure : ExitCodes.PartialFailure;
    }

    /// <summary>The model on standard output, streamed; JSON escapes every control character itself.</summary>
    private static void WriteJson(ConsoleIo io, ReportModel model)
    {
        var inner = io.Out is EscapingWriter w ? w.Inner : io.Out;
        if (io.IsConsole)
        {
            inner.Flush();
            using var stdout = Console.OpenStandardOutput();
            System.Text.Json.JsonSerializer.Serialize(stdout, model, ReportJson.Options);
            stdout.WriteByte((byte)'\n');
        }
        else
            inner.Write(ReportJson.Serialize(model));
    }

    public static Command Create(ConsoleIo io)
    {
        var capture = new Argument<string[]>("captures")
        {
            Description = "Capture files (any format tshark reads), or - for standard input",
            Arity = ArgumentArity.OneOrMore,
        };
        var jsonl = new Option<bool>("--jsonl")
        {
            Description = "Write one line of JSON per capture (its model, or its error) to standard output, for jq",
        };
        var json = new Option<string?>("--json")
        {
            Description =
                "Write the report model as JSON to this file, or to standard output with - (messages then go to " +
                    "standard error)",
            HelpName = "FILE",
        };
        var tshark = DoctorCommand.TsharkOption();
        var max = MaxPacketsOption();
        var timeout = TimeoutOption();
        var filter = DisplayFilterOption();
        var show = new Option<bool>("--show-tshark-command")
        {
            Description =
            "Print the tshark command line the analysis runs, and stop"
        };
        var stats = new Option<bool>("--stats")
        {
            Description =
            "Also print time, packets per second and Dissect's own peak memory (tshark's not included)"
        };
        var cmd = new Command("analyze",
            "Analyze one capture and print a summary (optionally write the model as JSON)") { capture, json, jsonl,
                tshark, max, timeout, filter, show, stats };
        cmd.Validators.Add(r =>
        {
            var many = (r.GetValue(capture) ?? []).Length > 1;
            if (many && r.GetValue(json) is not null)
                r.AddError("--json takes one capture; use --jsonl for one line per capture");
            if (r.GetValue(jsonl) && r.GetValue(json) is not null)
                r.AddError("--json and --jsonl cannot be used together");
            if (many && r.GetValue(show))
                r.AddError("--show-tshark-command takes one capture");
        });
        cmd.SetAction(async (pr, ct) =>
        {
            try
            {
                var options = Runtime.Prepare(pr.GetValue(tshark), pr.GetValue(max),
                    TimeSpan.FromSeconds(pr.GetValue(timeout)), pr.GetValue(filter));
                var inputs = pr.GetValue(capture)!;
                if (pr.GetValue(show))
                {
                    io.Out.WriteLine(PasteableCommand(inputs[0], options, io));
                    return ExitCodes.Ok;
                }
                if (inputs.Length > 1 || pr.GetValue(jsonl))
                    return await Many(io, inputs, options, pr.GetValue(jsonl), ct);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var input = inputs[0];
                ReportModel model;
                IReadOnlyList<(string Stage, double Seconds)> stages;
                using (var live = new LiveProgress(io, Display(input)))
                {
                    live.Progress.Profile = pr.GetValue(stats);
                    model = await CaptureAnalyzer.AnalyzeAsync(input == "-" ? await StandardInput.SpoolAsync(ct)
                        : input,
                        options, null, ct, live.Progress);
                    stages = live.Progress.Stages;
                }
                var toStdout = pr.GetValue(json) == "-";
                // With the model on standard output, everything meant for people goes to standard error.
                var text = toStdout ? io.Err : io.Out;
                text.WriteLine($"{model.Capture.FileName}: {model.Capture.Packets} packets, " +
                    $"{model.Capture.DurationSeconds:0.###} s, {model.Capture.Format}");
                foreach (var f in model.Findings)
                    text.WriteLine("  - " + Terminal.Safe(Localizer.For("en").Finding(f)));
                if (toStdout)
                    WriteJson(io, model);
                else if (pr.GetValue(json) is { } path)
                {
                    AtomicFile.Write(path, tmp => ReportJson.WriteFile(tmp, model));
                    io.Out.WriteLine($"wrote {path}");
                }
                // After the outputs: writing them is part of the cost.
                if (pr.GetValue(stats))
                {
                    text.WriteLine(StatsLine(clock.Elapsed, model.Capture.Packets));
                    text.WriteLine(ProfileLine(stages));
                }
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException)
            {
                io.Err.WriteLine("dissect: cancelled");
                return ExitCodes.Cancelled;
            }
            catch (TsharkNotFoundException e)
            {
                return io.Fail($"{e.Message}; {e.Hint}", ExitCodes.ToolMissing);
            }
            catch (DisplayFilterException e)
            {
                return io.Fail($"{e.Message}; {e.Hint}", ExitCodes.Usage);
            }
            catch (DissectException e)
            {
                return io.Fail($"{Display(pr.GetValue(capture)![0])}: {e.Message}; {e.Hint}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return io.Fail($"{e.Message}; check the path and its permissions");
            }
        });
        return cmd;
    }
}
