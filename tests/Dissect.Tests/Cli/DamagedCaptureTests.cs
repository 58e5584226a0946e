using System.Buffers.Binary;
using Dissect.Analysis;
using Dissect.Capture.Fixtures;
using Dissect.Cli;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Cli;

/// <summary>Damaged files and the formats tshark reads besides pcap and pcapng.</summary>
public class DamagedCaptureTests
{
    private static string Demo(string dir)
    {
        var path = Path.Combine(dir, "demo.pcap");
        DemoCapture.Write(path);
        return path;
    }

    [Theory]
    [InlineData("modpcap", "pcap (modified)")]
    [InlineData("netmon2", "Network Monitor 2")]
    [InlineData("snoop", "snoop")]
    public void Formats_tshark_reads_are_analysed_with_their_name(string editcapFormat, string name)
    {
        var dir = Repo.TempDir("formats");
        var converted = Path.Combine(dir, "converted.cap");
        var r = Proc.Run("editcap", ["-F", editcapFormat, Demo(dir), converted]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var (code, output, err) = DissectCli.Run("analyze", converted);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains($"converted.cap: 36 packets, 1.46 s, {name}", output);
    }

    [Fact]
    public void A_gzip_capture_is_read_by_its_content_whatever_its_name()
    {
        var dir = Repo.TempDir("gz");
        var gz = Path.Combine(dir, "really-gzip.pcap");
        using (var input = File.OpenRead(Demo(dir)))
        using (var output = new System.IO.Compression.GZipStream(File.Create(gz),
            System.IO.Compression.CompressionLevel.Fastest))
            input.CopyTo(output);
        var (code, output2, err) = DissectCli.Run("analyze", gz);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("36 packets", output2);
        Assert.Contains("gzip-compressed capture", output2);
    }

    [Theory]
    [InlineData("junk\n")]   // tshark opens it as "MP4 media": one record of the whole file
    [InlineData("hello, this is not a capture at all\n")]
    [InlineData("{\"packets\": []}\n")]   // read as one JSON record
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")]   // one PEM record
    public void A_file_that_is_no_capture_is_refused_even_when_tshark_opens_it_as_a_file_format(string content)
    {
        var path = Path.Combine(Repo.TempDir("notcap"), "text.pcap");
        File.WriteAllText(path, content);
        var (code, _, err) = DissectCli.Run("analyze", path);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Matches("holds no network packet|is not in a capture format tshark reads", err);
    }

    /// <summary>The demo as pcapng with the block length of its n-th block set absurdly large.</summary>
    private static string WithBadBlock(string dir, int block)
    {
        var ng = Path.Combine(dir, "demo.pcapng");
        Assert.Equal(0, Proc.Run("editcap", ["-F", "pcapng", Demo(dir), ng]).ExitCode);
        var bytes = File.ReadAllBytes(ng);
        var offset = 0;
        for (var i = 1; i < block; i++)
            offset += (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset + 4), 0x0FFFFFF0);
        var bad = Path.Combine(dir, "bad-block.pcapng");
        File.WriteAllBytes(bad, bytes);
        return bad;
    }

    [Fact]
    public void Damage_in_the_middle_reports_the_packets_before_it_with_a_warning_naming_where()
    {
        var dir = Repo.TempDir("badblock");
        // Blocks: section header, interface, then one per packet: block 13 is packet 11.
        var bad = WithBadBlock(dir, 13);
        var json = Path.Combine(dir, "m.json");
        var (code, output, err) = DissectCli.Run("analyze", bad, "--json", json);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("damaged after packet 10 (pcapng: total block length", output);
        var model = ReportJson.Read(json);
        Assert.Equal(10, model.Capture.Packets);
        Assert.True(model.Capture.Truncated);
    }

    [Fact]
    public void A_file_damaged_or_cut_before_its_first_packet_says_so_and_exits_1()
    {
        var dir = Repo.TempDir("early");
        var bad = WithBadBlock(dir, 3);
        var (code, _, err) = DissectCli.Run("analyze", bad);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("is damaged before its first packet", err);

        var ng = Path.Combine(dir, "demo.pcapng");
        // The demo's first n bytes, given to a command: exit 1 with the expected words, and nothing said as read.
        void Cut(int n, string command, string expected, string absent)
        {
            var cut = Path.Combine(dir, $"cut{n}.pcapng");
            File.WriteAllBytes(cut, File.ReadAllBytes(ng)[..n]);
            string[] args = command == "report" ? [command, cut, "-o", Path.Combine(dir, "out"), "--format", "json"]
                : [command, cut];
            var (c, output, e) = DissectCli.Run(args);
            Assert.Equal(ExitCodes.Failure, c);
            Assert.Contains(expected, e);
            Assert.DoesNotContain(absent, output + e);
        }
        // tshark reads 40 bytes as one whole-file "MIME" record, and the first four alone as an empty JSON document.
        Cut(40, "report", "is a pcapng file cut short or damaged before its first packet", "wrote");
        Cut(4, "analyze", "cut short or damaged before its first packet", "1 packets");
        Cut(200, "analyze", "cut short before its first packet", "packets before the cut were read");
    }
}

