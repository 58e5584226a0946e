using System.Globalization;
using Dissect.Analysis;
using Dissect.Capture.Fixtures;
using Dissect.Cli;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Analysis;

/// <summary>The demo capture analysed once with the real tshark and the generated dissector.</summary>
public sealed class DemoModel
{
    public string Capture { get; }
    public ReportModel Model { get; }

    public DemoModel()
    {
        Capture = Path.Combine(Repo.TempDir("demo"), "demo.pcap");
        DemoCapture.Write(Capture);
        Model = CaptureAnalyzer.AnalyzeAsync(Capture, Runtime.Prepare(null)).GetAwaiter().GetResult();
    }
}

public class AnalysisTests(DemoModel demo) : IClassFixture<DemoModel>
{
    private ReportModel M => demo.Model;

    [Fact]
    public void Capture_facts_come_from_the_file_and_its_own_timestamps()
    {
        Assert.Equal("pcap", M.Capture.Format);
        Assert.Equal(36, M.Capture.Packets);
        Assert.Equal(new DateTimeOffset(2023, 3, 20, 13, 59, 59, TimeSpan.Zero), M.Capture.FirstPacket);
        Assert.Equal(64, M.Capture.Sha256.Length);
        Assert.Equal(["eth"], M.Capture.LinkTypes);
    }

    [Fact]
    public void A_CNAME_chain_is_resolved_end_to_end_to_both_address_families()
    {
        Assert.Equal(2, M.Dns.Names.Count);
        var name = M.Dns.Names.Single(n => n.Name == DemoCapture.Name);
        Assert.Equal([DemoCapture.Alias1, DemoCapture.Canonical], name.CnameChain);
        Assert.Equal(["20.202.1.6"], name.IPv4);
        Assert.Equal(["2603:1027:1:28::6"], name.IPv6);
        Assert.Equal(3, M.Dns.QueryCount);
        Assert.Equal(0, M.Dns.UnansweredCount);
        Assert.Equal(2, M.Dns.QueryTypes["A"]);
        Assert.Equal(1, M.Dns.QueryTypes["AAAA"]);
    }

    [Fact]
    public void TURN_allocations_peers_and_NAT_are_read_from_the_msturn_fields()
    {
        var s = M.Stun;
        Assert.Equal("nat", s.Nat.Verdict);
        Assert.Equal(["192.168.1.18"], s.Nat.Local);
        Assert.Equal(["81.247.114.53"], s.Nat.Public);
        Assert.Equal("NAT detected: 192.168.1.18 is seen by the STUN/TURN server as 81.247.114.53.",
            Prose.En(Findings.NatFinding(s.Nat)));
        Assert.Contains("87.65.99.139:25710", s.Peers);
        var first = s.Allocations.First(a => a.Frame == 15);
        Assert.Equal("20.202.147.12:3480", first.Relayed);
        Assert.Equal("81.247.114.53:30936", first.Mapped);
        Assert.Equal(60u, first.Lifetime);
        Assert.Contains(s.Allocations, a => a.Deallocated == false && a.Server.StartsWith("20.202.147.14:443",
            StringComparison.Ordinal));
        Assert.Equal(2, s.MessageTypes["Send request"]);
        Assert.Contains(1L, s.StreamTypes);   // the schema's stream type 1, audio
        Assert.Contains("Mar 15 2023 15:49:43 - local", s.Software);
        Assert.True(s.RelayedMediaPackets >= 6);
    }

    [Fact]
    public void A_TLS_handshake_gives_offered_and_chosen_parameters_and_a_checked_certificate()
    {
        var c = Assert.Single(M.Tls.Connections);
        Assert.Equal(("192.168.1.18:53200", "52.113.194.132:443", "teams.example.com"), (c.Client, c.Server, c.Sni));
        Assert.Equal(["h2", "http/1.1"], c.Alpn);
        Assert.Equal(["TLS 1.3", "TLS 1.2"], c.OfferedVersions);
        Assert.Equal(9, c.OfferedSuiteCount);
        Assert.Equal("TLS 1.2", c.ChosenVersion);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", c.ChosenSuite!.Name);
        // JA4 checked against an independent implementation of the FoxIO specification.
        Assert.Equal("t13d0906h2_92898f2cba2d_0d385148b956", c.Ja4);
        var cert = Assert.Single(M.Tls.Certificates);
        Assert.Equal(("teams.example.com", "valid", 365, "RSA", 2048, true), (cert.CommonName, cert.Status,
            cert.LifetimeDays, cert.KeyType, cert.KeySize, cert.SniMatches));
        Assert.Equal(DemoCapture.CertNotAfter, cert.NotAfter);
        Assert.Equal(["teams.example.com", "*.teams.example.com"], cert.SubjectAltNames);
    }

