using System.Text;
using System.Text.Json;
using Dissect.Analysis;
using Dissect.Tests.Support;
using Dissect.Tshark;
using Xunit;

namespace Dissect.Tests.Analysis;

/// <summary>
/// DNS names beyond what memory holds go to disk and are summarised from there: the DNS section must come out the
/// same, byte for byte, as when every name stays in memory (whose facts the tshark cross-checks test).
/// </summary>
public class DnsSpillTests
{
    private static (string Json, long Spilled) Section(IEnumerable<Packet> packets, int residentNames)
    {
        var dns = new DnsAnalyzer(residentNames);
        foreach (var p in packets)
            dns.Add(p);
        var section = dns.Build(["192.0.2.1"]);
        return (JsonSerializer.Serialize(section, ReportJson.Options), dns.SpilledBytes);
    }

    [CorpusTheory(Timeout = 120_000)]
    [InlineData("Tfloow+LINFO1341/P1/trace/opening_onedrive/ssl_capture.pcap")]
    [InlineData("Tfloow+LINFO1341/P1/trace/simple_Chrome/ssl_capture.pcap")]
    [InlineData("Lopiuy+LINFO1341_P1/Traces/SurEduroam/audio.pcapng")]
    [InlineData("Constance-Diana+LINFO1341-PROJET1-2023/Capture scenario 1 home.pcapng")]
    public async Task Names_summarised_from_disk_match_names_kept_in_memory(string capture)
    {
        var packets = await EkPackets.ReadAsync(Repo.CorpusFile(capture), new DnsAnalyzer());
        var (inMemory, none) = Section(packets, DnsAnalyzer.DefaultResidentNames);
        Assert.Equal(0, none);
        Assert.Contains("\"cnameChain\": [\n", inMemory);
        // None in memory, then a few: every name's changes on disk, then names split between memory and disk (an
        // alias in memory whose chain ends on disk, and the reverse).
        foreach (var resident in new[] { 0, 1, 5, 17 })
        {
            var (fromDisk, spilled) = Section(packets, resident);
            Assert.True(spilled > 0, $"resident={resident}: nothing went to disk");
            Assert.Equal(inMemory, fromDisk);
        }
    }

    private static Packet Ek(params (string Field, string[] Values)[] fields)
    {
        var layers = fields.ToDictionary(f => f.Field, f => f.Values);
        var line = JsonSerializer.Serialize(new { timestamp = "1700000000000", layers });
        return new Packet(EkRecord.Parse(Encoding.UTF8.GetBytes(line), new Dictionary<string, string>()));
    }

    private static Packet Answer(long frame, string name, string[] owners, string[] types, string[] cnames,
        string[] a) => Ek(("frame.number", [$"{frame}"]), ("frame.time_epoch", [$"{frame}.0"]),
            ("frame.protocols", ["eth:ethertype:ip:udp:dns"]), ("ip.src", ["192.0.2.53"]), ("ip.dst", ["10.0.0.9"]),
            ("udp.srcport", ["53"]), ("udp.dstport", ["40000"]), ("dns.id", [$"{frame}"]),
            ("dns.flags.response", ["1"]), ("dns.qry.name", [name]), ("dns.qry.type", ["1"]),
            ("dns.count.answers", [$"{types.Length}"]), ("dns.resp.name", owners), ("dns.resp.type", types),
            ("dns.resp.ttl", [.. types.Select(_ => "60")]), ("dns.cname", cnames), ("dns.a", a));

    private static string[] IPv4Of(string json, string name) => JsonDocument.Parse(json).RootElement
        .GetProperty("names").EnumerateArray().Single(n => n.GetProperty("name").GetString() == name)
        .GetProperty("ipv4").EnumerateArray().Select(x => x.GetString()!).ToArray();

