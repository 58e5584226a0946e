using Dissect.Cli;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Cli;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => DissectCli.Run(args);

    [Fact]
    public void Doctor_with_a_missing_tshark_says_how_to_fix_it_and_fails()
    {
        var (code, output, _) = Run("doctor", "--tshark", "/nonexistent/tshark");
        Assert.Equal(ExitCodes.ToolMissing, code);
        Assert.Contains("problem  tshark: tshark not found at /nonexistent/tshark; fix:", output);
    }

    [Fact]
    public void Doctor_with_tshark_present_succeeds()
    {
        var (code, output, _) = Run("doctor");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("ok       Lua", output);
    }

    [Fact]
    public void Usage_errors_exit_with_code_2()
    {
        Assert.Equal(ExitCodes.Usage, Run("no-such-command").Code);
        Assert.Equal(ExitCodes.Usage, Run("report", "x.pcap", "--format", "docx").Code);
        Assert.Equal(ExitCodes.Usage, Run("analyze", "x.pcap", "--timeout", "-5").Code);
        Assert.Equal(ExitCodes.Usage, Run("analyze", "x.pcap", "--max-packets", "0").Code);
        Assert.Equal(ExitCodes.Usage, Run("batch", ".", "-o", "out", "--jobs", "0").Code);
    }

    [Fact]
    public void A_bad_capture_is_one_error_line_with_no_output_file_left()
    {
        var dir = Repo.TempDir("cli");
        var bad = Path.Combine(dir, "bad.pcap");
        File.WriteAllText(bad, "not a capture");
        var outDir = Path.Combine(dir, "out");
        var (code, _, err) = Run("report", bad, "-o", outDir);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("is not in a capture format tshark reads", err);
        Assert.Empty(Directory.GetFiles(outDir));
    }

    [Fact]
    public void Install_and_uninstall_write_and_remove_the_dissector()
    {
        var dir = Repo.TempDir("plugins");
        Assert.Equal(0, Run("install", "--dir", dir).Code);
        Assert.Equal(File.ReadAllText(Repo.Dissector), File.ReadAllText(Path.Combine(dir, "ms_turn.lua")));
        Assert.Contains("already current", Run("install", "--dir", dir).Out);
        Assert.Equal(0, Run("uninstall", "--dir", dir).Code);
        Assert.False(File.Exists(Path.Combine(dir, "ms_turn.lua")));
    }
}

public class DoctorProcessTests
{
    [Fact]
    public void Doctor_run_with_a_PATH_that_lacks_tshark_prints_the_fix_and_exits_3()
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!;
        var dll = Path.Combine(AppContext.BaseDirectory, "dissect.dll");
        var r = Proc.Run(dotnet, [dll, "doctor"], new Dictionary<string,
            string?>
        { ["PATH"] = Path.GetDirectoryName(dotnet)!, ["DISSECT_TSHARK"] = null });
        var output = r.Stdout;
        Assert.Equal(ExitCodes.ToolMissing, r.ExitCode);
        Assert.Contains("problem  tshark: tshark not found on PATH; fix: install it with 'sudo apt-get install tshark'",
            output);
    }
}