    [Fact]
    public void The_committed_sample_is_what_the_fixture_encoder_builds()
    {
        Assert.Equal(File.ReadAllBytes(Path.Combine(Repo.Root, "samples", "demo.pcap")),
            File.ReadAllBytes(demo.Capture));
    }

    [Fact]
    public void The_message_sequence_is_binned_by_kind_and_the_call_phases_are_stated()
    {
        long Sum(string kind) => M.Stun.MessagesOverTime.Sum(b => b.Counts.GetValueOrDefault(kind));
        Assert.Equal(9, Sum("Allocate"));
        Assert.Equal(2, Sum("Send"));
        Assert.Equal(1, Sum("Data Indication"));
        Assert.Equal(2, Sum("Set Active Destination"));
        Assert.Contains(M.Findings, f => Prose.En(f).StartsWith("Call phases: TURN set-up from 1 s, media from " +
            "1.1 s", StringComparison.Ordinal));
    }

    [Fact]
    public void The_model_names_endpoints_from_the_captures_own_DNS_answers()
    {
        Assert.Contains(M.Network.TopEndpoints, e => e.Address == "20.202.1.6" && e.Name == DemoCapture.Name);
    }

    [Fact]
    public void The_JSON_model_round_trips_and_carries_its_schema_version()
    {
        var json = ReportJson.Serialize(M);
        Assert.Contains($"\"schemaVersion\": {ReportModel.CurrentSchemaVersion}", json);
        var back = ReportJson.Deserialize(json)!;
        Assert.Equal(M.Capture.Sha256, back.Capture.Sha256);
        Assert.Equal(json, ReportJson.Serialize(back));
    }

    [Fact]
    public void Cipher_suites_are_broken_down_and_weak_ones_flagged()
    {
        var gcm = CipherSuites.Describe(0xC02F);
        Assert.Equal(("ECDHE", "RSA", "AES-128", "GCM", "SHA256", true), (gcm.KeyExchange, gcm.Authentication,
            gcm.Cipher, gcm.Mode, gcm.Hash, gcm.ForwardSecrecy));
        Assert.Null(gcm.Weakness);
        Assert.Equal("cbc-sha1", CipherSuites.Describe(0x002F).Weakness);
        Assert.False(CipherSuites.Describe(0x002F).ForwardSecrecy);
        Assert.Equal("rc4", CipherSuites.Describe(0x0005).Weakness);
        Assert.True(CipherSuites.Describe(0x1301).ForwardSecrecy);
        Assert.True(CipherSuites.IsGrease(0x3A3A));
    }

    [CorpusFact]
    public void A_real_TLS_capture_yields_versions_suites_and_certificates_checked_at_capture_time()
    {
        var cap = Repo.CorpusFile("zeek+zeek/testing/btest/Traces/tls/tls-expired-cert.pcap");
        var m = CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null)).GetAwaiter().GetResult();
        Assert.NotEmpty(m.Tls.Connections);
        Assert.NotEmpty(m.Tls.Certificates);
        Assert.Contains(m.Tls.Certificates, c => c.Status == "expired");
        Assert.All(m.Tls.Certificates, c => Assert.True(c.NotAfter > c.NotBefore));
    }

    [CorpusFact]
    public void DNS_counts_agree_with_tshark_dns_tree()
    {
        foreach (var c in new[] { "Lopiuy+LINFO1341_P1/Traces/audio.pcapng",
            "Tfloow+LINFO1341/P1/trace/opening_onedrive/ssl_capture.pcap" })
        {
            var cap = Repo.CorpusFile(c);
            var m = CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null)).GetAwaiter().GetResult();
            var tree = TsharkCli.Run("-r", cap, "-q", "-z", "dns,tree").Stdout;
            long Count(string item) => long.Parse(System.Text.RegularExpressions.Regex.Match(tree,
                @"\n\s*" + System.Text.RegularExpressions.Regex.Escape(item) + @"\s+(\d+)").Groups[1].Value);
            Assert.Equal(Count("Query"), m.Dns.QueryCount);
            Assert.Equal(Count("Response"), m.Dns.ResponseCount);
            // dns,tree counts response codes over every packet: queries carry rcode 0 ("No error").
            Assert.Equal(Count("No error"), m.Dns.QueryCount + m.Dns.Rcodes.GetValueOrDefault("NOERROR"));
            var udp = TsharkCli.Run("-r", cap, "-Y", "udp", "-T", "fields", "-e", "frame.number").Rows.Count;
            Assert.Equal(udp, m.Network.UdpPackets);
        }
    }
}

