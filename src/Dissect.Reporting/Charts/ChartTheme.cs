namespace Dissect.Reporting.Charts;

/// <summary>The one theme of every chart, in the PDF and the HTML alike.</summary>
public static class ChartTheme
{
    /// <summary>
    /// Okabe and Ito's colour-blind-safe palette: eight hues that stay apart for the common colour-vision
    /// deficiencies, as (red, green, blue).
    /// </summary>
    public static readonly (byte R, byte G, byte B)[] Palette =
    [
        (0, 114, 178), (230, 159, 0), (0, 158, 115), (213, 94, 0), (204, 121, 167), (86, 180, 233), (0, 0, 0),
        (240, 228, 66),
    ];

    public static string Hex(int series)
    {
        var (r, g, b) = Palette[series % Palette.Length];
        return $"#{r:X2}{g:X2}{b:X2}";
    }
}
