using Dissect.Analysis;
using Dissect.Reporting;
using Dissect.Reporting.Pdf;
using Dissect.Tests.Analysis;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Reporting;

public class ReportTests(DemoModel demo) : IClassFixture<DemoModel>
{
    private static string Run(string exe, params string[] args)
    {
        var r = Proc.Run(exe, args);
        Assert.True(r.ExitCode == 0, $"{exe} failed: {r.Stderr}");
        return r.Stdout;
    }

    [Fact]
    public void The_PDF_holds_every_section_and_the_key_values_and_every_page_renders()
    {
        var dir = Repo.TempDir("pdf");
        var pdf = Path.Combine(dir, "demo.pdf");
        PdfReport.Write(demo.Model, new ReportOptions(), pdf);
        var text = Run("pdftotext", "-layout", pdf, "-");
        foreach (var s in new[] { "I. DNS", "II. Network layer", "III. Transport layer", "IV. Encryption and security",
            "V. Application: STUN/TURN and NAT", "VI. Traffic over time",
                     "turn.teams.example.com", "CNAME chain", "81.247.114.53", "Allocate response", "forward secrecy",
                         "page 1 of" })
            Assert.Contains(s, text);
        Run("pdftoppm", "-r", "20", "-png", pdf, Path.Combine(dir, "page"));
        var pages = int.Parse(Run("pdfinfo", pdf).Split('\n').First(l => l.StartsWith("Pages:",
            StringComparison.Ordinal))[6..].Trim());
        Assert.Equal(pages, Directory.GetFiles(dir, "page-*.png").Length);
    }

    [Fact]
    public void The_HTML_report_has_the_same_tables_as_the_Markdown()
    {
        var html = HtmlReport.Render(demo.Model, new ReportOptions());
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<table>", html);
        Assert.Contains("<th>CNAME chain</th>", html);
        Assert.Contains("relay-eu-1.cloudapp.example.net", html);
        Assert.Equal(System.Text.RegularExpressions.Regex.Count(MarkdownReport.Render(demo.Model, new ReportOptions()),
            @"^\|---", System.Text.RegularExpressions.RegexOptions.Multiline),
            System.Text.RegularExpressions.Regex.Count(html, "<table>"));
    }

    [Fact]
    public void Notes_follow_the_language_and_can_be_left_out()
    {
        var fr = MarkdownReport.Render(demo.Model, new ReportOptions("fr"));
        Assert.Contains("confidentialité persistante", fr);
        var none = MarkdownReport.Render(demo.Model, new ReportOptions("en", Notes: false));
        Assert.DoesNotContain("forward secrecy** keeps", none);
        Assert.DoesNotContain("> ", none);
    }

    [Fact]
    public void Hostile_strings_are_escaped_in_Markdown_and_cleaned_in_every_output()
    {
        var evil = "evil\u202Egnp.exe|<script>alert(1)</script>\u001b[31m*bold*";
        var md = TextSafety.Markdown(evil);
        Assert.DoesNotContain("<script>", md);
        Assert.DoesNotContain("\u202E", md);
        Assert.DoesNotContain("\u001b", md);
        Assert.Contains("\\|", md);
        Assert.Contains("\\*bold\\*", md);
        Assert.EndsWith("…", TextSafety.Clean(new string('a', 1000)));
        var json = ReportJson.Serialize(demo.Model with
        {
            Findings =
            [
                new Finding("capture.warning", "warning", new Dictionary<string, object> { ["message"] = evil }),
            ],
        });
        Assert.DoesNotContain("<script>", json);
        Assert.DoesNotContain("\u202E", json);
    }

