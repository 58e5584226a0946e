using Dissect.Analysis;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Analysis;

public class PseudoTlsTests
{
    [CorpusFact]
    public void Ms_turn_pseudo_tls_streams_are_listed_apart_as_wireshark_alone_would_call_them_tls()
    {
        var capture = Repo.CorpusFile("Baboushka+LINFO1341-P1/CallAudio/4G/packets/K1AG.pcapng");
        var dir = Repo.TempDir("pseudo");
        var (code, _, err) = DissectCli.Run("report", capture, "-o", dir, "--format", "json,md");
        Assert.True(code == 0, err);
        var model = ReportJson.Read(Path.Combine(dir, "K1AG.json"));
        // Independent reading: tshark WITHOUT the dissector sees these streams as TLS whose ClientHello offers only
        // TLS_DH_anon_WITH_RC4_128_MD5 (0x0018), the pseudo-TLS hello.
        var streams = TsharkCli.Run("-r", capture, "-Y",
            "tls.handshake.type == 1 && tls.handshake.ciphersuite == 0x0018",
            "-T", "fields", "-e", "tcp.stream", "-e", "ip.dst", "-e", "tcp.dstport").Rows
            .Select(r => $"{r[1]}:{r[2]}").ToList();
        Assert.Equal(6, streams.Count);
        Assert.Equal(streams.Order(StringComparer.Ordinal), model.Tls.PseudoTlsStreams.Select(s =>
            s.Server).Order(StringComparer.Ordinal));
        // Not counted as TLS: none of those servers appears among the TLS connections with that suite.
        Assert.DoesNotContain(model.Tls.Connections, c => c.ChosenSuite?.Name == "TLS_DH_anon_WITH_RC4_128_MD5");
        Assert.Contains("Not TLS: 6 TCP stream", File.ReadAllText(Path.Combine(dir, "K1AG.md")).Replace("\\", ""));
    }
}
