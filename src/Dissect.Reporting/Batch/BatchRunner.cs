using System.Text;
using System.Text.Json;
using Dissect.Analysis;
using Dissect.IO;

namespace Dissect.Reporting.Batch;

public sealed record BatchInput(string Path, string Relative);

public sealed record BatchOptions(IReadOnlyList<string> Formats, ReportOptions Report, int Jobs, bool Force, string OutDir);

public enum BatchStatus { Done, Skipped, Failed }

public sealed record BatchResult(string Input, string Relative, BatchStatus Status, IReadOnlyList<string> Outputs, string? Error, double Seconds, string? ModelPath);

/// <summary>
/// Runs many captures: deterministic input order and sharding, parallel jobs, outputs mirrored under
/// the output folder, a stamp per capture so a re-run skips what is current, and one failure never stops the rest.
/// </summary>
public static class BatchRunner
{
    public static readonly string[] CaptureExtensions = [".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz"];

    /// <summary>Expands folders (recursively), globs (* and ?, ** for any depth) and files; sorted, without duplicates.</summary>
    public static List<BatchInput> Expand(IEnumerable<string> args, List<string> problems)
    {
        var found = new SortedDictionary<string, BatchInput>(StringComparer.Ordinal);
        foreach (var a in args)
        {
            if (Directory.Exists(a))
            {
                var root = Path.GetFullPath(a);
                foreach (var f in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).Where(IsCaptureName))
                    found.TryAdd(f, new BatchInput(f, Path.GetRelativePath(root, f)));
            }
            else if (a.Contains('*', StringComparison.Ordinal) || a.Contains('?', StringComparison.Ordinal))
            {
                var firstWild = a.IndexOfAny(['*', '?']);
                var dirPart = Path.GetDirectoryName(a[..firstWild].TrimEnd() + "x") ?? ".";
                if (dirPart.Length == 0) dirPart = ".";
                var root = Path.GetFullPath(dirPart);
                var pattern = a[(dirPart == "." && !a.StartsWith("./", StringComparison.Ordinal) ? 0 : dirPart.Length + 1)..];
                var recursive = pattern.Contains("**", StringComparison.Ordinal);
                var filePattern = Path.GetFileName(pattern).Replace("**", "*", StringComparison.Ordinal);
                if (!Directory.Exists(root)) { problems.Add($"{a}: folder {dirPart} does not exist"); continue; }
                var matches = Directory.EnumerateFiles(root, filePattern, new EnumerationOptions { RecurseSubdirectories = recursive, IgnoreInaccessible = true }).ToList();
                if (matches.Count == 0) problems.Add($"{a}: no file matches");
                foreach (var f in matches)
                    found.TryAdd(f, new BatchInput(f, Path.GetRelativePath(root, f)));
            }
            else if (File.Exists(a))
            {
                var f = Path.GetFullPath(a);
                found.TryAdd(f, new BatchInput(f, Path.GetFileName(f)));
            }
            else
            {
                problems.Add($"{a}: no such file or folder");
            }
        }
        return [.. found.Values];
    }

    private static bool IsCaptureName(string f) => CaptureExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>The i-th of n shards (1-based): every n-th input of the sorted list, so shards are disjoint and cover all.</summary>
    public static List<BatchInput> Shard(List<BatchInput> inputs, int index, int count) =>
        [.. inputs.Where((_, i) => i % count == index - 1)];

    /// <summary>An output path relative to the output folder that mirrors the input's, with safe names only.</summary>
    public static string OutputStem(string relative)
    {
        var parts = relative.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var safe = parts.Select((p, i) => SafeName(i == parts.Length - 1 ? StripExtension(p) : p)).ToArray();
        return Path.Combine(safe);
    }

    private static string StripExtension(string name)
    {
        foreach (var e in CaptureExtensions.OrderByDescending(e => e.Length))
            if (name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
                return name[..^e.Length];
        return Path.GetFileNameWithoutExtension(name);
    }

    public static string SafeName(string name)
    {
        var sb = new StringBuilder();
        foreach (var ch in name)
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_' ? ch : '_');
        var s = sb.ToString().Trim('.', '_');
        if (s.Length == 0) s = "capture";
        return s.Length > 100 ? s[..100] : s;
    }

    public static string StampKey(string sha256, BatchOptions o) =>
        $"{sha256} dissect={CaptureAnalyzer.DissectVersion} formats={string.Join(',', o.Formats)} lang={o.Report.Language} notes={o.Report.Notes}";

    public static async Task<List<BatchResult>> RunAsync(IReadOnlyList<BatchInput> inputs, BatchOptions o, AnalyzeOptions analyze,
        Action<BatchResult, int, int>? progress = null, CancellationToken ct = default)
    {
        var results = new BatchResult[inputs.Count];
        var done = 0;
        var usedStems = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var stems = inputs.Select(i =>
        {
            var stem = OutputStem(i.Relative);
            var unique = stem;
            for (var k = 2; !usedStems.Add(unique); k++) unique = $"{stem}-{k}";
            return unique;
        }).ToArray();
        // Largest captures first, so the last job to finish is a short one; results keep the input order.
        var order = Enumerable.Range(0, inputs.Count).OrderByDescending(i => SizeOf(inputs[i].Path)).ThenBy(i => i).ToList();
        await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Jobs), CancellationToken = ct }, async (i, token) =>
        {
            var input = inputs[i];
            var started = DateTime.UtcNow;
            var stem = Path.Combine(o.OutDir, stems[i]);
            var outputs = o.Formats.Select(f => $"{stem}.{f}").ToList();
            var modelPath = stem + ".json";
            BatchResult r;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(stem)!);
                var stampPath = stem + ".stamp";
                var sha = await CaptureAnalyzer.Sha256Async(input.Path, token);
                var key = StampKey(sha, o);
                if (!o.Force && File.Exists(stampPath) && await File.ReadAllTextAsync(stampPath, token) == key && outputs.All(File.Exists))
                {
                    r = new BatchResult(input.Path, input.Relative, BatchStatus.Skipped, outputs, null, 0, File.Exists(modelPath) ? modelPath : null);
                }
                else
                {
                    var model = await CaptureAnalyzer.AnalyzeAsync(input.Path, analyze, sha, token);
                    var formats = o.Formats.Contains("json") ? o.Formats : [.. o.Formats, "json"];   // the index reads the models
                    ReportWriter.Write(model, stem, formats, o.Report);
                    AtomicFile.WriteAllText(stampPath, key);
                    r = new BatchResult(input.Path, input.Relative, BatchStatus.Done, outputs, null, (DateTime.UtcNow - started).TotalSeconds, modelPath);
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
                    _ => $"internal error ({e.GetType().Name}: {e.Message}); please report it with the capture if you can share it",
                };
                r = new BatchResult(input.Path, input.Relative, BatchStatus.Failed, [], msg, (DateTime.UtcNow - started).TotalSeconds, null);
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
    public static List<(string Name, ReportModel Model)> ReadModels(string outDir)
    {
        var list = new List<(string, ReportModel)>();
        foreach (var f in Directory.EnumerateFiles(outDir, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(f) == "index.json") continue;
            try
            {
                if (ReportJson.Deserialize(File.ReadAllText(f)) is { SchemaVersion: ReportModel.CurrentSchemaVersion } m)
                    list.Add((Path.GetRelativePath(outDir, f)[..^5], m));
            }
            catch (JsonException)
            {
                // Not a Dissect model (some other JSON in the folder): not part of the index.
            }
        }
        return list;
    }
}
