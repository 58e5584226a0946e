using System.Text;

namespace Dissect.Cli;

/// <summary>Text from captures shown on a terminal: control characters (escape sequences, bidi overrides) are made visible, long values cut.</summary>
public static class Terminal
{
    public static string Safe(string s, int max = 300)
    {
        var sb = new StringBuilder(Math.Min(s.Length, max));
        foreach (var r in s.EnumerateRunes())
        {
            if (sb.Length >= max) { sb.Append('…'); break; }
            var cat = Rune.GetUnicodeCategory(r);
            if (Rune.IsControl(r) || cat == System.Globalization.UnicodeCategory.Format)
                sb.Append($"\\u{r.Value:X4}");
            else
                sb.Append(r.ToString());
        }
        return sb.ToString();
    }
}
