using Dissect.Capture;
using Dissect.Capture.Fixtures;
using Dissect.Schema.Protocols;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Dissector;

/// <summary>Text attributes (SOFTWARE, REALM, USERNAME…) keep their bytes: UTF-8 whole, NULs and bad bytes
/// shown.</summary>
public class TextAttributeTests
{
    private static readonly Lazy<string> Capture = new(() =>
    {
        var path = Path.Combine(Repo.TempDir("text"), "text.pcap");
        using var w = PcapWriter.Create(path);
        byte[][] values =
        [
            System.Text.Encoding.UTF8.GetBytes("Skype™ Relay ünï"),
            [.. "before"u8, 0, .. "after"u8],
            [.. "bad"u8, 0xFF, .. "byte"u8, 0xC3],
        ];
        for (var i = 0; i < values.Length; i++)
            w.Udp(MsTurnFixtures.Start.AddSeconds(i), MsTurnFixtures.Client, MsTurnFixtures.Server,
                new StunMessage(MsTurn.Spec, MsTurn.Ms, 0x0003, 40 + i).Raw(0x8022, values[i]).Encode());
        return path;
    });

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void Text_keeps_utf8_shows_nul_and_bad_bytes_and_is_never_cut(string wireshark)
    {
        var r = TsharkCli.Fields(Wireshark.Get(wireshark), Capture.Value, "msturn", "msturn.att.software",
            "_ws.lua.error");
        Assert.False(r.LuaLoadError, r.Stderr);
        // -T fields doubles backslashes from 4.4 on; the field's value is the same.
        Assert.Equal(["Skype™ Relay ünï", "before\\0after", "bad\\xFFbyte\\xC3"],
            r.Rows.Select(x => x[0].Replace("\\\\", "\\", StringComparison.Ordinal)));
        Assert.All(r.Rows, x => Assert.Equal("", x[1]));
    }
}