public class CaptureFileTests
{
    [Fact]
    public async Task A_gzip_compressed_capture_is_read_as_tshark_reads_it()
    {
        var dir = Repo.TempDir("gz");
        var gz = Path.Combine(dir, "demo.pcap.gz");
        await using (var o = File.Create(gz))
        await using (var z = new System.IO.Compression.GZipStream(o, System.IO.Compression.CompressionLevel.Fastest))
            await z.WriteAsync(await File.ReadAllBytesAsync(Path.Combine(Repo.Root, "samples", "demo.pcap")));
        var m = await CaptureAnalyzer.AnalyzeAsync(gz, Runtime.Prepare(null));
        Assert.Equal("gzip-compressed capture", m.Capture.Format);
        Assert.Equal(36, m.Capture.Packets);
    }

    [Fact]
    public void Files_that_are_not_captures_get_a_clear_error()
    {
        var dir = Repo.TempDir("notcap");
        var text = Path.Combine(dir, "notes.txt");
        File.WriteAllText(text, "hello, this is not a capture");
        var empty = Path.Combine(dir, "empty.pcap");
        File.WriteAllBytes(empty, []);
        Assert.Equal("read by tshark", CaptureAnalyzer.CheckCaptureFile(text));   // tshark has the last word on formats
        Assert.Contains("is empty", Assert.Throws<CaptureFileException>(() =>
            CaptureAnalyzer.CheckCaptureFile(empty)).Message);
        Assert.Contains("is a directory", Assert.Throws<CaptureFileException>(() =>
            CaptureAnalyzer.CheckCaptureFile(dir)).Message);
        Assert.Contains("does not exist", Assert.Throws<CaptureFileException>(() =>
            CaptureAnalyzer.CheckCaptureFile(Path.Combine(dir, "nope.pcap"))).Message);
    }
}

public class ReportModelSchemaTests
{
    [Fact]
    public void The_committed_JSON_schema_of_the_model_is_current()
    {
        Assert.True(File.ReadAllText(Path.Combine(Repo.Root, "docs",
            "report-model.schema.json")) == ReportJson.Schema(),
            "docs/report-model.schema.json is stale: run 'dissect docs' and commit");
    }
}

public class TsharkStatisticsTests
{
    /// <summary>tshark -z io,phs as path → frames; the dissector's TCP port wrapper node is folded into its parent as
    /// the model does.</summary>
    private static Dictionary<string, long> Phs(string capture)
    {
        // With the preferences Dissect sets for its own pass (out-of-order TCP reassembly).
        var prefs = CaptureAnalyzer.Preferences.SelectMany(p => new[] { "-o", p });
        var r = TsharkCli.Run(["-X", "lua_script:" + Repo.Dissector, .. TsharkCli.DissectHeuristics, .. prefs, "-r",
            capture, "-q", "-z", "io,phs"]);
        var stack = new List<string>();
        var result = new Dictionary<string, long>();
        foreach (var line in r.Stdout.Split('\n'))
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^( *)(\S+)\s+frames:(\d+)");
            if (!m.Success) continue;
            var depth = m.Groups[1].Value.Length / 2;
            stack.RemoveRange(depth, stack.Count - depth);
            stack.Add(m.Groups[2].Value);
            // The root node "frame" is not part of frame.protocols.
            // Nodes that only the dissector's dispatching adds (port wrapper, post-dissector, Lua heuristic) are
            // folded.
            // tcp.segments is a reassembly item, not a layer of frame.protocols.
            // _ws.* items (malformed, Lua's heuristic wrapper) are tree items, not layers.
            static bool Folded(string s) => s is "msturn_tcp" or "msturn_late" || s.StartsWith("_ws.",
                StringComparison.Ordinal);
            // Below ICMP, io,phs follows the tree (quoted packet) and frame.protocols the layers: not comparable.
            // Only a post-dissector (or a tap) makes io,phs start at "frame"; the dissector registers one only for
            // captures with MS-TURN over TCP.
            if (stack.Count == 1 && stack[0] == "frame" || Folded(stack[^1]) || stack.Contains("tcp.segments")
                || stack.SkipLast(1).Any(x => x.StartsWith("icmp", StringComparison.Ordinal))) continue;
            var layers = stack.Skip(stack[0] == "frame" ? 1 : 0).Where(s => !Folded(s)).ToList();
            // Link, network, transport and first application layer: deeper, io,phs repeats tree items (coalesced QUIC
            // packets…).
            if (layers.Count > 4) continue;
            var path = string.Join(':', layers);
            result[path] = result.GetValueOrDefault(path) + long.Parse(m.Groups[3].Value);
        }
        return result;
    }

    [CorpusFact]
    public async Task The_protocol_hierarchy_agrees_with_tshark_io_phs()
    {
        foreach (var c in new[] { "Lopiuy+LINFO1341_P1/Traces/audio.pcapng",
            "Tfloow+LINFO1341/P1/trace/simple_Chrome/ssl_capture.pcap" })
        {
            var cap = Repo.CorpusFile(c);
            var m = await CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
            var ours = m.Network.ProtocolPaths.ToDictionary(p => p.Protocol, p => p.Frames);
            var theirs = Phs(cap);
            Assert.NotEmpty(theirs);
            foreach (var (path, frames) in theirs)
                Assert.True(ours.GetValueOrDefault(path) == frames,
                    $"{c}: {path}: tshark {frames}, Dissect {ours.GetValueOrDefault(path)}");
        }
    }
}

