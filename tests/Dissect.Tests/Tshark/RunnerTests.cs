using Dissect.Analysis;
using Dissect.Capture.Fixtures;
using Dissect.Cli;
using Dissect.Tests.Support;
using Dissect.Tshark;
using Xunit;

namespace Dissect.Tests.Tshark;

/// <summary>The runner's error paths, with a stand-in program for the failures real tshark cannot be made to produce on
/// demand.</summary>
public class RunnerTests
{
    private static string FakeTshark(string body)
    {
        var path = Path.Combine(Repo.TempDir("fake"), "tshark");
        Executable.Write(path, "#!/bin/sh\n" + body + "\n");
        return path;
    }

    private static string Demo()
    {
        var p = Path.Combine(Repo.TempDir("cap"), "demo.pcap");
        DemoCapture.Write(p);
        return p;
    }

    private static TsharkCommand Cmd(string tshark, string capture, TimeSpan? timeout = null) => new(tshark, capture,
        ["frame.number"], Timeout: timeout);

    [Fact]
    public async Task A_crashing_tshark_becomes_one_exception_with_exit_code_command_line_and_stderr()
    {
        var fake = FakeTshark("echo 'tshark: something went badly wrong' >&2\nkill -SEGV $$");
        var e = await Assert.ThrowsAsync<TsharkException>(() => TsharkRunner.RunEkAsync(Cmd(fake, Demo()), _ => { }));
        Assert.NotEqual(0, e.ExitCode);
        Assert.Contains("-T ek -e frame.number", e.CommandLine);
        Assert.Contains("something went badly wrong", e.StderrTail);
        Assert.False(string.IsNullOrEmpty(e.Hint));
    }

    [Fact]
    public async Task tshark_runs_in_UTC_in_a_private_home_so_no_local_setting_reaches_it()
    {
        var fake = FakeTshark("echo \"tz=[$TZ] home=[$HOME] lang=[$LC_ALL]\" >&2\nexit 3");
        var e = await Assert.ThrowsAsync<TsharkException>(() => TsharkRunner.RunEkAsync(Cmd(fake, Demo()), _ => { }));
        Assert.Contains("tz=[UTC]", e.StderrTail);
        Assert.Contains("lang=[C.UTF-8]", e.StderrTail);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.DoesNotContain($"home=[{home}]", e.StderrTail);
        Assert.DoesNotContain("home=[]", e.StderrTail);
    }

    [Fact]
    public async Task A_hanging_tshark_is_killed_at_the_time_out()
    {
        var fake = FakeTshark("sleep 60");
        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<TsharkException>(() => TsharkRunner.RunEkAsync(Cmd(fake, Demo(),
            TimeSpan.FromSeconds(1)), _ => { }));
        Assert.Contains("did not finish within 1 s", e.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Cancellation_stops_tshark()
    {
        var fake = FakeTshark("sleep 60");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TsharkRunner.RunEkAsync(Cmd(fake, Demo()),
            _ => { }, cts.Token));
    }

    [Fact]
    public async Task A_Lua_load_error_is_an_error_although_tshark_exits_0()
    {
        var fake = FakeTshark("echo 'tshark: Lua: Error during loading:' >&2\nexit 0");
        var e = await Assert.ThrowsAsync<TsharkException>(() => TsharkRunner.RunEkAsync(Cmd(fake, Demo()), _ => { }));
        Assert.Contains("Lua dissector failed to load", e.Message);
    }

    [Fact]
    public void A_too_old_tshark_or_one_without_Lua_is_refused_with_a_fix()
    {
        var old = FakeTshark("echo 'TShark (Wireshark) 3.6.2 (Git v3.6.2)'; echo 'with Lua 5.2.4'");
        Assert.Contains("too old", Assert.Throws<TsharkNotFoundException>(() => Runtime.Prepare(old)).Message);
        var noLua = FakeTshark("echo 'TShark (Wireshark) 4.0.17'; echo 'without Lua'");
        Assert.Contains("without Lua", Assert.Throws<TsharkNotFoundException>(() => Runtime.Prepare(noLua)).Message);
    }

    [Fact]
    public void tshark_is_looked_up_on_PATH_and_a_missing_one_says_how_to_install_it()
    {
        var e = Assert.Throws<TsharkNotFoundException>(() => TsharkLocator.Find(null, pathVariable: "/nonexistent",
            envValue: ""));
        Assert.Contains("apt-get install tshark", e.Hint);
        Assert.Equal("/usr/bin/tshark", TsharkLocator.Find(null, pathVariable: "/nonexistent:/usr/bin", envValue: ""));
    }

    [Fact]
    public async Task A_truncated_capture_keeps_what_was_read_and_warns()
    {
        var full = Demo();
        var cut = Path.Combine(Repo.TempDir("cut"), "cut.pcap");
        var bytes = File.ReadAllBytes(full);
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 30)]);
        var m = await CaptureAnalyzer.AnalyzeAsync(cut, Runtime.Prepare(null));
        Assert.True(m.Capture.Truncated);
        Assert.Equal(35, m.Capture.Packets);
        Assert.Contains("truncated", m.Capture.Warning);
    }

    [Fact]
    public async Task Max_packets_limits_the_work()
    {
        var o = Runtime.Prepare(null) with { MaxPackets = 5 };
        var m = await CaptureAnalyzer.AnalyzeAsync(Demo(), o);
        Assert.Equal(5, m.Capture.Packets);
    }

    [Fact]
    public async Task A_capture_with_no_packets_gives_a_report_that_says_so()
    {
        var empty = Path.Combine(Repo.TempDir("nopk"), "empty.pcap");
        using (Dissect.Capture.PcapWriter.Create(empty)) { }
        var m = await CaptureAnalyzer.AnalyzeAsync(empty, Runtime.Prepare(null));
        Assert.Equal(0, m.Capture.Packets);
        Assert.Equal("the capture holds no packets", m.Capture.Warning);
        var md = Dissect.Reporting.MarkdownReport.Render(m, new Dissect.Reporting.ReportOptions());
        Assert.Contains("No DNS traffic observed", md);
        Assert.Contains("No TLS handshake observed", md);
        Assert.Contains("No STUN or TURN traffic observed", md);
    }
}

public class LinkTypeTests
{
    [Fact]
    public async Task An_unsupported_link_type_is_one_clear_error()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Repo.Root, "samples", "demo.pcap"));
        BitConverter.GetBytes(9999).CopyTo(bytes, 20);
        var path = Path.Combine(Repo.TempDir("lt"), "odd-link.pcap");
        File.WriteAllBytes(path, bytes);
        var e = await Assert.ThrowsAsync<TsharkException>(() => CaptureAnalyzer.AnalyzeAsync(path,
            Runtime.Prepare(null)));
        Assert.Contains("network type 9999 unknown or unsupported", e.Message);
        Assert.Contains("link type", e.Hint);
    }
}
