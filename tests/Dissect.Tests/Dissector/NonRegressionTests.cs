using System.Collections.Concurrent;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Dissector;

/// <summary>
/// Loading the dissector must not change what it does not own: every corpus capture is read by tshark with and without
/// it, and every frame the dissector does not claim must decode the same (other protocols' fields and the layers).
/// </summary>
public class NonRegressionTests
{
    /// <summary>Fields only a frame the dissector decoded has.</summary>
    public static readonly string[] ClaimFields =
        ["msturn.type", "msturn.media", "msturn.mux.channel", "msturn.framing.type", "msturn.pseudo_tls.content_type"];

    /// <summary>
    /// A frame the dissector does not claim, in the form it would have without the dissector. Handing a frame on from a
    /// port it registered (STUN's 3478 for ChannelData; a TLS stream caught mid-way on 443) leaves its layer name in
    /// frame.protocols, as Lua has no way to hand a packet on without one; that name alone is removed.
    /// </summary>
    public static string Unclaimed(string fields) =>
        fields.Replace(":msturn_tcp:", ":", StringComparison.Ordinal).Replace(":msturn:", ":",
            StringComparison.Ordinal);

    private static readonly string[] Fields =
    [
        "frame.protocols", "tls.handshake.type", "tls.handshake.extensions_server_name", "tls.handshake.ciphersuite",
        "http.host", "dns.qry.name", "dns.a", "quic.version", "rtp.ssrc", "rtcp.pt", "dtls.record.content_type",
            "stun.type",
        "stun.att.type", "proxy.src.ipv4",
    ];

    private static string[] Read(Wireshark ws, string capture, bool withLua)
    {
        var args = new List<string>();
        if (withLua)
            args.AddRange(["-X", "lua_script:" + Repo.Dissector]);
        args.AddRange(["-n", "-r", capture, "-T", "fields", "-E", "occurrence=a"]);
        foreach (var f in withLua ? [.. Fields, .. ClaimFields] : Fields)
            args.AddRange(["-e", f]);
        var r = ws.Tshark(args);
        Assert.False(r.LuaLoadError, r.Stderr);
        return r.Stdout.Split('\n');
    }

    // Every version: 4.4 and 4.6 run the Lua under Lua 5.4, and their TCP and TLS fill frame.protocols differently.
    [Theory, OnWireshark("4.0", Corpus = true), OnWireshark("4.4", Corpus = true), OnWireshark("4.6", Corpus = true)]
    public void Frames_the_dissector_does_not_claim_decode_exactly_as_without_it(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        var captures = File.ReadAllLines(Path.Combine(Repo.Corpus, "MANIFEST.tsv")).Skip(1).Select(l =>
            l.Split('\t')[1]).ToList();
        var differences = new ConcurrentBag<string>();
        Parallel.ForEach(captures, new ParallelOptions { MaxDegreeOfParallelism = 2 }, c =>
        {
            var without = Read(ws, Repo.CorpusFile(c), withLua: false);
            var with = Read(ws, Repo.CorpusFile(c), withLua: true);
            // A capture that tshark could not read at all would compare two empty outputs.
            Assert.True(with.Length > 1, $"{c}: no frames read");
            Assert.Equal(without.Length, with.Length);
            for (var i = 0; i < with.Length; i++)
            {
                var columns = with[i].Split('\t');
                // Claimed frames are the dissector's to decode.
                if (columns.Skip(Fields.Length).Any(v => v.Length > 0))
                    continue;
                var unclaimed = Unclaimed(string.Join('\t', columns.Take(Fields.Length)));
                if (unclaimed != without[i])
                    differences.Add($"{c} frame {i + 1}: without {Cut(without[i])} / with {Cut(unclaimed)}");
            }
        });
        Assert.True(differences.IsEmpty, string.Join("\n", differences.Take(10)));
    }

    private static string Cut(string s) => s.Length > 160 ? s[..160] + "…" : s;
}