public class GenericStunTests
{
    [Fact]
    public async Task A_plain_STUN_binding_to_a_public_server_reveals_the_NAT_but_ICE_checks_do_not()
    {
        var path = Path.Combine(Repo.TempDir("stun"), "stun.pcap");
        var client = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.168.0.10"), 40000);
        var server = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("74.125.250.129"), 3478);
        var peer = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("198.51.100.7"), 3478);
        using (var w = Dissect.Capture.PcapWriter.Create(path))
        {
            var t = MsTurnFixtures.Start;
            var S = Dissect.Schema.Protocols.MsTurn.Spec;
            const string Rfc = Dissect.Schema.Protocols.MsTurn.Rfc;
            w.Udp(t, client, server, new Dissect.Capture.StunMessage(S, Rfc, 0x0001, 1).Encode());
            w.Udp(t.AddMilliseconds(30), server, client, new Dissect.Capture.StunMessage(S, Rfc, 0x0101, 1)
                .Address(0x0020, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("203.0.113.9"),
                    51000)).Text(0x8022, "Citrix-3.2.4.5").Encode());
            // An ICE check with a peer: its answer shows the peer's view and must not count as the NAT mapping.
            w.Udp(t.AddMilliseconds(60), client, peer, new Dissect.Capture.StunMessage(S, Rfc, 0x0001, 2).UInt32(0x0024,
                12345).Encode());
            w.Udp(t.AddMilliseconds(90), peer, client, new Dissect.Capture.StunMessage(S, Rfc, 0x0101, 2)
                .Address(0x0020, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.44"), 1234)).Encode());
        }
        var m = await CaptureAnalyzer.AnalyzeAsync(path, Runtime.Prepare(null));
        Assert.Equal("nat", m.Stun.Nat.Verdict);
        Assert.Equal("NAT detected: 192.168.0.10 is seen by the STUN/TURN server as 203.0.113.9.",
            Prose.En(Findings.NatFinding(m.Stun.Nat)));
        Assert.Equal(["203.0.113.9:51000"], m.Stun.MappedAddresses);
        Assert.Equal(2, m.Stun.MessageTypes["Binding success response (STUN)"]);
        Assert.Contains("Citrix-3.2.4.5", m.Stun.Software);
        Assert.Equal(0, m.Stun.MsTurnMessages);
    }

    [CorpusFact]
    public async Task A_Signal_relayed_call_shows_its_TURN_allocations_and_NAT()
    {
        var m = await CaptureAnalyzer.AnalyzeAsync(Repo.CorpusFile("MxDx+LINFO1341_Projet/NAT " +
            "analysis/call_relay_2.pcap"), Runtime.Prepare(null));
        // IPv4 is translated; over IPv6 the server sees the host's own addresses (no NAT there).
        Assert.Equal("nat", m.Stun.Nat.Verdict);
        Assert.Equal(["192.168.1.56"], m.Stun.Nat.Local);
        Assert.Equal(["81.240.78.119"], m.Stun.Nat.Public);
        Assert.NotEmpty(m.Stun.Nat.Untranslated);
        Assert.All(m.Stun.Nat.Untranslated, a => Assert.Contains(':', a));
        Assert.StartsWith("NAT detected: 192.168.1.56 is seen by the STUN/TURN server as 81.240.78.119. Over IPv6 " +
            "the server sees the host's own", Prose.En(Findings.NatFinding(m.Stun.Nat)));
        // Every Allocate success response, over IPv4 and IPv6, as tshark counts them.
        var successes = TsharkCli.Fields(Repo.CorpusFile("MxDx+LINFO1341_Projet/NAT analysis/call_relay_2.pcap"),
            "stun.type == 0x0103",
            "frame.number").Rows.Count;
        Assert.Equal(4, successes);
        Assert.Equal(successes, m.Stun.Allocations.Count);
        Assert.All(m.Stun.Allocations, a => Assert.NotNull(a.Relayed));
    }
}

