using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Dissect.Reporting.Pdf;

/// <summary>
/// PDFsharp puts random values in every file: the six-letter tags of embedded font subsets, the XMP document and
/// instance ids and the trailer /ID. This replaces each with a value of the same length derived from the document
/// itself, so the same report is the same bytes (byte offsets, and so the xref table, stay valid).
/// </summary>
public static partial class DeterministicPdf
{
    [GeneratedRegex(@"(/FontName|/BaseFont)\s*/([A-Z]{6})\+")]
    private static partial Regex SubsetTag();

    [GeneratedRegex(@"uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Uuid();

    [GeneratedRegex(@"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")]
    private static partial Regex TrailerId();

    public static byte[] Normalize(byte[] pdf)
    {
        // Latin-1 maps every byte to one char and back, so binary streams survive the round trip.
        var text = Encoding.Latin1.GetString(pdf);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in SubsetTag().Matches(text))
            if (!tags.ContainsKey(m.Groups[2].Value))
                tags[m.Groups[2].Value] = "DISS" + (char)('A' + tags.Count / 26 % 26) + (char)('A' + tags.Count % 26);
        foreach (var (random, fixedTag) in tags)
            text = text.Replace(random + "+", fixedTag + "+", StringComparison.Ordinal);

        // Ids come from a digest of the document with the random ids blanked out.
        var blanked = TrailerId().Replace(Uuid().Replace(text, m => new string('0', m.Length)), m => new string('0',
            m.Length));
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.Latin1.GetBytes(blanked)));
        var n = 0;
        text = Uuid().Replace(text, _ =>
        {
            var h = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(digest + n++)));
            return $"uuid:{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..32]}";
        });
        text = TrailerId().Replace(text, m =>
        {
            var id = digest.ToUpperInvariant()[..m.Groups[1].Length];
            return m.Value.Replace(m.Groups[1].Value, id, StringComparison.Ordinal).Replace(m.Groups[2].Value, id,
                StringComparison.Ordinal);
        });
        return Encoding.Latin1.GetBytes(text);
    }
}
