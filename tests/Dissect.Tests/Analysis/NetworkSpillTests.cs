using System.Text;
using System.Text.Json;
using Dissect.Analysis;
using Dissect.Tests.Support;
using Dissect.Tshark;
using Xunit;

namespace Dissect.Tests.Analysis;

/// <summary>
/// Conversations and endpoints beyond what memory holds are counted from disk: the network section must come out the
/// same, byte for byte, as when all stay in memory (whose facts the tshark cross-checks test).
/// </summary>
public class NetworkSpillTests
{
    private static (string Json, long Spilled) Section(IEnumerable<Packet> packets, int resident)
    {
        var net = new NetworkAnalyzer(resident);
        foreach (var p in packets)
            net.Add(p);
        var shown = string.Join(' ', net.ShownAddresses().Order(StringComparer.Ordinal));
        var section = net.Build(new Dictionary<string, string>());
        return (shown + "\n" + JsonSerializer.Serialize(section, ReportJson.Options), net.SpilledBytes);
    }

    [CorpusTheory(Timeout = 120_000)]
    [InlineData("Tfloow+LINFO1341/P1/trace/opening_onedrive/ssl_capture.pcap")]
    [InlineData("Lopiuy+LINFO1341_P1/Traces/SurEduroam/audio.pcapng")]
    [InlineData("Constance-Diana+LINFO1341-PROJET1-2023/Capture scenario 1 home.pcapng")]
    public async Task Conversations_counted_from_disk_match_conversations_kept_in_memory(string capture)
    {
        var packets = await EkPackets.ReadAsync(Repo.CorpusFile(capture), new NetworkAnalyzer());
        var (inMemory, none) = Section(packets, NetworkAnalyzer.DefaultResident);
        Assert.Equal(0, none);
        Assert.Contains("\"topConversations\": [\n", inMemory);
        foreach (var resident in new[] { 0, 1, 7 })
        {
            var (fromDisk, spilled) = Section(packets, resident);
            Assert.True(spilled > 0, $"resident={resident}: nothing went to disk");
            Assert.Equal(inMemory, fromDisk);
        }
    }

    private static Packet Syn(int i, int bytes) => new(EkRecord.Parse(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
        new
        {
            timestamp = "1700000000000",
            layers = new Dictionary<string, string[]>
            {
                ["frame.len"] = [$"{bytes}"],
                ["frame.protocols"] = ["eth:ethertype:ip:tcp"],
                ["ip.src"] = ["192.168.1.10"],
                ["ip.dst"] = [$"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"],
                ["tcp.srcport"] = ["40000"],
                ["tcp.dstport"] = [$"{1 + i % 1000}"],
            },
        })), new Dictionary<string, string>()));

    [Fact(Timeout = 60_000)]
    public async Task A_port_scan_keeps_its_top_lists_and_counts_every_private_address_while_listing_64()
    {
        await Task.Yield();
        // 20,000 probes of 54 bytes to as many hosts, and 3 hosts answered with more: worked out by hand, the scanner
        // is in every conversation (20,000 frames), each of the three busier hosts has its one conversation on top.
        var net = new NetworkAnalyzer(resident: 100);
        for (var i = 0; i < 20_000; i++)
            net.Add(Syn(i, i is 5 or 9_999 or 19_000 ? 1_000 + i : 54));
        var s = net.Build(new Dictionary<string, string>());
        Assert.True(net.SpilledBytes > 0);
        Assert.Equal(20_001, s.PrivateAddressCount);
        Assert.Equal(64, s.PrivateAddresses.Count);
        Assert.Equal("10.0.0.0", s.PrivateAddresses[0]);
        Assert.Equal(s.PrivateAddresses.Order(StringComparer.Ordinal), s.PrivateAddresses);
        Assert.Equal(0, s.PublicAddressCount);
        Assert.Equal(["192.168.1.10", "10.0.74.56", "10.0.39.15", "10.0.0.5"],
            s.TopEndpoints.Take(4).Select(e => e.Address));
        Assert.Equal(20_000, s.TopEndpoints[0].Frames);
        Assert.Equal(19_997L * 54 + 1_005 + 10_999 + 20_000, s.TopEndpoints[0].Bytes);
        Assert.Equal(15, s.TopConversations.Count);
        Assert.Equal([20_000L, 10_999, 1_005, 54], s.TopConversations.Take(4).Select(c => c.Bytes));
        Assert.Equal("10.0.74.56:1", s.TopConversations[0].A);
        // Equal bytes: ordered by their ends, whatever order the packets came in.
        Assert.Equal("10.0.0.0:1", s.TopConversations[3].A);
    }

    [Fact]
    public void A_conversation_without_ports_between_IPv6_hosts_is_named_by_its_whole_address()
    {
        var net = new NetworkAnalyzer();
        var ping = new Packet(EkRecord.Parse(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            timestamp = "1700000000000",
            layers = new Dictionary<string, string[]>
            {
                ["frame.len"] = ["118"],
                ["frame.protocols"] = ["eth:ethertype:ipv6:icmpv6"],
                ["ipv6.src"] = ["2001:db8::1"],
                ["ipv6.dst"] = ["2001:db8::53"],
            },
        })), new Dictionary<string, string>()));
        net.Add(ping);
        Assert.Contains("2001:db8::53", net.ShownAddresses());
        var c = Assert.Single(net.Build(new Dictionary<string, string> { ["2001:db8::53"] = "ns.example" })
            .TopConversations);
        Assert.Equal(("2001:db8::1", "2001:db8::53", "other", "ns.example"), (c.A, c.B, c.Transport, c.Name));
    }
}
