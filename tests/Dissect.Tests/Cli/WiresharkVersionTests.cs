using System.Text.Json.Nodes;
using Dissect.Cli;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Cli;

/// <summary>Dissect itself (not only the dissector) on tshark 4.0, 4.4 and 4.6, as a user and as root.</summary>
public class WiresharkVersionTests
{
    private static string Shim(Wireshark ws, string? user = null, string? globalLua = null) =>
        Path.Combine(ws.ShimFolder(user, globalLua), "tshark");

    [Theory, OnWireshark("4.4"), OnWireshark("4.6")]
    public void As_root_a_tshark_ignoring_Lua_stops_the_report_until_the_dissector_is_global(string wireshark)
    {
        var globalLua = Repo.TempDir("global-lua");
        var tshark = Shim(Wireshark.Get(wireshark), user: "root", globalLua: globalLua);
        var demo = Path.Combine(Repo.Root, "samples", "demo.pcap");
        var json = Path.Combine(Repo.TempDir("root-report"), "demo.json");

        var refused = DissectCli.Run("analyze", demo, "--tshark", tshark, "--json", json);
        Assert.Equal(ExitCodes.ToolMissing, refused.Code);
        var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("run as root ignores Lua scripts", line);
        Assert.Contains("run Dissect as a normal user", line);
        Assert.Contains("dissect install --global", line);
        Assert.False(File.Exists(json));

        Assert.Equal(ExitCodes.Ok, DissectCli.Run("install", "--global", "--tshark", tshark).Code);
        Assert.True(File.Exists(Path.Combine(globalLua, Runtime.DissectorFileName)));
        var analyzed = DissectCli.Run("analyze", demo, "--tshark", tshark, "--json", json);
        Assert.True(analyzed.Code == ExitCodes.Ok, analyzed.Err);
        var model = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.True(model["stun"]!["msTurnMessages"]!.GetValue<int>() > 5, model["stun"]!.ToJsonString());
        var doctor = DissectCli.Run("doctor", "--tshark", tshark);
        Assert.Contains("ok       global dissector:", doctor.Out);
        Assert.Contains("loads and is current", doctor.Out);
    }

    [Theory, OnWireshark("4.4"), OnWireshark("4.6")]
    public void A_stale_global_copy_is_named_with_its_fix_instead_of_a_duplicate_protocol_error(string wireshark)
    {
        var globalLua = Repo.TempDir("global-lua");
        File.WriteAllText(Path.Combine(globalLua, Runtime.DissectorFileName),
            File.ReadAllText(Repo.Dissector) + "-- older\n");
        var tshark = Shim(Wireshark.Get(wireshark), globalLua: globalLua);
        var r = DissectCli.Run("analyze", Path.Combine(Repo.Root, "samples", "demo.pcap"), "--tshark", tshark);
        Assert.Equal(ExitCodes.ToolMissing, r.Code);
        Assert.Contains("global Lua plugin folder holds another version", r.Err);
        Assert.Contains("dissect install --global", r.Err);
    }

    /// <summary>
    /// What Wireshark itself decodes differently between versions, so the models may differ there: the version string,
    /// and the hierarchy paths of a second TLS layer in one frame (a frame that completes a reassembled PDU, or one
    /// whose certificate record is followed by another record): 4.0 repeats "tls" in frame.protocols there, 4.4 and 4.6
    /// do not. Everything else in the model must be equal.
    /// </summary>
    private static readonly string[] VersionDependent = ["capture.tsharkVersion"];

    private static bool RepeatsTls(string path) => path.Split(':').Count(l => l == "tls") > 1;

    [Theory, OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void The_report_model_is_the_same_as_under_Wireshark_4_0(string wireshark)
    {
        string[] captures =
        [
            "Lopiuy+LINFO1341_P1/Traces/audio.pcapng",
            "evrardemi+LINFO1341MicrosoftTeams11/Traces/EtV 4GEt4GV appel simple 1.pcapng",
            "zeek+zeek/testing/btest/Traces/tls/tls-expired-cert.pcap",
        ];
        var tshark = Shim(Wireshark.Get(wireshark));
        var dir = Repo.TempDir("versions");
        foreach (var c in captures)
        {
            var baseline = Path.Combine(dir, "4.0.json");
            var other = Path.Combine(dir, wireshark + ".json");
            Assert.Equal(ExitCodes.Ok, DissectCli.Run("analyze", Repo.CorpusFile(c), "--json", baseline).Code);
            var r = DissectCli.Run("analyze", Repo.CorpusFile(c), "--json", other, "--tshark", tshark);
            Assert.True(r.Code == ExitCodes.Ok, r.Err);
            var a = Scrub(JsonNode.Parse(File.ReadAllText(baseline))!);
            var b = Scrub(JsonNode.Parse(File.ReadAllText(other))!);
            var differences = Differences(a, b, "").Take(10).ToList();
            Assert.True(differences.Count == 0, $"{c}:\n" + string.Join("\n", differences));
        }
    }

    private static JsonNode Scrub(JsonNode model)
    {
        foreach (var path in VersionDependent)
        {
            var parts = path.Split('.');
            var parent = parts[..^1].Aggregate(model, (n, p) => n[p]!);
            parent.AsObject().Remove(parts[^1]);
        }
        var paths = model["network"]!["protocolPaths"]!.AsArray();
        foreach (var repeated in paths.Where(n => RepeatsTls(n!["protocol"]!.GetValue<string>())).ToList())
            paths.Remove(repeated);
        return model;
    }

    private static IEnumerable<string> Differences(JsonNode? a, JsonNode? b, string path)
    {
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (var k in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)))
                foreach (var d in Differences(oa[k], ob[k], path + "." + k))
                    yield return d;
        }
        else if (a is JsonArray aa && b is JsonArray ab && aa.Count == ab.Count)
        {
            for (var i = 0; i < aa.Count; i++)
                foreach (var d in Differences(aa[i], ab[i], $"{path}[{i}]"))
                    yield return d;
        }
        else if (!JsonNode.DeepEquals(a, b))
        {
            yield return $"{path}: 4.0 {Short(a)} / other {Short(b)}";
        }
    }

    private static string Short(JsonNode? n) => n?.ToJsonString() is { } s
        && s.Length > 200 ? s[..200] + "…" : n?.ToJsonString() ?? "null";
}
