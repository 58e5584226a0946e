using Dissect.Reporting;

namespace Dissect.Cli;

/// <summary>Text from captures shown on a terminal: the reports' cleaning (control and bidi characters made visible,
/// long values cut), kept on one line.</summary>
public static class Terminal
{
    public static string Safe(string s, int max = 300) => TextSafety.Clean(s, max).Replace("\n", "\\u000A", StringComparison.Ordinal);
}
