using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Dissector;

/// <summary>Real Skype and Teams captures from ../shared (test data only, never copied into the repo).</summary>
public class CorpusTests
{
    private const string SkypeAudio = "Lopiuy+LINFO1341_P1/Traces/audio.pcapng";

    [CorpusFact]
    public void A_real_Skype_call_decodes_with_the_names_and_addresses_of_the_fact_sheet()
    {
        var r = TsharkCli.Fields(Repo.CorpusFile(SkypeAudio),
            "frame.number == 73 || frame.number == 130 || frame.number == 184 || frame.number == 193", "frame.number",
                "msturn.type", "msturn.att.type", "msturn.att.ipv4", "msturn.att.port",
                    "msturn.att.ms_sequence_number.sequence", "_ws.col.Info");
        Assert.False(r.LuaLoadError, r.Stderr);
        var rows = r.Rows.ToDictionary(x => x[0]);
        Assert.Equal("0x0113", rows["73"][1]);
        Assert.Equal("0x000f,0x8008,0x0009,0x000e,0x0014,0x0015,0x0001,0x8095,0x8020", rows["73"][2]);
        Assert.StartsWith("0x0115", rows["130"][1]);
        Assert.StartsWith("Data Indication", rows["130"][6]);
        Assert.StartsWith("87.65.99.139", rows["130"][3]);
        Assert.StartsWith("25710", rows["130"][4]);
        Assert.StartsWith("Send request", rows["184"][6]);
        Assert.Equal("1", rows["193"][5]);
    }

    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void No_traffic_of_other_applications_is_claimed(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        // Every capture the manifest does not list as Skype or Teams: Signal, WhatsApp, Discord, Zoom, Meet, generic
        // STUN…
        var others = File.ReadAllLines(Path.Combine(Repo.Corpus, "MANIFEST.tsv")).Skip(1).Select(l => l.Split('\t'))
            .Where(c => c[0] is not ("Skype" or "Microsoft Teams")).Select(c => c[1]).ToList();
        Assert.True(others.Count > 20);
        var claimed = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(others, new ParallelOptions { MaxDegreeOfParallelism = 2 }, c =>
        {
            var r = TsharkCli.Fields(ws, Repo.CorpusFile(c), "msturn || _ws.lua.error", "frame.number");
            if (r.LuaLoadError || r.Rows.Count > 0)
                claimed.Add($"{c}: {r.Rows.Count} frames");
        });
        Assert.Empty(claimed);
    }
}
