using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dissect.Analysis;
using Dissect.Cli;
using Dissect.Reporting;
using Dissect.Reporting.Localization;
using Dissect.Reporting.Pdf;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Reporting;

/// <summary>Two real calls analysed once: the Skype seed trace and a Teams audio call.</summary>
public sealed class CallModels
{
    public const string Seed = "Lopiuy+LINFO1341_P1/Traces/audio.pcapng";
    public const string Teams = "Baboushka+LINFO1341-P1/CallAudio/Ethernet/packets/K1AE.pcapng";

    private readonly Dictionary<string, ReportModel> _models = [];

    public ReportModel Get(string capture)
    {
        lock (_models)
        {
            if (!_models.TryGetValue(capture, out var m))
                _models[capture] = m = CaptureAnalyzer.AnalyzeAsync(Repo.CorpusFile(capture), Runtime.Prepare(null))
                    .GetAwaiter().GetResult();
            return m;
        }
    }
}

public partial class LocalizationTests(CallModels calls) : IClassFixture<CallModels>
{
    [Fact]
    public void Every_language_has_every_entry_with_the_same_placeholders()
    {
        var en = Localizer.Load("en")!;
        foreach (var lang in Localizer.Languages.Where(l => l != "en"))
        {
            // "schema.NAME" entries translate names the schema gives; English takes them from the schema itself.
            var other = Localizer.Load(lang)!.Where(kv => !kv.Key.StartsWith("schema.", StringComparison.Ordinal))
                .ToDictionary();
            Assert.Empty(en.Keys.Except(other.Keys).Select(k => $"{lang} lacks {k}"));
            Assert.Empty(other.Keys.Except(en.Keys).Select(k => $"{lang} has an unknown {k}"));
            foreach (var (key, text) in en)
                Assert.True(Localizer.PlaceholdersOf(text).SetEquals(Localizer.PlaceholdersOf(other[key])),
                    $"{lang}.{key}: placeholders differ from English");
        }
    }

    [Fact]
    public void Every_schema_name_a_report_shows_is_translated_and_every_translation_names_a_schema_value()
    {
        var shown = new[] { StunAnalyzer.VersionField, StunAnalyzer.StreamTypeField }
            .SelectMany(f => Dissect.Schema.Protocols.MsTurn.Spec.ValuesOf(f.Role, f.Field)).Select(v => v.Name)
            .ToHashSet();
        foreach (var lang in Localizer.Languages.Where(l => l != "en"))
        {
            var table = Localizer.Load(lang)!;
            var translated = table.Keys.Where(k => k.StartsWith("schema.", StringComparison.Ordinal))
                .Select(k => k["schema.".Length..]).ToHashSet();
            // Protocol names, the same in every language (MS-ICE, MS-ICE2), need no entry; words do.
            Assert.Empty(shown.Where(n => !translated.Contains(n) && !ProtocolName().IsMatch(n))
                .Select(n => $"{lang} lacks {n}"));
            Assert.Empty(translated.Except(shown).Select(n => $"{lang}: schema.{n} names no schema value"));
        }
        var fr = Localizer.For("fr");
        Assert.Equal("TURN multiplexé sur UDP et TCP", fr.SchemaName("Multiplexed TURN over UDP and TCP"));
        Assert.Equal("MS-ICE2", fr.SchemaName("MS-ICE2"));
    }

    [GeneratedRegex("^[A-Z0-9-]+$")]
    private static partial Regex ProtocolName();

    private static readonly string[] AnomalyKinds = ["implausible-length", "dns-placeholder", "dns-root"];
    private static readonly string[] NatVerdicts =
        ["nat", "nat-ice", "no-nat", "no-nat-own-address", "no-mapped-address", "no-stun"];

    [Fact]
    public void Every_finding_id_the_analysis_can_make_has_a_sentence_in_every_language()
    {
        var source = File.ReadAllText(Path.Combine(Repo.Root, "src", "Dissect.Analysis", "Findings.cs"));
        var ids = FindingId().Matches(source).Select(m => m.Groups[1].Value).ToHashSet();
        var kinds = AnomalyKinds.Select(k => "anomaly." + k);
        var verdicts = NatVerdicts.Select(v => "nat." + v);
        Assert.True(ids.Count > 15, string.Join(", ", ids));
        foreach (var lang in Localizer.Languages)
            foreach (var id in ids.Concat(kinds).Concat(verdicts))
                Assert.True(Localizer.For(lang).Has("finding." + id), $"{lang}: no sentence for finding {id}");
    }