public class ConversationStatisticsTests
{
    [CorpusFact]
    public async Task UDP_conversations_agree_with_tshark_conv_udp()
    {
        var cap = Repo.CorpusFile("Lopiuy+LINFO1341_P1/Traces/audio.pcapng");
        var m = await CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
        var r = TsharkCli.Run("-r", cap, "-q", "-z", "conv,udp");
        // "a:port <-> b:port  frames bytes unit  frames bytes unit  total-frames …": compare total frames per pair.
        var theirs = new Dictionary<(string, string), long>();
        foreach (var line in r.Stdout.Split('\n'))
        {
            var mm = System.Text.RegularExpressions.Regex.Match(line,
                @"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+\d+\s+\S+\s+(\d+)\s+\d+\s+\S+\s+(\d+)\s");
            if (!mm.Success) continue;
            var (a, b) = string.CompareOrdinal(mm.Groups[1].Value, mm.Groups[2].Value) < 0 ? (mm.Groups[1].Value,
                mm.Groups[2].Value) : (mm.Groups[2].Value, mm.Groups[1].Value);
            theirs[(a, b)] = long.Parse(mm.Groups[5].Value);
        }
        // tshark writes IPv6 endpoints without brackets.
        static string Plain(string ep) => ep.Replace("[", "").Replace("]", "");
        var udp = m.Network.TopConversations.Where(c => c.Transport == "UDP").ToList();
        Assert.NotEmpty(udp);
        foreach (var c in udp)
        {
            var (a, b) = string.CompareOrdinal(Plain(c.A), Plain(c.B)) < 0 ? (Plain(c.A), Plain(c.B)) : (Plain(c.B),
                Plain(c.A));
            Assert.True(theirs.TryGetValue((a, b), out var frames) && frames == c.Frames,
                $"{a} <-> {b}: Dissect {c.Frames}, tshark {(theirs.TryGetValue((a, b), out var f) ? f : -1)}");
        }
    }
}

public class AddressCountTests
{
    // The ranges, written out here rather than taken from Dissect: RFC 1918, 6598, loopback, link-local, ULA.
    private static readonly System.Net.IPNetwork[] PrivateNets = [.. new[] { "10.0.0.0/8", "172.16.0.0/12",
        "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "fe80::/10", "fec0::/10", "fc00::/7",
        "::1/128" }.Select(System.Net.IPNetwork.Parse)];
    private static readonly System.Net.IPNetwork[] NotHosts = [.. new[] { "224.0.0.0/4", "255.255.255.255/32",
        "ff00::/8" }.Select(System.Net.IPNetwork.Parse)];

    [CorpusTheory(Timeout = 120_000)]
    [InlineData("Constance-Diana+LINFO1341-PROJET1-2023/Capture scenario 1 home.pcapng")]
    [InlineData("Lopiuy+LINFO1341_P1/Traces/SurEduroam/audio.pcapng")]
    public async Task Private_and_public_address_counts_agree_with_tshark_endpoints(string capture)
    {
        var cap = Repo.CorpusFile(capture);
        var m = await CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
        var r = TsharkCli.Run("-n", "-r", cap, "-q", "-z", "endpoints,ip", "-z", "endpoints,ipv6");
        var addresses = r.Stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 2 && System.Net.IPAddress.TryParse(f[0], out _) && f[1].All(char.IsAsciiDigit))
            .Select(f => System.Net.IPAddress.Parse(f[0])).ToHashSet();
        var priv = addresses.Count(a => PrivateNets.Any(n => n.Contains(a)));
        var pub = addresses.Count(a => !PrivateNets.Any(n => n.Contains(a)) && !NotHosts.Any(n => n.Contains(a)));
        Assert.True(priv > 1, "the capture should have several private addresses");
        Assert.Equal(priv, m.Network.PrivateAddressCount);
        Assert.Equal(Math.Min(priv, 64), m.Network.PrivateAddresses.Count);
        Assert.Equal(pub, m.Network.PublicAddressCount);
    }
}

public class TrafficChartTests
{
    /// <summary>
    /// The traffic chart's bins, packets and bytes, are tshark's own <c>-z io,stat</c> intervals at the chart's width:
    /// both count from the first packet.
    /// </summary>
    [CorpusTheory(Timeout = 120_000)]
    [InlineData("Baboushka+LINFO1341-P1/CallAudio/Ethernet/packets/K1AE.pcapng")]
    [InlineData("Lopiuy+LINFO1341_P1/Traces/SurEduroam/audio.pcapng")]
    public Task Traffic_bins_are_tsharks_io_stat_intervals(string capture) =>
        AssertBinsAreIoStat(Repo.CorpusFile(capture));

    /// <summary>The demo's bins are 0.1 s wide and its packets sit on whole tenths (1.2 s, 1.4 s): each in its own
    /// bin, as in tshark's, not the one before (1.2 / 0.1 is 11.999… in floating point).</summary>
    [Fact(Timeout = 60_000)]
    public async Task Packets_on_a_bin_boundary_count_in_the_bin_they_start()
    {
        var cap = Path.Combine(Repo.TempDir("traffic-bins"), "demo.pcap");
        DemoCapture.Write(cap);
        var m = await AssertBinsAreIoStat(cap);
        Assert.Equal(0.1, m.Traffic.BinSeconds);
    }