/// <summary>Marker and impossible values in captures: findings, never data.</summary>
public class SentinelValueTests
{
    [Fact]
    public void An_original_length_of_0xFFFFFFFF_is_an_anomaly_not_4_GiB_of_traffic()
    {
        var dir = Repo.TempDir("origlen");
        var path = Path.Combine(dir, "demo.pcap");
        DemoCapture.Write(path);
        var expected = Proc.Run("capinfos", ["-M", "-d", path]);   // data size, as capinfos (not Dissect) reads it
        var bytes = File.ReadAllBytes(path);
        var capLen = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24 + 8));
        var origLen = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24 + 12));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24 + 12), 0xFFFFFFFF);
        File.WriteAllBytes(path, bytes);
        var json = Path.Combine(dir, "m.json");
        var (code, output, err) = DissectCli.Run("analyze", path, "--json", json);
        Assert.True(code == 0, err);
        var model = ReportJson.Read(json);
        var total = long.Parse(System.Text.RegularExpressions.Regex.Match(expected.Stdout,
            @"Data size:\s+(\d+)").Groups[1].Value);
        Assert.Equal(total - origLen + capLen, model.Capture.Bytes);
        var a = Assert.Single(model.Capture.Anomalies);
        Assert.Equal(("implausible-length", 1L), (a.Kind, a.Count));
        Assert.StartsWith("frame 1: original length ", a.Example);   // tshark itself caps it at 2^31 - 1
        Assert.Contains("Anomaly: 1 frames claim an original length over 256 KiB", output);
    }

    [Fact]
    public void Dns_names_tshark_shows_as_markers_are_counted_apart_not_listed()
    {
        var dir = Repo.TempDir("dnsmarkers");
        var path = Path.Combine(dir, "markers.pcap");
        var client = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.168.1.20"), 40001);
        var resolver = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.168.1.1"), 53);
        using (var w = Dissect.Capture.PcapWriter.Create(path))
        {
            var t = MsTurnFixtures.Start;
            // A query for the root zone (NS .): the name is the single zero byte.
            w.Udp(t, client, resolver, [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x02, 0x00, 0x01]);
            // A query whose name is a compression pointer to itself.
            w.Udp(t.AddSeconds(1), client, resolver, [0x56, 0x78, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0x00,
                0x01, 0x00, 0x01]);
            w.Udp(t.AddSeconds(2), client, resolver, Dissect.Capture.DnsMessage.Query(9, "real.example", 1));
        }
        var names = TsharkCli.Fields(path, "dns", "dns.qry.name").Rows.Select(r => r[0]).ToList();
        Assert.Contains("<Root>", names);   // what tshark itself shows
        Assert.Contains(names, n => n.StartsWith('<') && n != "<Root>");
        var json = Path.Combine(dir, "m.json");
        var (code, output, err) = DissectCli.Run("analyze", path, "--json", json);
        Assert.True(code == 0, err);
        var model = ReportJson.Read(json);
        Assert.Equal(["real.example"], model.Dns.Names.Select(n => n.Name));
        Assert.Equal(["dns-placeholder", "dns-root"], model.Capture.Anomalies.Select(a => a.Kind));
        Assert.Contains("DNS: 1 messages are about the root zone", output);
    }
}

/// <summary>Names and capture strings reach the terminal escaped.</summary>
public class TerminalSafetyTests
{
    [Fact]
    public void Escape_sequences_and_bidi_overrides_in_file_names_never_reach_the_terminal()
    {
        var dir = Repo.TempDir("evil");
        var evil = Path.Combine(dir, "evil\u001b]0;pwned\u0007\u001b[31m\u202Egpj.pcap");
        DemoCapture.Write(evil);
        var missing = Path.Combine(dir, "nope\u001b[2J\u2028.pcap");
        foreach (var args in new[] { new[] { "analyze", evil }, ["analyze", missing], ["report", missing, "-o", dir],
                     ["report", evil, "-o", dir, "--format", "json"] })
        {
            var (_, output, err) = DissectCli.Run(args);
            var all = output + err;
            Assert.DoesNotContain('\u001b', all);
            Assert.DoesNotContain('\u0007', all);
            Assert.DoesNotContain('\u202E', all);
            Assert.DoesNotContain('\u2028', all);
            if (args[0] == "analyze")
                Assert.Contains("\\u001B", all);   // shown, not hidden
        }
    }

    [Fact]
    public void Line_and_paragraph_separators_are_escaped_in_report_text()
    {
        Assert.Equal("a\\u2028b\\u2029c\\u0000d", Dissect.Reporting.TextSafety.Clean("a\u2028b\u2029c\0d"));
    }
}
