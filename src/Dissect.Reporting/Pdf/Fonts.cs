using PdfSharp.Fonts;

namespace Dissect.Reporting.Pdf;

/// <summary>The four font files the PDF uses, found explicitly so output matches across machines.</summary>
public sealed record FontSet(string Family, string Regular, string Bold, string Italic, string BoldItalic);

/// <summary>
/// PDFsharp has no font discovery on Linux: this resolver maps every family PDFsharp or its charts ask
/// for (Arial, Helvetica…) to one set of files, Liberation Sans when present (metric-compatible with Arial).
/// </summary>
public sealed class FontResolver : IFontResolver
{
    public const string InstallHint =
        "install fonts with 'sudo apt-get install fonts-liberation2' (or fonts-dejavu-core)";

    private static readonly string[] Roots = ["/usr/share/fonts/truetype", "/usr/share/fonts", "/usr/local/share/fonts",
        "/Library/Fonts", "/System/Library/Fonts/Supplemental", @"C:\Windows\Fonts"];

    private static readonly (string Family, string[] Files)[] Candidates =
    [
        ("Liberation Sans", ["LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSans-Italic.ttf",
            "LiberationSans-BoldItalic.ttf"]),
        ("DejaVu Sans", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
            "DejaVuSans-BoldOblique.ttf"]),
        ("Arial", ["arial.ttf", "arialbd.ttf", "ariali.ttf", "arialbi.ttf"]),
    ];

    private static readonly Lazy<FontSet?> Found = new(Locate);
    private static readonly object Gate = new();
    private static bool _installed;

    public FontSet Set { get; }

    private FontResolver(FontSet set) => Set = set;

    public static FontSet? Find() => Found.Value;

    /// <summary>Installs the resolver once per process; throws with an actionable message when no fonts
    /// exist.</summary>
    public static FontSet Install()
    {
        var set = Find()
            ?? throw new FileNotFoundException("no usable TrueType fonts found (Liberation Sans or DejaVu Sans); " +
                "" + InstallHint);
        lock (Gate)
        {
            if (!_installed)
            {
                PdfSharp.PdfSharpLicense.SetAgplLicense();
                GlobalFontSettings.FontResolver = new FontResolver(set);
                _installed = true;
            }
        }
        return set;
    }

    private static FontSet? Locate()
    {
        foreach (var (family, files) in Candidates)
        {
            var paths = files.Select(FindFile).ToArray();
            if (paths[0] is null || paths[1] is null)
                continue;
            return new FontSet(family, paths[0]!, paths[1]!, paths[2] ?? paths[0]!, paths[3] ?? paths[1]!);
        }
        return null;
    }

    private static string? FindFile(string name)
    {
        foreach (var root in Roots.Where(Directory.Exists))
        {
            var direct = Directory.EnumerateFiles(root, name, SearchOption.AllDirectories).FirstOrDefault();
            if (direct is not null)
                return direct;
        }
        return null;
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new($"dissect#{(bold ? "b" : "")}{(italic ? "i" : "")}");

    public byte[]? GetFont(string faceName) => File.ReadAllBytes(faceName switch
    {
        "dissect#b" => Set.Bold,
        "dissect#i" => Set.Italic,
        "dissect#bi" => Set.BoldItalic,
        _ => Set.Regular,
    });
}