    [Fact]
    public void Every_encapsulation_a_media_flow_can_have_is_named_in_every_language()
    {
        var source = File.ReadAllText(Path.Combine(Repo.Root, "src", "Dissect.Analysis", "MediaFlows.cs"));
        var carried = source[source.IndexOf("private static string CarriedAs", StringComparison.Ordinal)..];
        var codes = Returned().Matches(carried[..carried.IndexOf("\n    }", StringComparison.Ordinal)])
            .Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains("turn-send-data", codes);
        Assert.True(codes.Count >= 7, string.Join(", ", codes));
        foreach (var lang in Localizer.Languages)
            foreach (var code in codes)
                Assert.True(Localizer.For(lang).Has("encap." + code), $"{lang}: no name for encapsulation {code}");
    }

    [GeneratedRegex("return \"([a-z-]+)\";")]
    private static partial Regex Returned();

    [Fact]
    public void French_numbers_and_dates_are_written_the_French_way()
    {
        var fr = Localizer.For("fr");
        Assert.Equal("1\u00A0234\u00A0567", fr.N(1_234_567));
        Assert.Equal("37,5", fr.Num(37.52));
        Assert.Equal("1,234,567", Localizer.For("en").N(1_234_567));
        var t = new DateTimeOffset(2023, 4, 3, 9, 43, 35, 271, TimeSpan.Zero);
        Assert.Equal("3 avril 2023, 09:43:35,271", fr.DateTime(t));
        Assert.Equal("3 April 2023, 09:43:35.271", Localizer.For("en").DateTime(t));
    }

    [CorpusFact]
    public void A_ladder_cut_to_fit_says_how_much_it_shows_and_where_to_see_it_all()
    {
        const string c = "Zyth0x+LINFO1341-Projet/Appel_simple_+_partage_d_ecran/appel_simple_partage_ecran.pcapng";
        var model = CaptureAnalyzer.AnalyzeAsync(Repo.CorpusFile(c), Runtime.Prepare(null)).GetAwaiter().GetResult();
        var blocks = ReportDocument.Build(model, new ReportOptions());
        var ladder = Assert.Single(blocks.OfType<Ladder>());
        Assert.Equal(ReportDocument.LadderColumns, ladder.Columns.Count);
        // Independent reading: the hosts that exchanged MS-TURN messages, by tshark with the dissector.
        var hosts = TsharkCli.Fields(Repo.CorpusFile(c), "msturn.type", "ip.src", "ip.dst").Rows
            .SelectMany(r => r).Where(h => h.Length > 0).Distinct().Count();
        Assert.True(hosts > ladder.Columns.Count, $"{hosts} hosts");
        var text = string.Join("\n", blocks.OfType<Paragraph>().Select(p => p.Text));
        var said = LadderCut().Match(text);
        Assert.True(said.Success, "no sentence says the diagram is cut");
        Assert.Equal(ladder.Columns.Count, int.Parse(said.Groups[1].Value, System.Globalization.CultureInfo
            .InvariantCulture));
        Assert.True(int.Parse(said.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) >= hosts);
    }

    [GeneratedRegex(@"(\d+) hosts of (\d+) \(the busiest\); Wireshark shows them all in Statistics › Flow Graph")]
    private static partial Regex LadderCut();

    [Fact]
    public void Counts_take_the_singular_by_each_languages_rule()
    {
        string Media(string lang, long packets, long bytes) =>
            Localizer.For(lang).T("ladder.media", ("kinds", "SRTP"), ("packets", packets), ("bytes", bytes));
        Assert.Equal("media SRTP: 1 packet, 154 bytes", Media("en", 1, 154));
        Assert.Equal("media SRTP: 0 packets, 1 byte", Media("en", 0, 1));
        Assert.Equal("médias SRTP : 1 paquet, 1\u00A0540 octets", Media("fr", 1, 1540));
        Assert.Equal("médias SRTP : 0 paquet, 2 octets", Media("fr", 0, 2));
    }

    // English words that no French sentence holds; identifiers and protocol names are removed before the search.
    private static readonly string[] EnglishWords =
    [
        "the", "and", "of", "with", "is", "are", "was", "were", "not", "from", "by", "seen", "no", "per", "each",
        "which", "only", "this", "that", "packets", "queries", "responses", "frames", "bytes", "connections",
        "names", "observed", "chain", "address", "addresses", "server", "time", "over", "between", "without",
        "shows", "more", "valid", "expired", "private", "public", "relayed", "Key", "findings", "Property", "Value",
        "Duration", "File", "Tools", "Frame", "Count", "Name", "Issuer", "Status", "layer", "security",
    ];