    [Fact]
    public void Output_names_keep_the_captures_own_name_with_only_forbidden_characters_mapped()
    {
        Assert.Equal("V=appel -_ Y=raccroche",
            Dissect.Cli.Commands.ReportCommand.StemOf("/x/V=appel -> Y=raccroche.pcapng"));
        Assert.Equal("Cree+Fermé-meet-instantané",
            Dissect.Cli.Commands.ReportCommand.StemOf("Cree+Fermé-meet-instantané.pcapng"));
        Assert.Equal("通话 记录", Dissect.Cli.Commands.ReportCommand.StemOf("通话 记录.pcap"));
        Assert.Equal("capture", Dissect.Cli.Commands.ReportCommand.StemOf("../../.pcap"));
        Assert.Equal("a_b_c_d_e_f_g", OutputNames.Safe("a:b*c?d\"e<f|g"));
        Assert.Equal("hidden", OutputNames.Safe(".hidden"));
        Assert.Equal("x__y", OutputNames.Safe("x\u001b\u202Ey"));
        var longName = string.Concat(Enumerable.Repeat("😀", 100));
        var cut = OutputNames.Safe(longName);
        Assert.True(cut.Length <= OutputNames.MaxLength && !char.IsHighSurrogate(cut[^1]));
    }

    [Fact]
    public void Two_captures_mapping_to_one_report_name_are_a_usage_error_before_any_work()
    {
        var dir = Repo.TempDir("collide");
        Dissect.Capture.Fixtures.DemoCapture.Write(Path.Combine(dir, "Call.pcap"));
        Dissect.Capture.Fixtures.DemoCapture.Write(Path.Combine(dir, "call.pcapng"));
        var outDir = Path.Combine(dir, "out");
        var (code, _, err) = DissectCli.Run("report", Path.Combine(dir, "Call.pcap"), Path.Combine(dir, "call.pcapng"),
            "-o", outDir);
        Assert.Equal(Dissect.Cli.ExitCodes.Usage, code);
        Assert.Contains("would write the same reports (Call.*)", err);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFiles(outDir).Any());
        var batch = DissectCli.Run("batch", dir, "-o", outDir);
        Assert.Equal(Dissect.Cli.ExitCodes.Usage, batch.Code);
        Assert.Contains("rename one of them", batch.Err);
    }

    [Fact]
    public void Compare_labels_are_the_shortest_path_endings_that_tell_captures_apart()
    {
        Assert.Equal(["wifi/audio", "4g/audio", "video"],
            OutputNames.ShortestUniqueSuffixes(["/data/wifi/audio.pcapng", "/data/4g/audio.pcapng",
                "/data/4g/video.pcap"]));
        Assert.Equal(["a/x/call", "b/x/call"], OutputNames.ShortestUniqueSuffixes(["a/x/call.pcap", "b/x/call.pcap"]));
    }
}

public class DeterminismTests(Dissect.Tests.Analysis.DemoModel demo) : IClassFixture<Dissect.Tests.Analysis.DemoModel>
{
    [Fact]
    public void The_same_model_gives_the_same_bytes_in_every_format()
    {
        var a = Repo.TempDir("det-a");
        var b = Repo.TempDir("det-b");
        var formats = new[] { "pdf", "json", "md", "html" };
        ReportWriter.Write(demo.Model, Path.Combine(a, "r"), formats, new ReportOptions());
        ReportWriter.Write(demo.Model, Path.Combine(b, "r"), formats, new ReportOptions());
        foreach (var f in formats)
            Assert.True(File.ReadAllBytes(Path.Combine(a,
                "r." + f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, "r." + f))),
                    $"r.{f} differs between two runs");
    }

    [Fact]
    public void Normalising_keeps_the_PDF_readable_and_its_fonts_embedded()
    {
        var dir = Repo.TempDir("det-fonts");
        var pdf = Path.Combine(dir, "r.pdf");
        Dissect.Reporting.Pdf.PdfReport.Write(demo.Model, new ReportOptions(), pdf);
        var r = Proc.Run("pdffonts", [pdf]);
        Assert.Equal(0, r.ExitCode);
        var fonts = r.Stdout;
        Assert.Contains("DISSAA+Liberation", fonts);
        var rows = fonts.Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Matches(@"\s(yes)\s+(yes)\s+(yes|no)\s", r));   // embedded, subset
    }
}
