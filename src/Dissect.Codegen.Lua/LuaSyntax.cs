using System.Globalization;
using System.Text;

namespace Dissect.Codegen.Lua;

/// <summary>Lua literals computed in C#, so templates never escape anything themselves.</summary>
public static class LuaSyntax
{
    /// <summary>A double-quoted Lua string holding <paramref name="s"/> exactly; the output is plain ASCII.</summary>
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

    public static string Hex(ulong v, int digits = 4) => "0x" + v.ToString("X" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Bool(bool v) => v ? "true" : "false";

    public static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>A Lua comment line; control characters cannot end the comment early.</summary>
    public static string Comment(string s) => "-- " + new string(s.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
}