    private static async Task<ReportModel> AssertBinsAreIoStat(string cap)
    {
        var m = await CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
        var width = m.Traffic.BinSeconds.ToString(CultureInfo.InvariantCulture);
        var r = TsharkCli.Run("-n", "-r", cap, "-q", "-z", "io,stat," + width);
        // "|  0.0 <>  0.5 |     12 |   3456 |": the interval's start, its frames and its bytes.
        var tshark = r.Stdout.Split('\n').Where(l => l.Contains("<>", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (double.Parse(f[0].Split(' ')[0], CultureInfo.InvariantCulture), long.Parse(f[1],
                CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture))).ToList();
        var ours = m.Traffic.Bins.Select(b => (b.StartSeconds, b.Packets, b.Bytes)).ToList();
        Assert.True(ours.Count > 10, "the capture should span many bins");
        Assert.Equal(tshark.Take(ours.Count), ours);
        Assert.All(tshark.Skip(ours.Count), t => Assert.Equal(0, t.Item2));
        return m;
    }
}

public class DnsChainTests
{
    /// <summary>
    /// Every address of every response to a name, read by a separate plain tshark call, is among the name's addresses
    /// in the model, whichever CNAME chain (A or AAAA, before or after a change) led to it.
    /// </summary>
    [CorpusFact]
    public async Task A_name_keeps_the_addresses_of_all_its_chains()
    {
        foreach (var c in new[]
        {
            "Baboushka+LINFO1341-P1/CallAudio/Ethernet/packets/K1AE.pcapng", "Lopiuy+LINFO1341_P1/Traces/audio.pcapng",
            "Lopiuy+LINFO1341_P1/Traces/SurEduroam/audio.pcapng",
        })
        {
            var cap = Repo.CorpusFile(c);
            var m = await CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
            var names = m.Dns.Names.ToDictionary(n => n.Name, StringComparer.OrdinalIgnoreCase);
            var r = TsharkCli.Run("-n", "-r", cap, "-Y", "dns.flags.response == 1 && !mdns && !llmnr", "-T", "fields",
                "-E", "occurrence=a", "-E", "aggregator=,", "-e", "dns.qry.name", "-e", "dns.a", "-e", "dns.aaaa");
            var expected = 0;
            foreach (var row in r.Rows)
            {
                var name = names[row[0]];
                foreach (var a in row[1].Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    expected++;
                    Assert.True(name.IPv4.Contains(a), $"{c}: {row[0]} lacks {a} ({string.Join(" ", name.IPv4)})");
                }
                foreach (var a in row[2].Split(',', StringSplitOptions.RemoveEmptyEntries))
                    Assert.True(name.IPv6.Contains(a), $"{c}: {row[0]} lacks {a}");
            }
            Assert.True(expected > 5, c);
        }
        var k1ae = await CaptureAnalyzer.AnalyzeAsync(
            Repo.CorpusFile("Baboushka+LINFO1341-P1/CallAudio/Ethernet/packets/K1AE.pcapng"), Runtime.Prepare(null));
        var relay = k1ae.Dns.Names.Single(n => n.Name == "euaz.relay.teams.microsoft.com");
        Assert.Contains("52.114.248.10", relay.IPv4);
        Assert.True(relay.Chains.Count >= 2, string.Join(" | ", relay.Chains.Select(ch =>
            ch.QueryType + ":" + string.Join(">", ch.Cnames))));
    }
}

public class TlsReassemblyTests
{
    /// <summary>
    /// A ServerHello split over out-of-order segments is read (the eduroam Skype call shows 11 of them, and 10 chains
    /// of
    /// certificates): the count equals a plain tshark reading with out-of-order reassembly on, and exceeds one without.
    /// </summary>
    [CorpusFact]
    public async Task Handshakes_in_out_of_order_segments_are_counted()
    {
        var cap = Repo.CorpusFile("Lopiuy+LINFO1341_P1/Traces/SurEduroam/audio.pcapng");
        var m = await CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
        int Count(params string[] prefs) => TsharkCli.Run([.. prefs, "-n", "-r", cap, "-Y", "tls.handshake.type == 2",
            "-T", "fields", "-e", "frame.number"]).Rows.Count;
        var inOrder = Count("-o", "tcp.reassemble_out_of_order:TRUE");
        Assert.True(inOrder >= 10, $"{inOrder} ServerHellos");
        Assert.True(Count() < inOrder);
        Assert.Equal(inOrder, m.Tls.ServerHellos);
        Assert.True(m.Tls.Certificates.Count > 0);
    }
}

public class DnsUnansweredTests
{
    /// <summary>
    /// The names left unanswered are those of the queries tshark itself leaves without dns.response_in (it matches
    /// id, addresses, ports and transport; a retransmitted query is answered with its original), read in a separate
    /// two-pass tshark call.
    /// </summary>
    [CorpusFact]
    public async Task Unanswered_queries_are_those_tshark_matches_to_no_response()
    {
        foreach (var c in File.ReadAllLines(Path.Combine(Repo.Corpus, "MANIFEST.tsv")).Skip(1).Select(l =>
            l.Split('\t'))
            .Where(x => x[8] != "0").Select(x => x[1]).Take(6))
        {
            var cap = Repo.CorpusFile(c);
            var m = await CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
            var r = TsharkCli.Run("-2", "-n", "-r", cap, "-Y",
                "dns.flags.response == 0 && !dns.response_in && !dns.retransmission && !mdns && !llmnr",
                "-T", "fields", "-e", "dns.qry.name");
            var theirs = r.Rows.Select(x => x[0]).Where(x =>
                x.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
            Assert.True(theirs.SequenceEqual(m.Dns.Unanswered),
                $"{c}: tshark [{string.Join(", ", theirs)}] / Dissect [{string.Join(", ", m.Dns.Unanswered)}]");
        }
        // Built here: a response from another server, or to another port, does not answer a query with its id and name.
        var path = Path.Combine(Repo.TempDir("dns-unanswered"), "dns.pcap");
        using (var w = Dissect.Capture.PcapWriter.Create(path))
        {
            var t = new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero);
            var client = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.168.1.20"), 40000);
            var other = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.168.1.20"), 40001);
            var s1 = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.168.1.1"), 53);
            var s2 = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("9.9.9.9"), 53);
            var a = new Dissect.Capture.DnsMessage.Answer("answered.example", 1, 60, "203.0.113.1");
            w.Udp(t, client, s1, Dissect.Capture.DnsMessage.Query(7, "answered.example", 1));
            w.Udp(t.AddMilliseconds(10), s1, client, Dissect.Capture.DnsMessage.Response(7, "answered.example", 1, a));
            w.Udp(t.AddSeconds(1), client, s1, Dissect.Capture.DnsMessage.Query(8, "other-server.example", 1));
            w.Udp(t.AddSeconds(1.01), s2, client, Dissect.Capture.DnsMessage.Response(8, "other-server.example", 1));
            w.Udp(t.AddSeconds(2), client, s1, Dissect.Capture.DnsMessage.Query(9, "other-port.example", 1));
            w.Udp(t.AddSeconds(2.01), s1, other, Dissect.Capture.DnsMessage.Response(9, "other-port.example", 1));
        }
        var built = await CaptureAnalyzer.AnalyzeAsync(path, Runtime.Prepare(null));
        var expected = TsharkCli.Run("-2", "-n", "-r", path, "-Y", "dns.flags.response == 0 && !dns.response_in", "-T",
            "fields",
            "-e", "dns.qry.name").Rows.Select(x => x[0]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["other-port.example", "other-server.example"], expected);
        Assert.Equal(expected, built.Dns.Unanswered);
    }
}