    [Fact]
    public void Thousands_of_unique_names_leave_no_file_behind_and_keep_their_cname_ends()
    {
        // An alias, then the name its chain ends at answered on its own with another address: the alias resolved to
        // both, whether the two names sit in memory, on disk, or one in each.
        var packets = new List<Packet>
        {
            Answer(1, "first.example", ["first.example", "final.example"], ["5", "1"], ["final.example"],
                ["192.0.2.1"]),
        };
        for (var i = 0; i < 3000; i++)
            packets.Add(Answer(i + 2, $"host{i}.example", [$"host{i}.example", $"edge{i % 7}.cdn.example"],
                ["5", "1"], [$"edge{i % 7}.cdn.example"], [$"203.0.113.{i % 7}"]));
        // A later answer spelt in capitals: the same name, wherever its state lives.
        packets.Add(Answer(4000, "HOST5.EXAMPLE", ["HOST5.EXAMPLE"], ["1"], [], ["198.51.100.5"]));
        packets.Add(Answer(4001, "final.example", ["final.example"], ["1"], [], ["192.0.2.2"]));
        packets.Add(Answer(4002, "edge3.cdn.example", ["edge3.cdn.example"], ["1"], [], ["192.0.2.3"]));
        var before = Directory.GetDirectories(Path.GetTempPath(), "dissect-dns-*").ToHashSet();
        var (inMemory, _) = Section(packets, DnsAnalyzer.DefaultResidentNames);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], IPv4Of(inMemory, "first.example"));
        Assert.Equal(["192.0.2.3", "203.0.113.3"], IPv4Of(inMemory, "host2999.example"));
        Assert.Equal(["198.51.100.5", "203.0.113.5"], IPv4Of(inMemory, "host5.example"));
        foreach (var resident in new[] { 0, 1, 100 })
        {
            var (fromDisk, spilled) = Section(packets, resident);
            Assert.True(spilled > 100_000, $"only {spilled} bytes went to disk");
            Assert.Equal(inMemory, fromDisk);
        }
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "dissect-dns-*").ToHashSet());
    }

    private static Packet Query(long frame, string name, string server) => Ek(("frame.number", [$"{frame}"]),
        ("frame.time_epoch", [$"{frame}.0"]), ("frame.protocols", ["eth:ethertype:ip:udp:dns"]),
        ("ip.src", ["10.0.0.9"]), ("ip.dst", [server]), ("udp.srcport", ["40000"]), ("udp.dstport", ["53"]),
        ("dns.id", [$"{frame}"]), ("dns.flags.response", ["0"]), ("dns.qry.name", [name]), ("dns.qry.type", ["1"]));

    [Fact]
    public void A_flood_of_queries_without_answers_counts_every_one_with_its_server()
    {
        // 70,000 queries wait at once (more than are kept waiting): the oldest are settled as unanswered as new ones
        // come, one is answered at once, one asked twice (one exchange) and one spelt in capitals.
        var packets = new List<Packet>();
        for (var i = 0; i < 70_000; i++)
            packets.Add(Query(i + 1, $"q{i:D5}.example", i % 3 == 0 ? "192.0.2.53" : "198.51.100.53"));
        packets.Insert(100, Query(99, "q00098.example", "198.51.100.53"));
        packets.Add(Query(70_001, "Q00007.EXAMPLE", "198.51.100.53"));
        packets.Add(Ek(("frame.number", ["70002"]), ("frame.time_epoch", ["70002.0"]),
            ("frame.protocols", ["eth:ethertype:ip:udp:dns"]), ("ip.src", ["192.0.2.53"]), ("ip.dst", ["10.0.0.9"]),
            ("udp.srcport", ["53"]), ("udp.dstport", ["40000"]), ("dns.id", ["70000"]), ("dns.flags.response", ["1"]),
            ("dns.qry.name", ["q69999.example"]), ("dns.qry.type", ["1"]), ("dns.count.answers", ["1"]),
            ("dns.resp.name", ["q69999.example"]), ("dns.resp.type", ["1"]), ("dns.resp.ttl", ["60"]),
            ("dns.a", ["203.0.113.9"])));
        foreach (var resident in new[] { DnsAnalyzer.DefaultResidentNames, 100 })
        {
            var dns = new DnsAnalyzer(resident);
            foreach (var p in packets)
                dns.Add(p);
            var d = dns.Build([]);
            // 70,000 names asked; q69999 answered; Q00007.EXAMPLE is q00007 spelt otherwise: listed apart, as asked.
            Assert.Equal(70_000, d.UnansweredCount);
            Assert.Equal(70_000, d.Unanswered.Count);
            Assert.Equal(["Q00007.EXAMPLE", "q00000.example", "q00001.example"], d.Unanswered.Take(3));
            Assert.Equal("q69998.example", d.Unanswered[^1]);
            Assert.DoesNotContain("q69999.example", d.Unanswered);
            // Queries, not names, by server: 23,334 to the first (i % 3 == 0) but the one answered; 46,666 to the
            // second, and the capitals' query (the second q00098 is the same exchange).
            Assert.Equal(new Dictionary<string, int> { ["192.0.2.53"] = 23_333, ["198.51.100.53"] = 46_667 },
                d.UnansweredByServer);
            Assert.Equal(70_000, d.Names.Count);
        }
    }
}