    [CorpusFact]
    public void A_French_report_holds_no_English_sentence_in_Markdown_HTML_or_PDF()
    {
        foreach (var capture in new[] { CallModels.Seed, CallModels.Teams })
        {
            var model = calls.Get(capture);
            var options = new ReportOptions("fr");
            var html = HtmlReport.Render(model, options);
            Assert.Contains("<html lang=\"fr\">", html);
            var pdf = Path.Combine(Repo.TempDir("fr-pdf"), "r.pdf");
            PdfReport.Write(model, options, pdf);
            var texts = new Dictionary<string, string>
            {
                ["md"] = Markdig.Markdown.ToPlainText(MarkdownReport.Render(model, options)),
                ["html"] = WebUtility.HtmlDecode(Tags().Replace(html, " ")),
                ["pdf"] = Proc.Run("pdftotext", ["-raw", pdf, "-"]).Stdout,
            };
            var facts = ModelStrings(model);
            foreach (var (format, text) in texts)
            {
                var words = Words().Matches(WithoutFacts(text, facts)).Select(m => m.Value).ToHashSet();
                var english = EnglishWords.Where(words.Contains).ToList();
                Assert.True(english.Count == 0, $"{capture} {format}: English words {string.Join(", ", english)}");
            }
            // A chart's value ticks are lines of their own in the PDF text: "10 000", neither "10,000" nor "10000".
            var ticks = texts["pdf"].Split('\n').Where(l => AxisTick().IsMatch(l)).ToList();
            Assert.NotEmpty(ticks);
            Assert.True(ticks.All(t => t.Length < 4 || t.Contains(' ') || t.Contains('\u00A0')),
                $"{capture}: ticks {string.Join(" | ", ticks)}");
        }
    }

    [CorpusFact]
    public void Names_addresses_suites_and_certificates_appear_whole_in_every_format()
    {
        foreach (var capture in new[] { CallModels.Seed, CallModels.Teams })
        {
            var model = calls.Get(capture);
            var options = new ReportOptions();
            var pdf = Path.Combine(Repo.TempDir("whole-pdf"), "r.pdf");
            PdfReport.Write(model, options, pdf);
            var html = HtmlReport.Render(model, options);
            var texts = new Dictionary<string, string>
            {
                ["pdf"] = Proc.Run("pdftotext", ["-raw", pdf, "-"]).Stdout,
                ["md"] = Markdig.Markdown.ToPlainText(MarkdownReport.Render(model, options)),
                ["html"] = WebUtility.HtmlDecode(Tags().Replace(html, " ")),
            };
            var d = model.Dns;
            var t = model.Tls;
            var facts = d.Names.SelectMany(n => new[] { n.Name }.Concat(n.CnameChain).Concat(n.IPv4).Concat(n.IPv6)
                    .Concat(n.Chains.SelectMany(c => c.Cnames)))
                .Concat(t.Connections.Select(c => c.ChosenSuite?.Name).OfType<string>())
                .Concat(t.Connections.SelectMany(c => c.OfferedSuites))
                .Concat(t.Certificates.Select(c => c.CommonName ?? c.Subject))
                .Concat(model.Stun.MappedAddresses.Select(a => a[..a.LastIndexOf(':')]))
                .Distinct().ToList();
            Assert.True(facts.Count > 20, $"{capture}: {facts.Count} facts");
            if (capture == CallModels.Seed)
                Assert.Subset(facts.ToHashSet(), new HashSet<string> { "b-flightproxy-euno-01-skype.cloudapp.net",
                    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "81.247.114.53" });
            foreach (var (format, text) in texts)
            {
                var missing = facts.Where(f => !text.Contains(f, StringComparison.Ordinal)).ToList();
                Assert.True(missing.Count == 0, $"{capture} {format}: not whole: {string.Join(", ", missing)}");
            }
            if (capture == CallModels.Seed)
                Assert.Contains("2023-11-01", texts["pdf"]);
        }
    }

    /// <summary>Every string value of the model (names, addresses, message types, software…): facts that stay as
    /// they are in any language.</summary>
    private static List<string> ModelStrings(ReportModel model)
    {
        var all = new List<string>();
        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (k, v) in o)
                    {
                        all.Add(k);
                        Walk(v);
                    }
                    break;
                case JsonArray a:
                    foreach (var v in a) Walk(v);
                    break;
                case JsonValue v when v.TryGetValue<string>(out var s):
                    all.Add(s);
                    break;
            }
        }
        Walk(JsonNode.Parse(ReportJson.Serialize(model)));
        return [.. all.Where(s => s.Length > 1).Distinct().OrderByDescending(s => s.Length)];
    }

    private static string WithoutFacts(string text, List<string> facts)
    {
        text = Regex.Replace(text, @"\s+", " ");
        foreach (var f in facts)
            text = text.Replace(Regex.Replace(f, @"\s+", " "), " ", StringComparison.Ordinal);
        return text;
    }

    [GeneratedRegex(@"\b(?:Info|F)\(""([a-z0-9.-]*[a-z0-9])""")]
    private static partial Regex FindingId();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\b[A-Za-z]+\b")]
    private static partial Regex Words();

    // Multiples of ten only: a tick of a round axis, not a figure of a table.
    [GeneratedRegex(@"^\d{1,3}(?:[ ,\u00A0]?\d{3})*0$")]
    private static partial Regex AxisTick();
}