public class TlsQuicTests
{
    /// <summary>
    /// The negotiated-version summary counts QUIC handshakes (labelled) as well as TCP ones: one per connection with a
    /// ServerHello, read per transport stream in a separate tshark call.
    /// </summary>
    [CorpusFact]
    public async Task QUIC_handshakes_are_counted_in_the_TLS_summary()
    {
        var cap = Repo.CorpusFile("CarlierLouis+LINFO1341_P1/Traces/App_opening.pcapng");
        var m = await CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
        int Streams(string filter, string field) => TsharkCli.Run(["-n", "-o", "tcp.reassemble_out_of_order:TRUE", "-r",
            cap, "-Y", filter,
            "-T", "fields", "-e", field]).Rows.Select(r => r[0]).Distinct().Count();
        var quic = Streams("tls.handshake.type == 2 && quic", "udp.stream");
        var tcp = Streams("tls.handshake.type == 2 && tcp", "tcp.stream");
        Assert.True(quic > 0, "no QUIC handshake in the capture");
        Assert.Equal(quic, m.Tls.NegotiatedVersions.Where(v => v.Key.EndsWith(TlsAnalyzer.QuicSuffix,
            StringComparison.Ordinal)).Sum(v => v.Value));
        Assert.Equal(tcp, m.Tls.NegotiatedVersions.Where(v => !v.Key.EndsWith(TlsAnalyzer.QuicSuffix,
            StringComparison.Ordinal)).Sum(v => v.Value));
    }
}

public class AddressScopeTests
{
    [Theory]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("ff02::fb", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("192.168.1.20", "private")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("52.114.248.10", "public")]
    [InlineData("2a01:111:f100:3000::a83e:1b0a", "public")]
    public void Multicast_and_broadcast_are_not_counted_as_public(string address, string scope)
    {
        Assert.Equal(scope, Net.Scope(address));
    }

