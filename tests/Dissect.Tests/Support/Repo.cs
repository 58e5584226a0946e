using System.Diagnostics;
using Xunit;

namespace Dissect.Tests.Support;

/// <summary>Paths of the repository and of the shared capture corpus beside it.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Dissector => Path.Combine(Root, "dissectors", "ms_turn.lua");

    public static string Corpus => Path.GetFullPath(Path.Combine(Root, "..", "shared", "captures"));

    public static bool CorpusAvailable => Directory.Exists(Corpus);

    public static string CorpusFile(string relative) => Path.Combine(Corpus, relative);

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Dissect.sln")))
            dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("Dissect.sln not found above the test binaries");
    }

    public static string TempDir(string prefix)
    {
        // Private (0700) and unpredictable, like the folders Dissect itself makes.
        return Directory.CreateTempSubdirectory($"dissect-test-{prefix}-").FullName;
    }
}

/// <summary>A test over the real captures in ../shared/captures; skipped with a reason when they are absent.</summary>
public sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute()
    {
        if (!Repo.CorpusAvailable)
            Skip = $"capture corpus not found at {Repo.Corpus} (clone the project beside ../shared to run this test)";
    }
}

public sealed class CorpusTheoryAttribute : TheoryAttribute
{
    public CorpusTheoryAttribute()
    {
        if (!Repo.CorpusAvailable)
            Skip = $"capture corpus not found at {Repo.Corpus} (clone the project beside ../shared to run this test)";
    }
}

/// <summary>Runs a program with an argument list and captures its output, for the tests that check real tools'
/// output.</summary>
public static class Proc
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public bool LuaLoadError => Stderr.Split('\n').Any(l => l.StartsWith("tshark: Lua", StringComparison.Ordinal)
            || l.Contains("Lua: Error", StringComparison.Ordinal));

        /// <summary>Rows of -T fields output, split on tabs.</summary>
        public IReadOnlyList<string[]> Rows => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l =>
            l.Split('\t')).ToList();
    }

    public static Result Run(string exe, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null,
        TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
            if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            p.Kill(true);
            throw new TimeoutException(exe + " " + string.Join(' ', args));
        }
        return new Result(p.ExitCode, so.Result, se.Result);
    }
}

/// <summary>Runs the real tshark (never a stand-in) in a private HOME, for dissector tests; the host's unless
/// told.</summary>
public static class TsharkCli
{
    public static Proc.Result Run(params string[] args) => Wireshark.Get(Wireshark.Host).Tshark(args);

    /// <summary>The heuristics Dissect enables for its own pass, as tshark options: a reading to compare with must
    /// find the same RTP and STUN.</summary>
    public static string[] DissectHeuristics =>
        [.. Dissect.Analysis.CaptureAnalyzer.Heuristics.SelectMany(h => new[] { "--enable-heuristic", h })];

    /// <summary>tshark with the committed dissector, exporting fields (all occurrences joined by ',').</summary>
    public static Proc.Result Fields(string capture, string? filter, params string[] fields) =>
        Fields(Wireshark.Get(Wireshark.Host), capture, filter, fields);

    /// <summary>
    /// tshark without the dissector (Wireshark's own reading, for independent checks), with any extra options,
    /// exporting fields (all occurrences joined by ',').
    /// </summary>
    public static Proc.Result BareFields(string capture, string filter, string[] fields, params string[] options) =>
        BareFields(Wireshark.Get(Wireshark.Host), capture, filter, fields, options);

    public static Proc.Result BareFields(Wireshark ws, string capture, string filter, string[] fields,
        params string[] options)
    {
        var args = new List<string>(options)
        {
            "-r", capture, "-Y", filter, "-T", "fields",
            "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=\t",
        };
        foreach (var f in fields)
            args.AddRange(["-e", f]);
        return ws.Tshark(args);
    }

    public static Proc.Result Fields(Wireshark ws, string capture, string? filter, params string[] fields)
    {
        var args = new List<string> { "-X", "lua_script:" + Repo.Dissector, "-r", capture, "-T", "fields",
            "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=\t" };
        if (filter is not null)
            args.AddRange(["-Y", filter]);
        foreach (var f in fields)
            args.AddRange(["-e", f]);
        return ws.Tshark(args);
    }
}
