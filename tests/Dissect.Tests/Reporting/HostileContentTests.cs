using System.Net;
using Dissect.Analysis;
using Dissect.Capture;
using Dissect.Capture.Fixtures;
using Dissect.Cli;
using Dissect.Reporting;
using Dissect.Schema.Protocols;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Reporting;

/// <summary>Names and strings written by strangers, carried in a capture built for the purpose.</summary>
public class HostileContentTests
{
    private const string Script = "<script>alert(1)</script>";
    private const string Rlo = "\u202Egnp.exe";

    [Fact]
    public async Task Hostile_DNS_names_and_STUN_strings_are_escaped_in_every_output()
    {
        var dir = Repo.TempDir("hostile");
        var cap = Path.Combine(dir, "hostile name -> x=1 é.pcap");
        var client = new IPEndPoint(IPAddress.Parse("10.0.0.2"), 5353);
        var dns = new IPEndPoint(IPAddress.Parse("10.0.0.1"), 53);
        using (var w = PcapWriter.Create(cap))
        {
            var t = MsTurnFixtures.Start;
            w.Udp(t, client, dns, DnsMessage.Query(1, $"{Script}.{Rlo}.|pipe|*md*.example", 1));
            w.Udp(t.AddMilliseconds(5), dns, client, DnsMessage.Response(1, $"{Script}.{Rlo}.|pipe|*md*.example", 1,
                new DnsMessage.Answer($"{Script}.{Rlo}.|pipe|*md*.example", 5, 60, new string('a', 60) + ".example")));
            w.Udp(t.AddMilliseconds(10), MsTurnFixtures.Server, MsTurnFixtures.Client, new StunMessage(MsTurn.Spec,
                MsTurn.Ms, 0x0103, 1)
                .Text(0x8022, "evil\u001b[31m " + Script + " " + Rlo).Encode());
        }
        var model = await CaptureAnalyzer.AnalyzeAsync(cap, Runtime.Prepare(null));
        Assert.NotEmpty(model.Dns.Names);
        Assert.NotEmpty(model.Stun.Software);
        var outputs = new Dictionary<string, string>
        {
            ["md"] = MarkdownReport.Render(model, new ReportOptions()),
            ["html"] = HtmlReport.Render(model, new ReportOptions()),
            ["json"] = ReportJson.Serialize(model),
        };
        foreach (var (kind, text) in outputs)
        {
            Assert.False(text.Contains("<script>", StringComparison.Ordinal), $"{kind} holds a raw <script>");
            Assert.False(text.Contains('\u202E'), $"{kind} holds a right-to-left override");
            Assert.False(text.Contains('\u001b'), $"{kind} holds an escape character");
        }
        var pdf = Path.Combine(dir, "out.pdf");
        Dissect.Reporting.Pdf.PdfReport.Write(model, new ReportOptions(), pdf);
        Assert.True(new FileInfo(pdf).Length > 1000);
        Assert.DoesNotContain('\u202E', Terminal.Safe("x\u202Ey"));
    }
}
