using System.Buffers.Binary;
using System.Globalization;
using Dissect.Capture.Fixtures;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Cli;

/// <summary>
/// Fuzz-style: real captures mutated the ways files get damaged (bytes flipped by editcap -E, cut at any point, a
/// pcapng block length made absurd). Every one must give a report or one error line, never a crash, within bounded
/// memory. The real dissect binary runs, so the peak memory is its own.
/// </summary>
public class MutatedCaptureTests
{
    private static IEnumerable<string> Originals()
    {
        var demo = Path.Combine(Repo.TempDir("fuzzsrc"), "demo.pcapng");
        var pcap = Path.ChangeExtension(demo, ".pcap");
        DemoCapture.Write(pcap);
        Assert.Equal(0, Proc.Run("editcap", ["-F", "pcapng", pcap, demo]).ExitCode);
        yield return demo;
        if (!Repo.CorpusAvailable)
            yield break;
        // A Teams call (MS-TURN over TCP and UDP) and a WebRTC call, both pcapng.
        foreach (var c in new[] { "Baboushka+LINFO1341-P1/CallAudio/Ethernet/packets/K1AE.pcapng",
            "hugodel07+LINFO1341-DiscordK/trace_9_discord_call_via_website.pcapng" })
            if (File.Exists(Repo.CorpusFile(c)))
                yield return Repo.CorpusFile(c);
    }

    private static IEnumerable<(string Name, string Path)> Mutants(string original, string dir)
    {
        var bytes = File.ReadAllBytes(original);
        var stem = Path.GetFileNameWithoutExtension(original);
        foreach (var seed in new[] { 1, 2 })
        {
            var flipped = Path.Combine(dir, $"{stem}-flip{seed}.pcapng");
            Assert.Equal(0, Proc.Run("editcap", ["-E", "0.05", "--seed", seed.ToString(CultureInfo.InvariantCulture),
                original, flipped]).ExitCode);
            yield return ($"{stem} bytes flipped (seed {seed})", flipped);
        }
        foreach (var fraction in new[] { 0.003, 0.37, 0.91 })
        {
            var cut = Path.Combine(dir, $"{stem}-cut{fraction}.pcapng");
            File.WriteAllBytes(cut, bytes[..Math.Max(1, (int)(bytes.Length * fraction))]);
            yield return ($"{stem} cut at {fraction:P1}", cut);
        }
        foreach (var block in new[] { 2, 40 })
        {
            var copy = (byte[])bytes.Clone();
            var offset = 0;
            for (var i = 1; i < block && offset + 8 <= copy.Length; i++)
                offset += (int)BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(offset + 4));
            if (offset + 8 > copy.Length)
                continue;
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset + 4), 0x7FFFFFF0);
            var bad = Path.Combine(dir, $"{stem}-block{block}.pcapng");
            File.WriteAllBytes(bad, copy);
            yield return ($"{stem} block {block} length broken", bad);
        }
    }

    [Fact]
    public void Every_mutated_capture_gives_a_report_or_one_error_line_in_bounded_memory()
    {
        var dir = Repo.TempDir("fuzz");
        var cases = Originals().SelectMany(o => Mutants(o, dir)).ToList();
        // The demo alone gives 6 (too few blocks for the 40th); a real capture adds at least 7 more.
        Assert.True(cases.Count >= (Repo.CorpusAvailable ? 13 : 6), $"{cases.Count} mutated captures");
        var problems = new List<string>();
        foreach (var (name, path) in cases)
        {
            var json = path + ".json";
            var r = Proc.Run(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!,
                [Path.Combine(AppContext.BaseDirectory, "dissect.dll"), "analyze", path, "--json", json, "--stats"],
                timeout: TimeSpan.FromSeconds(90));
            var errLines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.StartsWith("dissect: warning:", StringComparison.Ordinal)).ToList();
            if (r.ExitCode == 0)
            {
                var peak = double.Parse(System.Text.RegularExpressions.Regex.Match(r.Stdout,
                    @"dissect_peak_mb=([\d.]+)").Groups[1].Value,
                    CultureInfo.InvariantCulture);
                if (!File.Exists(json)) problems.Add($"{name}: exit 0 but no model");
                if (peak > 250) problems.Add($"{name}: {peak} MB");
                if (errLines.Count > 0) problems.Add($"{name}: exit 0 with errors: {r.Stderr}");
            }
            else if (r.ExitCode != 1 || errLines.Count != 1 || !errLines[0].StartsWith("dissect: error: ",
                StringComparison.Ordinal)
                     || errLines[0].Contains("internal error", StringComparison.Ordinal))
                problems.Add($"{name}: exit {r.ExitCode}: {r.Stderr}");
            else if (File.Exists(json))
                problems.Add($"{name}: failed but left {json}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
