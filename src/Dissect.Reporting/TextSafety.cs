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

    /// <summary>
    /// Text for Markdown: characters that start inline markup, links, HTML or a table cell border are escaped, and
    /// those that start a block (a list, heading or quote) only at the start of a line, so that names and addresses
    /// stay readable and copyable ("a-b.example.net", not "a\-b\.example\.net").
    /// </summary>
    public static string Markdown(string s)
    {
        var sb = new StringBuilder();
        var text = Clean(s, 100_000);
        var lineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (lineStart && ch is '-' or '+' or '#' or '=')
                sb.Append('\\').Append(ch);
            else if (lineStart && char.IsAsciiDigit(ch))
            {
                // "1. " or "1) " would start an ordered list; "192.168.1.1" would not.
                var j = i;
                while (j < text.Length && char.IsAsciiDigit(text[j]))
                    j++;
                sb.Append(text, i, j - i);
                if (j < text.Length && text[j] is '.' or ')' && (j + 1 == text.Length || text[j + 1] is ' ' or '\t'))
                {
                    sb.Append('\\').Append(text[j]);
                    j++;
                }
                i = j - 1;
            }
            else
                switch (ch)
                {
                    // An underscore inside a word cannot start emphasis (TLS_AES_128_GCM_SHA256 stays as it is).
                    case '_' when i > 0 && i + 1 < text.Length && char.IsLetterOrDigit(text[i - 1])
                        && char.IsLetterOrDigit(text[i + 1]):
                        sb.Append(ch);
                        break;
                    case '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~' or '!':
                        sb.Append('\\').Append(ch);
                        break;
                    case '<': sb.Append("&lt;"); break;
                    case '>': sb.Append("&gt;"); break;
                    case '&': sb.Append("&amp;"); break;
                    case '\n': sb.Append("<br>"); break;
                    default: sb.Append(ch); break;
                }
            lineStart = false;   // a line break becomes <br>: the text stays one Markdown line
        }
        return sb.ToString();
    }
}
