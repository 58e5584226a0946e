using Dissect.Analysis;
using Dissect.Tshark;

namespace Dissect.Tests.Support;

/// <summary>The packets the real tshark exports for some analyzers, read once, to feed several analyzers built
/// differently (the spill tests compare them).</summary>
public static class EkPackets
{
    /// <summary>Without the Lua: its fields are left out, and both sides see the same packets anyway.</summary>
    public static async Task<List<Packet>> ReadAsync(string capture, IAnalyzer analyzer)
    {
        var fields = CaptureAnalyzer.Fields([analyzer]).Where(f => !f.StartsWith("msturn",
            StringComparison.Ordinal)).ToList();
        var keyToField = fields.ToDictionary(EkRecord.KeyOf, f => f, StringComparer.Ordinal);
        var packets = new List<Packet>();
        await TsharkRunner.RunEkAsync(new TsharkCommand("tshark", capture, fields, Timeout: TimeSpan.FromSeconds(60)),
            line => packets.Add(new Packet(EkRecord.Parse(line, keyToField))));
        return packets;
    }
}
