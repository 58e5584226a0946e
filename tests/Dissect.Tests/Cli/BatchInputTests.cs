using Dissect.Analysis;
using Dissect.Capture.Fixtures;
using Dissect.Cli;
using Dissect.Jobs.Batch;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Cli;

/// <summary>What a batch takes as input and where it writes: link loops, hidden names, colliding names, read-back
/// models.</summary>
public class BatchInputTests
{
    private static string Tree()
    {
        var dir = Repo.TempDir("tree");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        Directory.CreateDirectory(Path.Combine(dir, ".hidden"));
        foreach (var f in new[] { "a.pcap", "sub/b.pcap", ".hidden/c.pcap", ".d.pcap" })
            File.WriteAllBytes(Path.Combine(dir, f), [0xD4, 0xC3, 0xB2, 0xA1]);
        return dir;
    }

    [Fact]
    public void Folder_links_are_followed_once_so_a_loop_neither_hangs_nor_duplicates()
    {
        var dir = Tree();
        File.CreateSymbolicLink(Path.Combine(dir, "sub", "loop"), "..");
        File.CreateSymbolicLink(Path.Combine(dir, "sub", "again"), "../sub");
        var walker = new InputWalker(skipHidden: false);
        var inputs = BatchRunner.Expand([dir], [], walker);
        Assert.Equal([".d.pcap", ".hidden/c.pcap", "a.pcap", "sub/b.pcap"],
            inputs.Select(i => i.Relative).Order(StringComparer.Ordinal));
        Assert.Equal(2, walker.Warnings.Count);
        Assert.All(walker.Warnings, w => Assert.Contains("not followed again", w));
    }

    [Fact]
    public void A_folder_link_elsewhere_is_followed()
    {
        var dir = Tree();
        var other = Repo.TempDir("other");
        File.WriteAllBytes(Path.Combine(other, "e.pcap"), [0xD4, 0xC3, 0xB2, 0xA1]);
        File.CreateSymbolicLink(Path.Combine(dir, "linked"), other);
        var inputs = BatchRunner.Expand([dir], []);
        Assert.Contains(inputs, i => i.Relative == "linked/e.pcap");
    }

    [Fact]
    public void Hidden_captures_are_taken_or_skipped_with_a_count_never_silently()
    {
        var dir = Tree();
        Assert.Equal(4, BatchRunner.Expand([dir], []).Count);
        var walker = new InputWalker(skipHidden: true);
        Assert.Equal(["a.pcap", "sub/b.pcap"], BatchRunner.Expand([dir], [], walker).Select(i => i.Relative));
        Assert.Equal(2, walker.HiddenSkipped);
        var (_, _, err) = DissectCli.Run("batch", dir, "-o", Path.Combine(Repo.TempDir("out"), "o"), "--skip-hidden",
            "--format", "json");
        Assert.Contains("2 hidden files and folders (names starting with '.') were left out", err);
    }

