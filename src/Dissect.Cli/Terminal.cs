using Dissect.Reporting;

namespace Dissect.Cli;

/// <summary>Text from captures shown on a terminal: the reports' cleaning (control and bidi characters made visible,
/// long values cut), kept on one line.</summary>
public static class Terminal
{
    public static string Safe(string s, int max = 300) => TextSafety.Clean(s, max).Replace("\n", "\\u000A",
        StringComparison.Ordinal);
}

/// <summary>
/// Everything Dissect prints goes through this writer: paths and capture strings can hold ESC/OSC sequences or
/// bidi overrides (a file named with one), and none may reach the terminal as such. Line ends and tabs stay.
/// </summary>
public sealed class EscapingWriter(TextWriter inner) : TextWriter
{
    public TextWriter Inner => inner;

    public override System.Text.Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (value is '\n' or '\t' || char.IsSurrogate(value) || !NeedsEscape(value))
            inner.Write(value);
        else
            inner.Write($"\\u{(int)value:X4}");
    }

    public override void Write(string? value)
    {
        if (value is null)
            return;
        if (!value.Any(c => c is not ('\n' or '\t') && NeedsEscape(c)))
        {
            inner.Write(value);
            return;
        }
        foreach (var c in value)
            Write(c);
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        inner.WriteLine();
    }

    public override void Flush() => inner.Flush();

    private static bool NeedsEscape(char c) => char.IsControl(c) || char.GetUnicodeCategory(c) is
        System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator
        or System.Globalization.UnicodeCategory.ParagraphSeparator;
}
