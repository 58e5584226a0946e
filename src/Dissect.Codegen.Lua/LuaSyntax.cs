using System.Globalization;
using System.Text;

namespace Dissect.Codegen.Lua;

/// <summary>Lua literals computed in C#, so templates never escape anything themselves.</summary>
public static class LuaSyntax
{
    /// <summary>A double-quoted Lua string holding <paramref name="s"/> exactly; the output is plain ASCII.</summary>
    /// <summary>
    /// A long string as concatenated literals of at most <paramref name="width"/> characters of text each, split at
    /// spaces, so generated lines stay short; continuation lines start with <paramref name="indent"/>.
    /// </summary>
    public static string StrWrapped(string s, int width, string indent)
    {
        var parts = new List<string>();
        var rest = s;
        while (rest.Length > width)
        {
            var cut = rest.LastIndexOf(' ', width);
            if (cut <= 0)
                cut = width;
            parts.Add(rest[..(cut + 1)]);
            rest = rest[(cut + 1)..];
        }
        parts.Add(rest);
        return string.Join(" ..\n" + indent, parts.Select(Str));
    }

    public static string Str(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            switch (b)
            {
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                default:
                    // Decimal escapes are three digits so a following digit cannot join them.
                    if (b < 0x20 || b >= 0x7F)
                        sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
                    else
                        sb.Append((char)b);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    public static string Hex(ulong v, int digits = 4) =>
        "0x" + v.ToString("X" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Bool(bool v) => v ? "true" : "false";

    public static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>A Lua comment line; control characters cannot end the comment early.</summary>
    public static string Comment(string s) => "-- " + new string(s.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
}