    [CorpusFact]
    public async Task The_endpoints_of_a_capture_with_mDNS_show_their_multicast_scope()
    {
        var cap = Repo.CorpusFile("Lopiuy+LINFO1341_P1/Traces/audio.pcapng");
        var m = await CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
        // A separate reading: the multicast destinations tshark sees (ip.dst in 224.0.0.0/4, ipv6.dst in ff00::/8).
        var r = TsharkCli.Run("-n", "-r", cap, "-Y", "ip.dst == 224.0.0.0/4 || ipv6.dst == ff00::/8", "-T", "fields",
            "-e", "ip.dst", "-e", "ipv6.dst");
        var multicast = r.Rows.SelectMany(x => x).Where(x => x.Length > 0).ToHashSet();
        var listed = m.Network.TopEndpoints.Where(e => multicast.Contains(e.Address)).ToList();
        Assert.Equal(2, listed.Count);  // 224.0.0.251 and ff02::fb (mDNS)
        Assert.All(listed, e => Assert.Equal("multicast", e.Scope));
        Assert.Equal("loopback", m.Network.TopEndpoints.Single(e => e.Address == "127.0.0.53").Scope);
        // The public count leaves multicast out: every address tshark sees, minus private, loopback, link-local,
        // multicast.
        var all = TsharkCli.Run("-n", "-r", cap, "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e",
            "ipv6.dst")
            .Rows.SelectMany(x => x).Where(x => x.Length > 0).ToHashSet();
        Assert.Equal(all.Count(a => Net.Scope(a) == "public"), m.Network.PublicAddressCount);
        Assert.True(m.Network.PublicAddressCount < all.Count(a => !Net.IsPrivate(a)));
        Assert.All(m.Network.TopEndpoints.Where(e => e.Scope == "multicast"), e => Assert.Contains(e.Address,
            multicast));
    }
}

public class DnsOpcodeTests
{
    /// <summary>
    /// A dynamic update (opcode 5), a zone change notice (4) and ordinary lookups: the section's counts per opcode and
    /// each name's opcodes equal a separate tshark reading of dns.flags.opcode.
    /// </summary>
    [Fact]
    public async Task Operation_codes_are_counted_per_message_and_named_per_name_as_tshark_reads_them()
    {
        var path = Path.Combine(Repo.TempDir("dns-opcode"), "opcodes.pcap");
        var host = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("10.0.0.5"), 53000);
        var server = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("10.0.0.53"), 53);
        var dns = new Func<ushort, int, bool, string, ushort, byte[]>(Dissect.Capture.DnsMessage.WithOpcode);
        using (var w = Dissect.Capture.PcapWriter.Create(path))
        {
            var t = MsTurnFixtures.Start;
            w.Udp(t, host, server, Dissect.Capture.DnsMessage.Query(1, "www.example.org", 1));
            w.Udp(t.AddMilliseconds(5), server, host, Dissect.Capture.DnsMessage.Response(1, "www.example.org", 1,
                new Dissect.Capture.DnsMessage.Answer("www.example.org", 1, 60, "192.0.2.80")));
            w.Udp(t.AddMilliseconds(10), host, server, dns(2, 5, false, "corp.example", 6));
            w.Udp(t.AddMilliseconds(15), server, host, dns(2, 5, true, "corp.example", 6));
            w.Udp(t.AddMilliseconds(20), server, host, dns(3, 4, false, "corp.example", 6));
            w.Udp(t.AddMilliseconds(25), host, server, dns(4, 0, false, "mail.example.org", 15));
        }
        var m = await CaptureAnalyzer.AnalyzeAsync(path, Runtime.Prepare(null));
        var rows = TsharkCli.BareFields(path, "dns", ["dns.qry.name", "dns.flags.opcode"]).Rows;
        static string Name(string code) => DnsAnalyzer.OpcodeName(int.Parse(code,
            System.Globalization.CultureInfo.InvariantCulture));
        var expected = rows.GroupBy(r => Name(r[1])).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, expected.Count);   // QUERY, NOTIFY and UPDATE are all there to be told apart
        Assert.Equal(expected.OrderBy(kv => kv.Key), m.Dns.Opcodes.OrderBy(kv => kv.Key));
        foreach (var g in rows.GroupBy(r => r[0]))
            Assert.Equal(g.Select(r => Name(r[1])).Distinct().Order(StringComparer.Ordinal),
                m.Dns.Names.Single(n => n.Name == g.Key).Opcodes.Order(StringComparer.Ordinal));
        Assert.Equal(["NOTIFY", "UPDATE"], m.Dns.Names.Single(n => n.Name == "corp.example").Opcodes);
    }
}
