using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Dissect.Cli;

/// <summary>Help that names what each option takes, and ends with examples (and, for the root, the exit
/// codes).</summary>
public static class Help
{
    private static readonly Dictionary<string, string> Placeholders = new(StringComparer.Ordinal)
    {
        ["--out"] = "PATH",
        ["--schema"] = "NAME",
        ["--templates"] = "DIR",
        ["--dir"] = "DIR",
        ["--format"] = "LIST",
        ["--lang"] = "en|fr",
        ["--tshark"] = "PATH",
        ["--max-packets"] = "N",
        ["--timeout"] = "SECONDS",
        ["--jobs"] = "N",
        ["--shard"] = "i/n",
        ["--large"] = "N",
        ["--malformed"] = "N",
        ["--shape"] = "SHAPE",
        ["--json"] = "FILE",
    };

    private static readonly Dictionary<string, string[]> Examples = new(StringComparer.Ordinal)
    {
        ["dissect"] =
        [
            "dissect report call.pcapng                  # reports/call.pdf and call.json",
            "dissect batch captures/ -o reports --jobs 4 # every capture of a folder, and an index",
            "dissect doctor                              # is tshark ready, does the dissector load?",
        ],
        ["generate"] = ["dissect generate", "dissect generate --out /tmp/lua"],
        ["doctor"] = ["dissect doctor", "dissect doctor --tshark /opt/wireshark/bin/tshark"],
        ["install"] = ["dissect install", "sudo dissect install --global   # for tshark run as root"],
        ["uninstall"] = ["dissect uninstall", "sudo dissect uninstall --global"],
        ["docs"] = ["dissect docs", "dissect docs --out /tmp/docs"],
        ["sample"] = ["dissect sample", "dissect sample --large 1000000 -o big.pcap",
            "dissect sample --malformed 3000 -o bad.pcap"],
        ["analyze"] =
        [
            "dissect analyze call.pcapng",
            "dissect analyze call.pcapng --json - | jq .stun.nat",
            "tcpdump -w - -c 500 | dissect analyze - -Y 'dns || stun'",
        ],
        ["report"] =
        [
            "dissect report call.pcapng",
            "dissect report a.pcapng b.pcapng -o out --format pdf,html --lang fr",
            "dissect report call.pcapng -Y 'ip.addr == 52.112.0.0/14'",
        ],
        ["batch"] =
        [
            "dissect batch captures/ -o reports",
            "dissect batch 'captures/**/*.pcapng' -o reports --jobs 4 --format pdf,json",
            "dissect batch captures/ -o reports --shard 3/8   # then: dissect batch --merge -o reports",
        ],
        ["compare"] = ["dissect compare wifi.pcapng 4g.pcapng", "dissect compare reports/a.json reports/b.json -o cmp"],
        ["completion"] = ["source <(dissect completion bash)     # in ~/.bashrc",
            "source <(dissect completion zsh)      # in ~/.zshrc"],
    };

    private const string ExitCodes =
        "Exit codes:\n  0    ok\n  1    failure (bad input, tshark error)\n  2    usage error\n"
        + "  3    tshark missing, too old or without Lua\n  4    some captures of a run failed\n"
        + "  130  cancelled (Ctrl-C)    143  stopped by SIGTERM    129  by SIGHUP";

    public static void Apply(RootCommand root)
    {
        foreach (var command in root.Subcommands.Prepend(root))
            foreach (var option in command.Options)
                if (option.HelpName is null && Placeholders.TryGetValue(option.Name, out var p))
                    option.HelpName = option.Name == "--out" ? OutPlaceholder(command.Name) : p;
        // One help option serves every command (it is recursive): its action adds the command's own examples.
        var help = root.Options.OfType<HelpOption>().First();
        help.Action = new WithExamples((HelpAction)help.Action!);
    }

    /// <summary>What --out names for each command: a folder, a file, or the stem of two files.</summary>
    private static string OutPlaceholder(string command) => command switch
    {
        "compare" => "STEM",
        "sample" => "FILE",
        _ => "DIR",
    };

    /// <summary>The examples (and for the root, the exit codes) shown after a command's help.</summary>
    public static string Epilogue(Command command)
    {
        var key = command is RootCommand ? "dissect" : command.Name;
        var text = "Examples:\n" + string.Join('\n', Examples.GetValueOrDefault(key, []).Select(e => "  " + e));
        return command is RootCommand ? text + "\n\n" + ExitCodes : text;
    }

    private sealed class WithExamples(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            inner.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(Epilogue(parseResult.CommandResult.Command));
            output.WriteLine();
            return 0;
        }
    }
}
