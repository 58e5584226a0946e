using System.Text.RegularExpressions;
using Dissect.Schema.Protocols;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Schema;

/// <summary>The schema is the one place that knows MS-TURN's numbers and names; analysis and reports ask it.</summary>
public partial class VocabularyTests
{
    private static IEnumerable<(string File, int Line, string Text)> SourceLines()
    {
        foreach (var dir in new[] { "Dissect.Analysis", "Dissect.Reporting" })
        {
            foreach (var f in Directory.EnumerateFiles(Path.Combine(Repo.Root, "src", dir), "*.cs",
                SearchOption.AllDirectories))
            {
                // The TLS registry's suite and version numbers are TLS's, not MS-TURN's.
                if (Path.GetFileName(f) is "CipherSuites.cs" or "TlsAnalyzer.cs" || f.Contains("/obj/",
                    StringComparison.Ordinal))
                    continue;
                var n = 0;
                foreach (var line in File.ReadLines(f))
                    yield return (Path.GetRelativePath(Repo.Root, f), ++n, line);
            }
        }
    }

    [GeneratedRegex(@"\b0x[0-9A-Fa-f]{4}\b")]
    private static partial Regex Code16();

    [Fact]
    public void No_16_bit_protocol_code_is_written_in_analysis_or_reporting()
    {
        var hits = SourceLines().Where(l => Code16().IsMatch(l.Text) && !l.Text.TrimStart().StartsWith("//",
            StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}").ToList();
        Assert.Empty(hits);
    }

    [Fact]
    public void No_filter_or_dissector_name_of_the_protocol_is_written_in_analysis_or_reporting()
    {
        // Names come from FilterNames, which the Lua target uses too.
        var prefix = MsTurn.Spec.FilterName;
        var hits = SourceLines().Where(l => !l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Where(l => l.Text.Contains($"\"{prefix}.", StringComparison.Ordinal)
                || l.Text.Contains($"\"{prefix}_", StringComparison.Ordinal)
                || l.Text.Contains($":{prefix}", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}").ToList();
        Assert.Empty(hits);
    }

    [Fact]
    public void No_MS_TURN_message_or_attribute_name_is_written_in_analysis_or_reporting()
    {
        var names = MsTurn.Spec.Attributes.Select(a => a.Name).Concat(MsTurn.Spec.MessageTypes.Select(m => m.Name))
            .Concat(MsTurn.Spec.Flavours.Select(f => f.Name)).Distinct()
            // "MS-TURN" is also the protocol's own name, which headings and prose use.
            .Where(n => n != "MS-TURN").Select(n => "\"" + n + "\"").ToList();
        var hits = SourceLines().SelectMany(l => names.Where(n => l.Text.Contains(n, StringComparison.Ordinal))
            .Select(n => $"{l.File}:{l.Line}: {n}")).ToList();
        Assert.Empty(hits);
    }
}
