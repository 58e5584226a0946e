using Markdig;

namespace Dissect.Reporting;

/// <summary>Short explanations written as Markdown under templates/report/notes/{lang}/, embedded in the
/// build.</summary>
public static class TeachingNotes
{
    public static readonly string[] Languages = Localization.Localizer.Languages;

    public static string? Markdown(string lang, string section)
    {
        var asm = typeof(TeachingNotes).Assembly;
        using var s = asm.GetManifestResourceStream($"report/notes/{lang}/{section}.md");
        if (s is null) return null;
        using var r = new StreamReader(s);
        return r.ReadToEnd().Trim();
    }

    public static string? PlainText(string lang, string section) =>
        Markdown(lang, section) is { } md ? Markdig.Markdown.ToPlainText(md).Trim() : null;
}