/// <summary>Traffic that shares MS-TURN's ports but is not MS-TURN decodes exactly as Wireshark alone decodes
/// it.</summary>
public class SharedPortTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static string Capture()
    {
        var path = Path.Combine(Repo.TempDir("shared-ports"), "shared.pcap");
        using var w = Dissect.Capture.PcapWriter.Create(path);
        var client = System.Net.IPAddress.Parse("192.168.1.20");
        var turn = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("203.0.113.5"), 3478);
        var web = System.Net.IPAddress.Parse("198.51.100.7");
        // 1: standard TURN ChannelData (channel 0x4001) carrying RTCP on 3478.
        byte[] rtcp = [0x80, 0xC9, 0x00, 0x01, 0x00, 0x00, 0x07, 0xD2];
        byte[] channelData = [0x40, 0x01, 0x00, (byte)rtcp.Length, .. rtcp];
        w.Udp(T0, new System.Net.IPEndPoint(client, 50000), turn, channelData);
        // 2: a PROXY v1 header, then a TLS ClientHello, on 443.
        var proxy = new Dissect.Capture.TcpFlow(w, new System.Net.IPEndPoint(client, 50001),
            new System.Net.IPEndPoint(web, 443));
        proxy.Open(T0.AddSeconds(1));
        var hello = Dissect.Capture.Tls.TlsRecords.ClientHello("proxied.example", ["h2"], [0x1301, 0xC02F], [0x0304,
            0x0303], 7);
        proxy.ClientSends(T0.AddSeconds(1.1), [.. "PROXY TCP4 192.168.1.20 198.51.100.7 50001 443\r\n"u8, .. hello]);
        // 3: plain HTTP on 443.
        var http = new Dissect.Capture.TcpFlow(w, new System.Net.IPEndPoint(client, 50002),
            new System.Net.IPEndPoint(web, 443));
        http.Open(T0.AddSeconds(2));
        http.ClientSends(T0.AddSeconds(2.1), "GET / HTTP/1.1\r\nHost: plain-on-443.example\r\n\r\n"u8);
        // 4: a TLS record whose handshake length runs past the record (TLS raises an exception).
        var bad = new Dissect.Capture.TcpFlow(w, new System.Net.IPEndPoint(client, 50003),
            new System.Net.IPEndPoint(web, 443));
        bad.Open(T0.AddSeconds(3));
        bad.ClientSends(T0.AddSeconds(3.1), [0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x00, 0xFF, 0xFF, 0x03, 0x03, 0x00,
            0x00]);
        return path;
    }

    private static readonly string[] Fields =
    [
        "frame.number", "frame.protocols", "stun.channel", "rtcp.pt", "proxy.src.ipv4",
            "tls.handshake.extensions_server_name",
        "http.host", "tls.handshake.type", "_ws.malformed", "_ws.lua.error",
    ];

    [Theory, OnWireshark("4.0"), OnWireshark("4.4"), OnWireshark("4.6")]
    public void ChannelData_PROXY_HTTP_and_broken_TLS_decode_as_without_the_dissector(string wireshark)
    {
        var ws = Wireshark.Get(wireshark);
        var cap = Capture();
        var args = new List<string> { "-n", "-r", cap, "-T", "fields", "-E", "occurrence=a" };
        foreach (var f in Fields)
            args.AddRange(["-e", f]);
        var without = ws.Tshark(args);
        var with = ws.Tshark(["-X", "lua_script:" + Repo.Dissector, .. args]);
        Assert.False(with.LuaLoadError, with.Stderr);
        Assert.Equal(without.Stdout, NonRegressionTests.Unclaimed(with.Stdout));
        // And each case is really there, decoded by its own dissector.
        Assert.Contains("\t0x4001\t", with.Stdout);
        // The PROXY header (4.4's own PROXY dissector then recurses on it instead of reaching the ClientHello, with or
        // without the Lua; 4.0 and 4.6 show its SNI).
        Assert.Contains("\t192.168.1.20\t", with.Stdout);
        if (wireshark != "4.4")
            Assert.Contains("\t192.168.1.20\tproxied.example\t", with.Stdout);
        Assert.Contains("plain-on-443.example", with.Stdout);
        Assert.DoesNotContain("Lua", with.Stdout);
    }
}
