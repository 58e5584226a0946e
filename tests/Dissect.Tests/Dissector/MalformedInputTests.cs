using Dissect.Capture;
using Dissect.Capture.Fixtures;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Dissector;

public class MalformedInputTests
{
    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Broken_messages_give_expert_items_and_never_a_Lua_error(string wireshark)
    {
        var path = Path.Combine(Repo.TempDir("bad"), "malformed.pcap");
        IReadOnlyList<string> names;
        using (var w = PcapWriter.Create(path))
            names = MsTurnFixtures.WriteMalformed(w, randomCases: 150);
        var r = TsharkCli.Fields(Wireshark.Get(wireshark), path, null, "frame.number", "msturn.type", "_ws.lua.error",
            "_ws.expert.message", "msturn.flavour");
        Assert.False(r.LuaLoadError, r.Stderr);
        var rows = r.Rows;
        Assert.Equal(names.Count, rows.Count);
        Assert.All(rows, row => Assert.True(row[2] == "",
            $"Lua error in frame {row[0]} ({names[int.Parse(row[0]) - 1]})"));
        // The hand-written cases (the first 11) must each be flagged.
        for (var i = 0; i < 11; i++)
            Assert.True(rows[i][3] != "", $"no expert item for '{names[i]}'");
        var tcpBad = rows.Skip(rows.Count - 3).ToList();
        Assert.All(tcpBad, row => Assert.True(row[3] != "", $"no expert item for TCP frame {row[0]}"));
    }
}
