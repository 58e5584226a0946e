using System.Globalization;
using System.Text;

namespace Dissect.Reporting;

/// <summary>Two inputs that would write the same output files; a usage error, whatever the file system.</summary>
public sealed class OutputNameCollisionException(string message) : Exception(message);

/// <summary>
/// How a capture's name becomes its reports' name: the name itself, spaces, accents and other scripts included, with
/// only the characters some file system forbids (/ \ : * ? " &lt; &gt; | and control characters) made '_', no leading
/// dot
/// (a hidden report) and at most 120 characters. Two inputs mapping to one name, even by case alone, are an error.
/// </summary>
public static class OutputNames
{
    public const int MaxLength = 120;

    public static string Safe(string name)
    {
        var sb = new StringBuilder();
        foreach (var r in name.EnumerateRunes())
            sb.Append(Rune.IsControl(r) || Rune.GetUnicodeCategory(r) is UnicodeCategory.Format
                    or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                || r.Value is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|'
                ? "_" : r.ToString());
        var s = sb.ToString().TrimStart('.', ' ').TrimEnd('.', ' ');
        if (s.Length == 0)
            return "capture";
        if (s.Length <= MaxLength)
            return s;
        // Cut between text elements, never inside a surrogate pair or a combining sequence.
        var cut = StringInfo.ParseCombiningCharacters(s).Where(i => i <= MaxLength).Last();
        return s[..cut];
    }

    /// <summary>Throws when two inputs map to one name (compared ignoring case, as macOS and Windows disks
    /// do).</summary>
    public static void CheckUnique(IEnumerable<(string Input, string Name)> mapped)
    {
        var clashes = mapped.GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).ToList();
        if (clashes.Count == 0)
            return;
        var g = clashes[0];
        throw new OutputNameCollisionException(
            $"{string.Join(" and ", g.Select(x => $"'{x.Input}'"))} would write the same reports ({g.Key}.*)"
            + (clashes.Count > 1 ? $", and {clashes.Count - 1} more such groups" : "") + "; rename one of them");
    }

    /// <summary>
    /// Labels for captures shown side by side: each path's shortest ending that no other path shares
    /// ("wifi/audio" and "4g/audio" for two captures both named audio.pcapng).
    /// </summary>
    public static List<string> ShortestUniqueSuffixes(IReadOnlyList<string> paths)
    {
        var parts = paths.Select(p =>
        {
            var full = p.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (full.Count > 0)
                full[^1] = StripCaptureExtension(full[^1]);
            return full;
        }).ToList();
        var labels = new List<string>();
        for (var i = 0; i < parts.Count; i++)
        {
            var p = parts[i];
            var n = 1;
            string Label(List<string> x, int k) => string.Join('/', x.Skip(Math.Max(0, x.Count - k)));
            while (n < p.Count && parts.Where((_, j) => j != i).Any(o => Label(o, n) == Label(p, n)))
                n++;
            labels.Add(Label(p, n));
        }
        return labels;
    }

    // Longest first, so "x.pcap.gz" loses ".pcap.gz" and not only ".gz"; a model read back (".json") is named alike.
    private static readonly string[] Extensions =
        [.. Dissect.Analysis.CaptureFiles.Extensions.Append(".json").OrderByDescending(e => e.Length).ThenBy(e => e,
            StringComparer.Ordinal)];

    public static string StripCaptureExtension(string name)
    {
        // ".pcap" alone has no name: the caller's Safe("") gives "capture".
        foreach (var e in Extensions)
            if (name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
                return name[..^e.Length];
        return Path.GetFileNameWithoutExtension(name);
    }
}
