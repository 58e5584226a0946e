using System.Text;
using System.Text.Json;
using Dissect.Analysis;
using Dissect.IO;
using Dissect.Reporting;

namespace Dissect.Jobs.Batch;

public sealed record BatchInput(string Path, string Relative)
{
    /// <summary>The output path without extension, relative to the output folder; set by <see
    /// cref="BatchRunner.Expand"/>.</summary>
    public string? Stem { get; init; }
}

public sealed record BatchOptions(IReadOnlyList<string> Formats, ReportOptions Report, int Jobs, bool Force,
    string OutDir);

public enum BatchStatus { Done, Skipped, Failed }

public sealed record BatchResult(string Input, string Relative, BatchStatus Status, IReadOnlyList<string> Outputs,
    string? Error, double Seconds, string? ModelPath);

/// <summary>
/// Runs many captures: deterministic input order and sharding, parallel jobs, outputs mirrored under
/// the output folder, a stamp per capture so a re-run skips what is current, and one failure never stops the rest.
/// </summary>
public static class BatchRunner
{
    /// <summary>
    /// Expands folders (recursively), globs (* and ? within a path part, ** for any depth) and files; sorted, without
    /// duplicates, each with its output stem assigned from the whole list (so shards of it never collide).
    /// </summary>
    public static List<BatchInput> Expand(IEnumerable<string> args, List<string> problems, InputWalker? walker = null)
    {
        walker ??= new InputWalker(skipHidden: false);
        var found = new SortedDictionary<string, BatchInput>(StringComparer.Ordinal);
        var realFiles = new HashSet<string>(StringComparer.Ordinal);
        void Add(string path, string relative)
        {
            // A capture reached twice (through a link, or by two arguments) is reported once.
            if (realFiles.Add(RealPath.Of(path)))
                found.TryAdd(Path.GetFullPath(path), new BatchInput(Path.GetFullPath(path), relative));
        }
        foreach (var a in args)
        {
            if (Directory.Exists(a))
            {
                foreach (var (f, rel) in walker.Files(a).Where(x => IsCaptureName(x.Path)))
                    Add(f, rel);
            }
            else if (a.Contains('*', StringComparison.Ordinal) || a.Contains('?', StringComparison.Ordinal))
            {
                var (root, match) = InputWalker.Glob(a);
                if (!Directory.Exists(root)) { problems.Add($"{a}: folder {root} does not exist"); continue; }
                var matches = walker.Files(root).Where(x => match.IsMatch(x.Relative)).ToList();
                if (matches.Count == 0) problems.Add($"{a}: no file matches");
                foreach (var (f, rel) in matches)
                    Add(f, rel);
            }
            else if (File.Exists(a))
            {
                Add(a, Path.GetFileName(a));
            }
            else
            {
                problems.Add($"{a}: no such file or folder");
            }
        }
        return AssignStems([.. found.Values]);
    }

    /// <summary>
    /// Output stems from the whole sorted list, before any sharding, so shards never collide: two inputs mapping to one
    /// stem (even by case alone) are an <see cref="OutputNameCollisionException"/>. The root's "index" is the batch
    /// index's own name: a capture named so gets "index-2".
    /// </summary>
    public static List<BatchInput> AssignStems(List<BatchInput> inputs)
    {
        var stems = inputs.Select(i => OutputStem(i.Relative) is var s && s.Equals("index",
            StringComparison.OrdinalIgnoreCase)
            ? s + "-2" : s).ToList();
        OutputNames.CheckUnique(inputs.Select((x, k) => (x.Relative, stems[k])));
        return [.. inputs.Select((x, k) => x with { Stem = stems[k] })];
    }

    private static bool IsCaptureName(string f) => CaptureFiles.Extensions.Any(e => f.EndsWith(e,
        StringComparison.OrdinalIgnoreCase));

    /// <summary>The i-th of n shards (1-based): every n-th input of the sorted list, so shards are disjoint and cover
    /// all.</summary>
    public static List<BatchInput> Shard(List<BatchInput> inputs, int index, int count) =>
        [.. inputs.Where((_, i) => i % count == index - 1)];

    /// <summary>An output path relative to the output folder that mirrors the input's (names mapped by <see
    /// cref="OutputNames"/>).</summary>
    public static string OutputStem(string relative)
    {
        var parts = relative.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var safe = parts.Select((p, i) =>
            OutputNames.Safe(i == parts.Length - 1 ? OutputNames.StripCaptureExtension(p) : p)).ToArray();
        return Path.Combine(safe);
    }

