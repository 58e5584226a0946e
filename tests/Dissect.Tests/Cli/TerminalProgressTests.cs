using Dissect.Capture.Fixtures;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Cli;

/// <summary>What a user sees on a terminal: the real binary in a pseudo-terminal (script), its screen read
/// back.</summary>
public class TerminalProgressTests
{
    private static string InTerminal(string args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!;
        var dll = Path.Combine(AppContext.BaseDirectory, "dissect.dll");
        var r = Proc.Run("script", ["-qec", $"'{dotnet}' '{dll}' {args}", "/dev/null"],
            new Dictionary<string, string?> { ["TERM"] = "xterm-256color", ["CI"] = null, ["COLUMNS"] = "150" },
            TimeSpan.FromSeconds(90));
        return r.Stdout;
    }

    [Fact]
    public void A_long_analysis_shows_packets_read_rate_and_time_while_it_runs()
    {
        var capture = Path.Combine(Repo.TempDir("live"), "big.pcap");
        LargeCapture.Write(capture, 60_000);
        var screen = InTerminal($"analyze '{capture}'");
        Assert.Matches(@"big\.pcap: [\d,]+ packets read, [\d,]+ packets/s, \d+ s elapsed", screen);
        Assert.Contains("big.pcap: 60000 packets", screen);   // the final summary follows
    }

    [Fact]
    public void A_batch_on_a_terminal_shows_counts_and_lists_a_failure_once()
    {
        var dir = Repo.TempDir("tty");
        LargeCapture.Write(Path.Combine(dir, "big.pcap"), 30_000);
        DemoCapture.Write(Path.Combine(dir, "small.pcap"));
        File.WriteAllText(Path.Combine(dir, "bad.pcap"), "junk\n");
        var screen = InTerminal($"batch '{dir}' -o '{Path.Combine(dir, "out")}' --jobs 2 --format json");
        Assert.Contains("3/3 done, 1 failed, 0 skipped", screen);
        Assert.Contains("Failed capture", screen);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(screen, "holds no network packet"));
        Assert.Contains("batch: 3 captures: 2 reported, 0 skipped (current), 1 failed", screen);
    }
}
