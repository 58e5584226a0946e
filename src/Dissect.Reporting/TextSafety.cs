using System.Text;

namespace Dissect.Reporting;

/// <summary>Strings from captures are untrusted: control and bidi-override characters are shown as escapes, and very
/// long values are cut.</summary>
public static class TextSafety
{
    public const int MaxLength = 400;

    public static string Clean(string s, int max = MaxLength)
    {
        var sb = new StringBuilder(Math.Min(s.Length, max + 8));
        foreach (var r in s.EnumerateRunes())
        {
            if (sb.Length >= max)
            {
                sb.Append('…');
                break;
            }
            if (r.Value == '\n')
                sb.Append('\n');
            // Format (bidi overrides, zero-width) and the Unicode line and paragraph separators, which JavaScript and
            // some terminals take as line ends, are shown as escapes like the control characters.
            else if (Rune.IsControl(r) || Rune.GetUnicodeCategory(r) is System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.LineSeparator
                    or System.Globalization.UnicodeCategory.ParagraphSeparator)
                sb.Append($"\\u{r.Value:X4}");
            else
                sb.Append(r.ToString());
        }
        return sb.ToString();
    }

    public static string Markdown(string s)
    {
        var sb = new StringBuilder();
        foreach (var ch in Clean(s))
        {
            switch (ch)
            {
                case '\\' or '`' or '*' or '_' or '[' or ']' or '#' or '|' or '!' or '~' or '(' or ')' or '{' or '}'
                    or '+' or '-' or '.':
                    sb.Append('\\').Append(ch);
                    break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\n': sb.Append("<br>"); break;
                default: sb.Append(ch); break;
            }
        }
        return sb.ToString();
    }
}