    public static string StampKey(string sha256, BatchOptions o) =>
        $"{sha256} dissect={CaptureAnalyzer.DissectVersion} formats={string.Join(',', o.Formats)} " +
            $"lang={o.Report.Language} notes={o.Report.Notes}";

    public static async Task<List<BatchResult>> RunAsync(IReadOnlyList<BatchInput> inputs, BatchOptions o,
        AnalyzeOptions analyze,
        Action<BatchResult, int, int>? progress = null, Action<BatchInput>? started = null,
            CancellationToken ct = default)
    {
        var results = new BatchResult[inputs.Count];
        var done = 0;
        // Inputs that did not come through Expand get their stems here.
        var stems = (inputs.All(i => i.Stem is not null) ? inputs : AssignStems([.. inputs])).Select(i =>
            i.Stem!).ToArray();
        // Largest captures first, so the last job to finish is a short one; results keep the input order.
        var order = Enumerable.Range(0, inputs.Count).OrderByDescending(i => SizeOf(inputs[i].Path)).ThenBy(i =>
            i).ToList();
        await Parallel.ForEachAsync(order, new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, o.Jobs),
            CancellationToken = ct
        }, async (i, token) =>
        {
            var input = inputs[i];
            started?.Invoke(input);
            var startedAt = DateTime.UtcNow;
            var stem = Path.Combine(o.OutDir, stems[i]);
            var outputs = o.Formats.Select(f => $"{stem}.{f}").ToList();
            var modelPath = stem + ".json";
            BatchResult r;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(stem)!);
                var stampPath = stem + ".stamp";
                var sha = await CaptureAnalyzer.Sha256Async(input.Path, token);
                var key = StampKey(sha, o) + (analyze.DisplayFilter is { } f ? " filter=" + f : "");
                if (!o.Force && File.Exists(stampPath) && await File.ReadAllTextAsync(stampPath, token) == key
                    && outputs.All(File.Exists))
                {
                    r = new BatchResult(input.Path, input.Relative, BatchStatus.Skipped, outputs, null, 0,
                        File.Exists(modelPath) ? modelPath : null);
                }
                else
                {
                    var model = await CaptureAnalyzer.AnalyzeAsync(input.Path, analyze, sha, token);
                    var formats = o.Formats.Contains("json") ? o.Formats : [.. o.Formats,
                        "json"];   // the index reads the models
                    ReportWriter.Write(model, stem, formats, o.Report);
                    AtomicFile.WriteAllText(stampPath, key);
                    r = new BatchResult(input.Path, input.Relative, BatchStatus.Done, outputs, null,
                        (DateTime.UtcNow - startedAt).TotalSeconds, modelPath);
                }
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception e)
            {
                // One capture must never stop the batch: anything else is recorded against this capture.
                var msg = e switch
                {
                    DissectException de => $"{de.Message}; {de.Hint}",
                    IOException or UnauthorizedAccessException => e.Message,
                    _ => $"internal error ({e.GetType().Name}: {e.Message}); please report it with the capture if " +
                        $"you can share it",
                };
                r = new BatchResult(input.Path, input.Relative, BatchStatus.Failed, [], msg,
                    (DateTime.UtcNow - startedAt).TotalSeconds, null);
            }
            results[i] = r;
            progress?.Invoke(r, Interlocked.Increment(ref done), inputs.Count);
        });
        return [.. results];
    }

    private static long SizeOf(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Reads the models a batch (or several shards of it) wrote under <paramref name="outDir"/>.</summary>
    /// <param name="problems">Model files that could not be used, each with its one-line reason.</param>
    public static List<(string Name, ReportModel Model)> ReadModels(string outDir, List<(string File,
        string Error)>? problems = null)
    {
        var list = new List<(string, ReportModel)>();
        var root = Path.GetFullPath(outDir);
        foreach (var f in Directory.EnumerateFiles(outDir, "*.json",
            SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            // Only the batch's own index at the root is not a model; a capture's "index" report is index-2.json.
            if (Path.GetFullPath(f) == Path.Combine(root, "index.json")) continue;
            try
            {
                list.Add((Path.GetRelativePath(outDir, f)[..^5], ReportJson.Read(f)));
            }
            catch (ModelFileException e)
            {
                problems?.Add((Path.GetRelativePath(outDir, f), e.Message));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems?.Add((Path.GetRelativePath(outDir, f), e.Message));
            }
        }
        return list;
    }
}
