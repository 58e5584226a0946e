using System.Text.RegularExpressions;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Dissector;

/// <summary>
/// The generated Lua on every Wireshark of the matrix (4.0 with Lua 5.2; 4.4 and 4.6 with Lua 5.4), each run as an
/// unprivileged user. Fixture decoding, two passes and malformed input are in the other dissector test classes.
/// </summary>
public partial class WiresharkMatrixTests
{
    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void The_dissector_loads_without_a_Lua_message_and_lists_its_fields(string wireshark)
    {
        var r = Wireshark.Get(wireshark).Tshark(["-G", "fields", "-X", "lua_script:" + Repo.Dissector]);
        Assert.False(r.LuaLoadError, r.Stderr);
        // 4.0 run as root says so on stderr; nothing else may appear there.
        Assert.All(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => Assert.StartsWith("Running as user", l, StringComparison.Ordinal));
        Assert.Contains("\tmsturn.type\t", r.Stdout);
        Assert.Contains("\tmsturn.att.ipv4\t", r.Stdout);
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void The_dissector_reads_and_writes_no_global_outside_the_Lua_and_Wireshark_API(string wireshark)
    {
        // Loaded first, this makes any later read of an undefined global, or write of a new one, a Lua error:
        // at load time it stops the script (a 'Lua' line on stderr), per packet it becomes _ws.lua.error.
        var strict = Path.Combine(Repo.TempDir("strict"), "strict.lua");
        File.WriteAllText(strict, """
            setmetatable(_G, {
              __newindex = function(_, k) error("global written: " .. tostring(k), 2) end,
              __index = function(_, k) error("undefined global read: " .. tostring(k), 2) end,
            })
            """);
        var fx = CallFixture.For(wireshark);
        var r = Wireshark.Get(wireshark).Tshark(["-X", "lua_script:" + strict, "-X", "lua_script:" + Repo.Dissector,
            "-2", "-r", fx.Path, "-T", "fields", "-e", "frame.number", "-e", "msturn.type", "-e", "_ws.lua.error"]);
        Assert.False(r.LuaLoadError, r.Stderr);
        Assert.DoesNotContain("global", r.Stderr);
        Assert.Equal(fx.Rows.Count, r.Rows.Count);
        Assert.All(r.Rows, row => Assert.Equal("", row[2]));
        Assert.Contains(r.Rows, row => row[1].StartsWith("0x0115", StringComparison.Ordinal));
    }

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Help_About_Plugins_shows_the_dissector_with_its_version(string wireshark)
    {
        var r = Wireshark.Get(wireshark).Tshark(["-G", "plugins", "-X", "lua_script:" + Repo.Dissector]);
        var line = r.Stdout.Split('\n').FirstOrDefault(l => l.Contains("ms_turn.lua", StringComparison.Ordinal));
        Assert.True(line is not null, r.Stdout);
        Assert.Matches(@"ms_turn\.lua\t\d+\.\d+\.\d+\t", line);
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void Every_MS_TURN_message_of_the_Skype_and_Teams_captures_decodes_exactly(string wireshark)
    {
        // The corpus score, by the independent decoder of ../shared/tools/msturn-eval, on captures that cover every
        // transport: UDP allocations and Data Indications, TCP framing after the pseudo-TLS hello (4G), multiplexed
        // 0xFF10 frames, a Teams call and nDPI's traces. The whole corpus (minutes per version):
        // bench/corpus-matrix.sh.
        string[] names =
        [
            "Baboushka+LINFO1341-P1/CallAudio/4G/packets/K1AG.pcapng",
            "Lopiuy+LINFO1341_P1/Traces/audio.pcapng",
            "Zyth0x+LINFO1341-Projet/Appel_simple_+_partage_d_ecran/appel_simple_partage_ecran.pcapng",
            "evrardemi+LINFO1341MicrosoftTeams11/Traces/EtV 4GEt4GV appel simple 1.pcapng",
            "ntop+nDPI/tests/cfgs/default/pcap/skype-conference-call.pcap",
            "ntop+nDPI/tests/cfgs/default/pcap/stun_msteams_unidir.pcapng",
        ];
        var ms = names.Select(Repo.CorpusFile).ToList();
        var shim = Wireshark.Get(wireshark).ShimFolder();
        var eval = Path.GetFullPath(Path.Combine(Repo.Corpus, "..", "tools", "msturn-eval"));
        var r = Proc.Run("python3", [eval, Repo.Dissector, .. ms],
            new Dictionary<string, string?> { ["PATH"] = shim + ":" + Environment.GetEnvironmentVariable("PATH") },
            TimeSpan.FromMinutes(3));
        var summary = r.Stdout.Split('\n').LastOrDefault(l => l.StartsWith("msturn-eval:", StringComparison.Ordinal));
        Assert.True(summary is not null, r.Stdout + r.Stderr);
        var n = Summary().Matches(summary).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.True(int.Parse(n["truth"]) > 300, summary);
        Assert.Equal(n["truth"], n["matched"]);
        Assert.Equal(("0", "0", "0", "0"), (n["wrong"], n["missing"], n["lua_errors"], n["malformed"]));
        var addresses = n["addresses"].Split('/');
        Assert.Equal(addresses[1], addresses[0]);
        Assert.Equal(0, r.ExitCode);
    }

    [GeneratedRegex(@"(\w+)=([0-9/]+)")]
    private static partial Regex Summary();
}
