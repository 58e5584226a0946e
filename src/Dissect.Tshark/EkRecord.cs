using System.Text.Json;

namespace Dissect.Tshark;

/// <summary>
/// One packet of tshark's EK output: field name (tshark's, with dots) → values. Values are strings
/// exactly as tshark prints them. Parsed with <see cref="Utf8JsonReader"/> straight from the line bytes.
/// </summary>
public sealed class EkRecord
{
    // Lists are kept and cleared between packets: a record is reused for the whole capture (see Load),
    // so parsing a packet allocates only its value strings.
    private readonly Dictionary<string, List<string>> _fields = new(StringComparer.Ordinal);
    private readonly List<List<string>> _used = [];

    public IReadOnlyList<string> this[string field] => _fields.TryGetValue(field, out var v) ? v : [];

    public string? First(string field) => _fields.TryGetValue(field, out var v) && v.Count > 0 ? v[0] : null;

    public bool Has(string field) => _fields.TryGetValue(field, out var v) && v.Count > 0;

    public IEnumerable<string> FieldNames => _fields.Where(kv => kv.Value.Count > 0).Select(kv => kv.Key);

    /// <summary>EK keys use '_' where tshark field names use '.'; <paramref name="keyToField"/> maps them
    /// back.</summary>
    public static EkRecord Parse(ReadOnlySpan<byte> line, IReadOnlyDictionary<string, string> keyToField)
    {
        var rec = new EkRecord();
        rec.Load(line, keyToField);
        return rec;
    }

    /// <summary>Replaces this record's content with the packet on <paramref name="line"/>.</summary>
    public void Load(ReadOnlySpan<byte> line, IReadOnlyDictionary<string, string> keyToField)
    {
        foreach (var l in _used)
            l.Clear();
        _used.Clear();
        var rec = this;
        Span<char> keyBuffer = stackalloc char[128];
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
                        current = FieldOf(ref r, keyToField, keyBuffer);
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
    }

    // Looks the key up without allocating when it is one of the requested fields (the usual case).
    private static string FieldOf(ref Utf8JsonReader r, IReadOnlyDictionary<string, string> keyToField,
        scoped Span<char> buffer)
    {
        if (keyToField is Dictionary<string, string> d && !r.ValueIsEscaped && r.ValueSpan.Length <= buffer.Length)
        {
            var n = System.Text.Encoding.UTF8.GetChars(r.ValueSpan, buffer);
            if (d.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(buffer[..n], out var known))
                return known;
        }
        var key = r.GetString()!;
        return keyToField.TryGetValue(key, out var f) ? f : key;
    }

    private void Add(string field, string value)
    {
        if (!_fields.TryGetValue(field, out var list))
            _fields[field] = list = new List<string>(1);
        if (list.Count == 0)
            _used.Add(list);
        list.Add(value);
    }

    /// <summary>The EK key of a tshark field name.</summary>
    public static string KeyOf(string field) => field.Replace('.', '_');
}