    [Fact]
    public void Output_names_come_from_the_whole_list_so_shards_never_collide_and_index_stays_the_index()
    {
        var dir = Repo.TempDir("names");
        foreach (var f in new[] { "a b.pcap", "a_b.pcap", "index.pcap", "sub/index.pcap", "a.pcap" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, f))!);
            File.WriteAllBytes(Path.Combine(dir, f), [0xD4, 0xC3, 0xB2, 0xA1]);
        }
        var all = BatchRunner.Expand([dir], []);
        var stems = all.Select(i => i.Stem!).ToList();
        Assert.Equal(["a b", "a", "a_b", "index-2", Path.Combine("sub", "index")], stems);
        var sharded = Enumerable.Range(1, 3).SelectMany(i => BatchRunner.Shard(all, i, 3)).Select(i => i.Stem!);
        Assert.Equal(stems.Order(StringComparer.Ordinal), sharded.Order(StringComparer.Ordinal));
        // Names that differ by case alone would merge on a case-insensitive disk: refused for the whole list.
        File.WriteAllBytes(Path.Combine(dir, "A.pcap"), [0xD4, 0xC3, 0xB2, 0xA1]);
        Assert.Throws<Dissect.Reporting.OutputNameCollisionException>(() => BatchRunner.Expand([dir], []));
    }

    [Fact]
    public void A_capture_named_index_keeps_its_own_report_beside_the_batch_index()
    {
        var dir = Repo.TempDir("indexname");
        DemoCapture.Write(Path.Combine(dir, "index.pcap"));
        DemoCapture.Write(Path.Combine(dir, "other.pcap"));
        var outDir = Path.Combine(Repo.TempDir("indexout"), "o");
        var (code, output, err) = DissectCli.Run("batch", dir, "-o", outDir, "--format", "json");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.True(File.Exists(Path.Combine(outDir, "index-2.json")));
        Assert.Contains("(2 reports)", output);
        var again = DissectCli.Run("batch", dir, "-o", outDir, "--format", "json");
        Assert.Contains("0 reported, 2 skipped", again.Out);
    }

    [Theory]
    [InlineData("""{"schemaVersion":4}""", "$.capture, $.dns")]
    [InlineData("""{"schemaVersion":7}""", "schemaVersion 7; this Dissect reads version 4")]
    [InlineData("""{"schemaVersion":1,""", "not JSON (line 1")]
    [InlineData("""[1, 2]""", "no schemaVersion")]
    [InlineData("null", "no schemaVersion")]
    public void A_damaged_or_foreign_model_is_one_line_and_exit_1_never_a_stack_trace(string json, string expected)
    {
        var dir = Repo.TempDir("models");
        var bad = Path.Combine(dir, "bad.json");
        File.WriteAllText(bad, json);
        var good = Path.Combine(dir, "good.json");
        Assert.Equal(0, DissectCli.Run("analyze", Path.Combine(Repo.Root, "samples", "demo.pcap"), "--json",
            good).Code);
        var (code, _, err) = DissectCli.Run("compare", bad, bad, "-o", Path.Combine(dir, "cmp"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err);
        Assert.False(File.Exists(Path.Combine(dir, "cmp.pdf")));
        var mixed = DissectCli.Run("compare", bad, good, "-o", Path.Combine(dir, "cmp"));
        Assert.Equal(ExitCodes.Failure, mixed.Code);   // one model left: nothing to compare
    }

    [Theory]
    [InlineData("dns")]
    [InlineData("stun.allocations")]
    [InlineData("capture.packets")]
    public void A_model_with_a_section_removed_or_retyped_names_its_json_path(string path)
    {
        var dir = Repo.TempDir("edited");
        var good = Path.Combine(dir, "good.json");
        Assert.Equal(0, DissectCli.Run("analyze", Path.Combine(Repo.Root, "samples", "demo.pcap"), "--json",
            good).Code);
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(good))!;
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate(node, (n, p) => n[p]!);
        if (path == "capture.packets")
            parent[parts[^1]] = "many";
        else
            parent.AsObject().Remove(parts[^1]);
        var bad = Path.Combine(dir, "bad.json");
        File.WriteAllText(bad, node.ToJsonString());
        var e = Assert.Throws<ModelFileException>(() => ReportJson.Read(bad));
        Assert.Contains("$." + path, e.Message);
        var merge = Path.Combine(dir, "merged");
        Directory.CreateDirectory(merge);
        File.Copy(bad, Path.Combine(merge, "bad.json"));
        File.Copy(good, Path.Combine(merge, "good.json"));
        var (code, output, err) = DissectCli.Run("batch", "--merge", "-o", merge);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("(1 reports)", output);
        Assert.Contains("bad.json left out of the index", err);
    }
}

public class GlobTests
{
    [Fact]
    public void Wildcards_work_in_folder_parts_and_double_star_stays_under_its_own_folder()
    {
        var dir = Repo.TempDir("glob");
        foreach (var f in new[] { "zeek/a/tls/x.pcap", "zeek/b/tls/y.pcap", "zeek/dnssec/z.pcap", "caps/one/c.pcapng",
            "caps/two/d.pcapng",
                     "caps/two/deeper/e.pcapng", "caps/f.pcapng" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, f))!);
            File.WriteAllBytes(Path.Combine(dir, f), [0xD4, 0xC3, 0xB2, 0xA1]);
        }
        List<string> Match(string pattern)
        {
            var problems = new List<string>();
            var found = BatchRunner.Expand([Path.Combine(dir, pattern)], problems).Select(i => Path.GetRelativePath(dir,
                i.Path).Replace('\\', '/'));
            return [.. found.Order(StringComparer.Ordinal)];
        }
        Assert.Equal(["caps/one/c.pcapng", "caps/two/d.pcapng"], Match("caps/*/*.pcapng"));
        Assert.Equal(["zeek/a/tls/x.pcap", "zeek/b/tls/y.pcap"], Match("zeek/**/tls/*.pcap"));
        Assert.Equal(["caps/f.pcapng", "caps/one/c.pcapng", "caps/two/d.pcapng", "caps/two/deeper/e.pcapng"],
            Match("caps/**/*.pcapng"));
        Assert.Equal(["caps/one/c.pcapng"], Match("caps/o?e/*"));
    }

    [Fact]
    public void Plain_progress_lines_are_numbered_in_the_order_they_are_printed()
    {
        var dir = Repo.TempDir("order");
        for (var i = 0; i < 6; i++)
            DemoCapture.Write(Path.Combine(dir, $"c{i}.pcap"));
        var (code, output, _) = DissectCli.Run("batch", dir, "-o", Path.Combine(dir, "out"), "--jobs", "2", "--format",
            "json");
        Assert.Equal(0, code);
        var numbers = System.Text.RegularExpressions.Regex.Matches(output, @"^\[(\d+)/6\]",
            System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], numbers);
    }
}
