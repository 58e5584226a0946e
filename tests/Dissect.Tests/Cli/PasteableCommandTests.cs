using System.Text.RegularExpressions;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Cli;

/// <summary>What the README and --show-tshark-command print must work when pasted, also with the dissector
/// installed.</summary>
public partial class PasteableCommandTests
{
    private static Dictionary<string, string?> Home(string home) => new()
    {
        ["HOME"] = home,
        ["XDG_CONFIG_HOME"] = null,
        ["XDG_CACHE_HOME"] = Path.Combine(home, ".cache"),
    };

    private static string InstalledHome()
    {
        var home = Repo.TempDir("home");
        var plugins = Path.Combine(home, ".local", "lib", "wireshark", "plugins");
        Directory.CreateDirectory(plugins);
        File.Copy(Repo.Dissector, Path.Combine(plugins, "ms_turn.lua"));
        return home;
    }

    private static void AssertDecodes(Proc.Result r, string command)
    {
        Assert.True(r.ExitCode == 0, $"{command}\n{r.Stderr}");
        Assert.False(r.LuaLoadError, r.Stderr);
        Assert.DoesNotContain("two protocols", r.Stderr);
        Assert.Contains("0x0003", r.Stdout);
    }

    [Fact]
    public void The_READMEs_tshark_command_for_an_installed_dissector_works_in_a_shell()
    {
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));
        var command = ReadmeCommand().Match(readme).Groups[1].Value;
        Assert.StartsWith("tshark -r call.pcapng", command);
        var demo = Path.Combine(Repo.Root, "samples", "demo.pcap");
        var r = Proc.Run("sh", ["-c", command.Replace("call.pcapng",
            $"'{demo}'", StringComparison.Ordinal)], Home(InstalledHome()));
        AssertDecodes(r, command);
    }

    // Proc.Run bounds every process it starts (two minutes).
    [Fact]
    public void The_printed_analysis_command_works_in_a_shell_with_or_without_the_dissector_installed()
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!;
        var dll = Path.Combine(AppContext.BaseDirectory, "dissect.dll");
        var demo = Path.Combine(Repo.Root, "samples", "demo.pcap");
        foreach (var home in new[] { InstalledHome(), Repo.TempDir("home") })
        {
            var shown = Proc.Run(dotnet, [dll, "analyze", demo, "--show-tshark-command"], Home(home));
            Assert.True(shown.ExitCode == 0, shown.Stderr);
            var command = shown.Stdout.Trim();
            // Installed: no script named (it would load twice); otherwise the copy in the per-user cache, never a temp
            // file.
            if (command.Contains("lua_script:", StringComparison.Ordinal))
                Assert.Contains("lua_script:" + Path.Combine(home, ".cache", "dissect"), command);
            Assert.DoesNotContain("dissect-lua-", command);
            AssertDecodes(Proc.Run("sh", ["-c", command], Home(home)), command);
        }
    }

    [GeneratedRegex("`(tshark -r call\\.pcapng[^`]*)`")]
    private static partial Regex ReadmeCommand();
}
