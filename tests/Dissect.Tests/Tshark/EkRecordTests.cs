using System.Text;
using Dissect.Tshark;
using Xunit;

namespace Dissect.Tests.Tshark;

public class EkRecordTests
{
    private static readonly Dictionary<string, string> Keys = new(StringComparer.Ordinal)
    {
        ["frame_number"] = "frame.number",
        ["dns_qry_name"] = "dns.qry.name",
        ["msturn_att_type"] = "msturn.att.type",
    };

    [Fact]
    public void A_reused_record_holds_only_the_current_packet()
    {
        var rec = new EkRecord();
        rec.Load("""
            {"timestamp":"1","layers":{"frame_number":["1"],"dns_qry_name":["a.example"],
            "msturn_att_type":["0x000f","0x8008"]}}
            """u8, Keys);
        Assert.Equal(["0x000f", "0x8008"], rec["msturn.att.type"]);
        Assert.Equal("a.example", rec.First("dns.qry.name"));
        rec.Load("""{"timestamp":"2","layers":{"frame_number":["2"]}}"""u8, Keys);
        Assert.Equal("2", rec.First("frame.number"));
        Assert.False(rec.Has("dns.qry.name"));
        Assert.Empty(rec["msturn.att.type"]);
        Assert.Equal(["frame.number"], rec.FieldNames);
    }

    [Fact]
    public void Escaped_text_and_unknown_keys_are_read_as_they_are()
    {
        var rec = EkRecord.Parse("""{"layers":{"dns_qry_name":["a\u003cb\\\"c"],"other_field":["x"]}}"""u8, Keys);
        Assert.Equal("a<b\\\"c", rec.First("dns.qry.name"));
        Assert.Equal("x", rec.First("other_field"));
    }

    [Fact]
    public void Lines_longer_than_the_read_buffer_arrive_whole()
    {
        var big = new string('a', 3 << 20);
        var text = "first\n" + big + "\nlast";
        var lines = new List<string>();
        TsharkRunner.ReadLines(new MemoryStream(Encoding.ASCII.GetBytes(text)),
            l => lines.Add(Encoding.ASCII.GetString(l)));
        Assert.Equal(["first", big, "last"], lines);
    }

    [Fact(Timeout = 10_000)]
    public async Task Pausing_after_short_reads_loses_and_splits_no_line()
    {
        using var server = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        using var client = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.Out,
            server.ClientSafePipeHandle);
        var expected = Enumerable.Range(0, 300).Select(i => $"{{\"n\":{i}}}").ToList();
        // Writes in pieces that cut lines, with gaps, as tshark's buffered writes do.
        var bytes = Encoding.ASCII.GetBytes(string.Join("\n", expected) + "\n");
        var writer = Task.Run(async () =>
        {
            for (var at = 0; at < bytes.Length; at += 97)
            {
                await client.WriteAsync(bytes.AsMemory(at, Math.Min(97, bytes.Length - at)));
                if (at % 970 == 0)
                    await Task.Delay(3);
            }
            client.Dispose();
        });
        var lines = new List<string>();
        await Task.Run(() => TsharkRunner.ReadLines(server, l => lines.Add(Encoding.ASCII.GetString(l)),
            TimeSpan.FromMilliseconds(5)));
        await writer;
        Assert.Equal(expected, lines);
    }
}
