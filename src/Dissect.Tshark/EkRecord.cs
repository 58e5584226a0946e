using System.Text.Json;

namespace Dissect.Tshark;

/// <summary>
/// One packet of tshark's EK output: field name (tshark's, with dots) → values. Values are strings
/// exactly as tshark prints them. Parsed with <see cref="Utf8JsonReader"/> straight from the line bytes.
/// </summary>
public sealed class EkRecord
{
    private readonly Dictionary<string, List<string>> _fields = new(StringComparer.Ordinal);

    public IReadOnlyList<string> this[string field] => _fields.TryGetValue(field, out var v) ? v : [];

    public string? First(string field) => _fields.TryGetValue(field, out var v) && v.Count > 0 ? v[0] : null;

    public bool Has(string field) => _fields.ContainsKey(field);

    public IEnumerable<string> FieldNames => _fields.Keys;

    /// <summary>EK keys use '_' where tshark field names use '.'; <paramref name="keyToField"/> maps them back.</summary>
    public static EkRecord Parse(ReadOnlySpan<byte> line, IReadOnlyDictionary<string, string> keyToField)
    {
        var rec = new EkRecord();
        var r = new Utf8JsonReader(line);
        var depth = 0;
        var inLayers = false;
        string? current = null;
        while (r.Read())
        {
            switch (r.TokenType)
            {
                case JsonTokenType.StartObject:
                    depth++;
                    break;
                case JsonTokenType.EndObject:
                    depth--;
                    if (depth < 2)
                        inLayers = false;
                    break;
                case JsonTokenType.PropertyName:
                    if (depth == 1 && r.ValueTextEquals("layers"u8))
                        inLayers = true;
                    else if (inLayers && depth == 2)
                    {
                        var key = r.GetString()!;
                        current = keyToField.TryGetValue(key, out var f) ? f : key;
                    }
                    break;
                case JsonTokenType.String when inLayers && current is not null:
                    rec.Add(current, r.GetString()!);
                    break;
                case JsonTokenType.Number when inLayers && current is not null:
                    rec.Add(current, System.Text.Encoding.UTF8.GetString(r.ValueSpan));
                    break;
                case JsonTokenType.True or JsonTokenType.False when inLayers && current is not null:
                    rec.Add(current, r.TokenType == JsonTokenType.True ? "1" : "0");
                    break;
            }
        }
        return rec;
    }

    private void Add(string field, string value)
    {
        if (!_fields.TryGetValue(field, out var list))
            _fields[field] = list = new List<string>(1);
        list.Add(value);
    }

    /// <summary>The EK key of a tshark field name.</summary>
    public static string KeyOf(string field) => field.Replace('.', '_');
}
