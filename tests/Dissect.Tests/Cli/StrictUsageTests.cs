using Dissect.Cli;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Cli;

/// <summary>Usage errors are found before any work: one line, a "did you mean", the command's help, exit 2.</summary>
public class StrictUsageTests
{
    private static readonly string Demo = Path.Combine(Repo.Root, "samples", "demo.pcap");

    public static TheoryData<string> Commands => ["generate", "doctor", "install", "uninstall", "docs", "sample",
        "analyze", "report", "batch", "compare"];

    [Theory, MemberData(nameof(Commands))]
    public void An_unknown_option_is_a_usage_error_pointing_at_the_commands_help(string command)
    {
        var dir = Repo.TempDir("strict");
        var (code, output, err) = DissectCli.Run(command, Demo, Demo, "--no-such-option", "-o", Path.Combine(dir,
            "out"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"unknown option '--no-such-option' for 'dissect {command}'", err);
        Assert.Contains($"see 'dissect {command} --help'", err);
        Assert.Equal("", output);
        Assert.Empty(Directory.GetFileSystemEntries(dir));   // nothing was done
    }

    [Theory]
    [InlineData("report", "--fromat", "--format")]
    [InlineData("report", "--max-packet", "--max-packets")]
    [InlineData("analyze", "--jsn", "--json")]
    [InlineData("batch", "--shrad", "--shard")]
    public void A_misspelt_option_gets_a_did_you_mean(string command, string typo, string meant)
    {
        var (code, _, err) = DissectCli.Run(command, Demo, typo, "x", "-o", Repo.TempDir("typo"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"did you mean '{meant}'?", err);
    }

    [Theory]
    [InlineData("analyze")]
    [InlineData("report")]
    [InlineData("batch")]
    [InlineData("compare")]
    public void The_common_options_are_accepted_by_every_command_that_reads_captures(string command)
    {
        var dir = Repo.TempDir("common");
        var args = new List<string> { command, Demo };
        if (command == "compare") args.Add(Demo);
        if (command is "report" or "batch") args.AddRange(["-o", Path.Combine(dir, "o"), "--format", "json"]);
        if (command == "compare") args.AddRange(["-o", Path.Combine(dir, "cmp")]);
        args.AddRange(["--max-packets", "20", "--timeout", "60"]);
        var (code, _, err) = DissectCli.Run([.. args]);
        Assert.True(code == ExitCodes.Ok, err);
        var version = DissectCli.Run(command, "--version");
        Assert.Equal(ExitCodes.Ok, version.Code);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Out.Trim());
    }

    [Fact]
    public void Batch_and_compare_check_their_inputs_before_starting()
    {
        var o = Repo.TempDir("bc");
        var merge = DissectCli.Run("batch", Demo, "-o", o, "--merge");
        Assert.Equal(ExitCodes.Usage, merge.Code);
        Assert.Contains("--merge builds the index", merge.Err);
        var none = DissectCli.Run("batch", "-o", o);
        Assert.Equal(ExitCodes.Usage, none.Code);
        var one = DissectCli.Run("compare", Demo);
        Assert.Equal(ExitCodes.Usage, one.Code);
        Assert.Contains("compare needs two or more", one.Err);
    }

    [Fact]
    public void A_missing_file_is_named_once_and_a_windows_path_gets_the_wsl_hint()
    {
        var (code, _, err) = DissectCli.Run("analyze", "/tmp/nope-dissect.pcapng");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal("dissect: error: /tmp/nope-dissect.pcapng: does not exist; check the path", err.Trim());
        var win = DissectCli.Run("analyze", @"C:\Users\me\call.pcapng");
        Assert.Contains("/mnt/c/", win.Err);
    }
}

/// <summary>Dissect in pipes: a capture from standard input, the model to standard output.</summary>
public class PipeTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_capture_read_from_stdin_gives_its_model_on_stdout_and_messages_on_stderr()
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
            ?? Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "dissect.dll"), "analyze", "-", "--json",
            "-" })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEndAsync();
        await using (var stdin = p.StandardInput.BaseStream)
            await stdin.WriteAsync(await File.ReadAllBytesAsync(Path.Combine(Repo.Root, "samples", "demo.pcap")));
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, await err);
        var model = System.Text.Json.Nodes.JsonNode.Parse(await output)!;   // stdout is the model alone
        Assert.Equal(36, model["capture"]!["packets"]!.GetValue<int>());
        Assert.Equal("stdin", model["capture"]!["fileName"]!.GetValue<string>());
        Assert.StartsWith("stdin: 36 packets", await err);
    }
}

