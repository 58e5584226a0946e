using System.Diagnostics;
using System.Text.Json.Nodes;
using Dissect.Cli;
using Dissect.Codegen.Lua;
using Dissect.Schema.Protocols;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Cli;

/// <summary>
/// Lab servers are shared: another local user must not get a Lua script run by Dissect (as root, say) by planting it
/// where Dissect looks. Dissect runs as a child process here, with its own TMPDIR and XDG_CACHE_HOME.
/// </summary>
public class TempFolderSecurityTests
{
    private const int Nobody = 65534;

    private static ProcessStartInfo Dissect(string tmp, string cache, params string[] args)
    {
        // A test host's children inherit SIGINT ignored and blocked; a terminal's child does not. A small launcher
        // restores the terminal's state so that Ctrl+C (SIGINT) reaches Dissect as it would for a user.
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import os, signal, sys\n"
            + "signal.pthread_sigmask(signal.SIG_SETMASK, set())\n"
            + "signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
            + "os.execvp(sys.argv[1], sys.argv[1:])");
        psi.ArgumentList.Add(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!);
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dissect.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["TMPDIR"] = tmp;
        psi.Environment["XDG_CACHE_HOME"] = cache;
        return psi;
    }

    /// <summary>A folder anyone may write to, like /tmp.</summary>
    private static string SharedFolder()
    {
        var d = Repo.TempDir("shared");
        File.SetUnixFileMode(d, (UnixFileMode)Convert.ToInt32("1777", 8));
        return d;
    }

    /// <summary>Writes a file as another user would: owned by nobody when the tests run as root.</summary>
    private static void Plant(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        if (Environment.UserName == "root")
        {
            Proc.Run("chown", ["-R", $"{Nobody}:{Nobody}", Path.GetDirectoryName(path)!]);
            Proc.Run("chown", [$"{Nobody}:{Nobody}", path]);
        }
        else
        {
            File.SetUnixFileMode(Path.GetDirectoryName(path)!, (UnixFileMode)Convert.ToInt32("777", 8));
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_script_planted_at_the_old_temp_path_or_in_a_foreign_cache_is_never_run()
    {
        var tmp = SharedFolder();
        var cache = SharedFolder();
        var marker = Path.Combine(SharedFolder(), "planted-script-ran");
        var evil = $"local f = io.open(\"{marker}\", \"a\") if f then f:write(\"ran\\n\") f:close() end\n";
        // The name the first version used, from the same build ids; and the per-user cache, made by someone else.
        var build = typeof(LuaGenerator).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12]
            + typeof(MsTurn).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];
        Plant(Path.Combine(tmp, "dissect-lua-build-" + build, "ms_turn.lua"), evil);
        Plant(Path.Combine(cache, "dissect", "lua-" + build, "ms_turn.lua"), evil);
        var planted = Directory.GetFileSystemEntries(tmp).ToHashSet();
        var json = Path.Combine(Repo.TempDir("out"), "demo.json");

        using var p = Process.Start(Dissect(tmp, cache, "analyze", Path.Combine(Repo.Root, "samples", "demo.pcap"),
            "--json", json))!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();

        Assert.True(p.ExitCode == ExitCodes.Ok, await err);
        Assert.False(File.Exists(marker), "a planted Lua script ran");
        Assert.True(JsonNode.Parse(File.ReadAllText(json))!["stun"]!["msTurnMessages"]!.GetValue<int>() > 5);
        // Nothing of Dissect's is left in the temp folder.
        Assert.Equal(planted, Directory.GetFileSystemEntries(tmp).ToHashSet());
    }

    [Theory(Timeout = 120_000)]
    [InlineData("INT", ExitCodes.Cancelled)]
    [InlineData("TERM", 143)]
    [InlineData("HUP", 129)]
    public async Task A_signal_cancels_with_one_line_its_own_exit_code_and_no_temp_folder_left(string signal, int exit)
    {
        var tmp = SharedFolder();
        var big = Path.Combine(Repo.TempDir("big"), "large.pcap");
        Assert.Equal(ExitCodes.Ok, DissectCli.Run("sample", "-o", big, "--large", "300000").Code);
        using var p = Process.Start(Dissect(tmp, Repo.TempDir("cache"), "analyze", big))!;
        var output = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEndAsync();
        // Wait until tshark runs (its private HOME exists), then interrupt as a terminal's Ctrl+C does, as a
        // scheduler's
        // time limit does (SIGTERM), or as a closed SSH session does (SIGHUP).
        var clock = Stopwatch.StartNew();
        while (!Directory.EnumerateDirectories(tmp, "dissect-home-*").Any() && clock.Elapsed < TimeSpan.FromSeconds(60)
            && !p.HasExited)
            await Task.Delay(50);
        Assert.False(p.HasExited, "Dissect finished before it could be interrupted");
        await Task.Delay(300);
        Proc.Run("kill", ["-" + signal, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await p.WaitForExitAsync();
        await output;
        Assert.True(p.ExitCode == exit, $"exit {p.ExitCode}: {await err}");
        Assert.Equal("dissect: cancelled", (await err).Trim());
        Assert.Empty(Directory.GetFileSystemEntries(tmp));
    }
}