public class JsonLinesTests
{
    [Fact]
    public void Jsonl_writes_one_line_per_capture_an_error_line_for_a_bad_one_and_goes_on()
    {
        var demo = Path.Combine(Repo.Root, "samples", "demo.pcap");
        var (code, output, err) = DissectCli.Run("analyze", demo, "/nonexistent/x.pcap", demo, "--jsonl");
        Assert.Equal(ExitCodes.PartialFailure, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var parsed = lines.Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToList();
        Assert.Equal(36, parsed[0]["capture"]!["packets"]!.GetValue<int>());
        Assert.Equal("/nonexistent/x.pcap", parsed[1]["capture"]!.GetValue<string>());
        Assert.Contains("does not exist", parsed[1]["error"]!.GetValue<string>());
        Assert.Equal(36, parsed[2]["capture"]!["packets"]!.GetValue<int>());
        Assert.Single(err.Trim().Split('\n'));   // the failure, once
        Assert.Equal(ExitCodes.Usage, DissectCli.Run("analyze", demo, demo, "--json", "m.json").Code);
    }
}

/// <summary>-Y limits a report to the packets a display filter matches, like a filtered view in Wireshark.</summary>
public class DisplayFilterTests
{
    private static readonly string Demo = Path.Combine(Repo.Root, "samples", "demo.pcap");

    [Theory]
    [InlineData("dns")]
    [InlineData("msturn")]
    [InlineData("tcp.port == 443")]
    public void A_filtered_report_covers_exactly_the_packets_tshark_shows_for_the_filter(string filter)
    {
        var dir = Repo.TempDir("filter");
        var (code, _, err) = DissectCli.Run("report", Demo, "-Y", filter, "-o", dir, "--format", "json,md");
        Assert.True(code == ExitCodes.Ok, err);
        var model = Dissect.Analysis.ReportJson.Read(Path.Combine(dir, "demo.json"));
        // tshark's own count for the filter, with the dissector loaded (msturn needs it).
        var expected = TsharkCli.Run("-X", "lua_script:" + Repo.Dissector, "-r", Demo, "-Y", filter, "-T", "fields",
            "-e", "frame.number").Rows.Count;
        Assert.True(expected > 0);
        Assert.Equal(expected, model.Capture.Packets);
        Assert.Equal(filter, model.Capture.DisplayFilter);
        Assert.Contains("| Filtered view | only the packets matching the display filter ",
            File.ReadAllText(Path.Combine(dir, "demo.md")));
    }

    [Fact]
    public void An_invalid_filter_is_one_line_and_exit_2_before_any_capture_is_read()
    {
        var dir = Repo.TempDir("badfilter");
        var (code, output, err) = DissectCli.Run("batch", Demo, "-o", Path.Combine(dir, "o"), "-Y", "dns.qry.name ==");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("invalid display filter 'dns.qry.name =='", err);
        Assert.False(Directory.Exists(Path.Combine(dir, "o", "demo.json")));
        Assert.DoesNotContain("wrote", output);
    }
}

public class HelpTests
{
    public static TheoryData<string> Commands =>
        ["generate", "doctor", "install", "uninstall", "docs", "sample", "analyze", "report", "batch", "compare",
            "completion"];

    [Theory, MemberData(nameof(Commands))]
    public void Every_commands_help_has_examples_and_names_what_each_option_takes(string command)
    {
        var (code, output, _) = DissectCli.Run(command, "--help");
        Assert.Equal(0, code);
        var examples = output[output.IndexOf("Examples:", StringComparison.Ordinal)..].Split('\n').Skip(1)
            .TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).ToList();
        Assert.InRange(examples.Count, 2, 4);
        Assert.All(examples, e => Assert.Contains("dissect " + command, e));
        // No placeholder that merely repeats the option's name (--out <out>), and each default said once.
        Assert.DoesNotMatch(@"--([a-z-]+) <\1>", output);
        Assert.DoesNotContain("(default:", output);
    }

    [Fact]
    public void Bash_completion_offers_commands_options_and_their_values()
    {
        var bin = Repo.TempDir("bin");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!;
        Executable.Write(Path.Combine(bin, "dissect"),
            $"#!/bin/sh\nexec '{dotnet}' '{Path.Combine(AppContext.BaseDirectory, "dissect.dll")}' \"$@\"\n");
        string Complete(params string[] words)
        {
            var line = string.Join(' ', words);
            var script = "source <(dissect completion bash)\n"
                + $"COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; " +
                    $"COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); "
                + $"COMP_CWORD={words.Length - 1}; _dissect_complete; echo \"${{COMPREPLY[*]}}\"";
            var r = Proc.Run("bash", ["-c", script], new Dictionary<string, string?>
            {
                ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
            });
            return r.Stdout.Trim();
        }
        Assert.Equal("report", Complete("dissect", "rep"));
        Assert.Contains("--format", Complete("dissect", "report", "--f"));
        Assert.Equal("en fr", Complete("dissect", "report", "--lang", ""));
        Assert.Contains("html", Complete("dissect", "batch", "--format", ""));
    }

    [Fact]
    public void The_root_help_lists_the_exit_codes()
    {
        var (_, output, _) = DissectCli.Run("--help");
        foreach (var code in new[] { "0", "1", "2", "3", "4", "130", "143", "129" })
            Assert.Matches($@"\b{code}\b", output[output.IndexOf("Exit codes:", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void The_version_is_the_repositorys_and_reaches_the_lua_plugin_info()
    {
        var version = File.ReadAllText(Path.Combine(Repo.Root, "VERSION")).Trim();
        Assert.Equal(version, DissectCli.Run("--version").Out.Trim());
        Assert.Contains($"version = \"{version}\"", File.ReadAllText(Repo.Dissector));
    }
}
