using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dissect.Analysis;

namespace Dissect.Reporting.Localization;

/// <summary>
/// The one localization mechanism of the reports: a string table per language (templates/report/strings/LANG.json,
/// embedded) whose entries hold named placeholders, <c>{name}</c> or <c>{name:format}</c>. The model holds facts;
/// this class and the table build each language's sentences from them, and format numbers the language's way.
/// </summary>
public sealed partial class Localizer
{
    public static readonly string[] Languages = ["en", "fr"];

    private static readonly Dictionary<string, Localizer> Cache = [];
    private readonly IReadOnlyDictionary<string, string> _strings;

    public string Language { get; }

    /// <summary>Number formats built by hand: the build runs with invariant globalization, without culture
    /// data.</summary>
    public NumberFormatInfo Numbers { get; }

    private Localizer(string language, IReadOnlyDictionary<string, string> strings)
    {
        Language = language;
        _strings = strings;
        var nf = (NumberFormatInfo)CultureInfo.InvariantCulture.NumberFormat.Clone();
        if (language == "fr")
        {
            // French groups thousands with a (no-break) space and writes a decimal comma.
            nf.NumberGroupSeparator = "\u00A0";
            nf.NumberDecimalSeparator = ",";
            nf.PercentGroupSeparator = "\u00A0";
            nf.PercentDecimalSeparator = ",";
        }
        Numbers = nf;
    }

    public static Localizer For(string language)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(language, out var l))
                return l;
            var table = Load(language) ?? throw new ArgumentException($"no report language '{language}'",
                nameof(language));
            return Cache[language] = new Localizer(language, table);
        }
    }

    /// <summary>The raw string table of a language, or null when there is none.</summary>
    public static IReadOnlyDictionary<string, string>? Load(string language)
    {
        using var s = typeof(Localizer).Assembly.GetManifestResourceStream($"report/strings/{language}.json");
        if (s is null)
            return null;
        return JsonSerializer.Deserialize<Dictionary<string, string>>(s)!;
    }

    public bool Has(string key) => _strings.ContainsKey(key);

    /// <summary>The entry <paramref name="key"/> with its placeholders filled. A missing key is a bug in the tables
    /// (a test checks they are complete), so it shows as the key itself rather than failing a report.</summary>
    public string T(string key, params (string Name, object? Value)[] values)
    {
        if (!_strings.TryGetValue(key, out var text))
            return key;
        if (values.Length == 0 && !text.Contains('{', StringComparison.Ordinal))
            return text;
        return Placeholder().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            var format = m.Groups[2].Success ? m.Groups[2].Value : null;
            foreach (var (n, v) in values)
                if (n == name)
                    return format is not null && format.Contains('|', StringComparison.Ordinal)
                        ? Counted(v, format) : Format(v, format);
            return m.Value;
        });
    }

    public string this[string key] => T(key);

    /// <summary>A name the protocol schema gives (an MS-VERSION, a stream type) in this language: the entry
    /// "schema.NAME" of a language that translates it, else the schema's own (English) name.</summary>
    public string SchemaName(string name) => _strings.TryGetValue("schema." + name, out var t) ? t : name;

    /// <summary>A code from the model (a scope, a status, a weakness…) in words: the entry "group.code", or the code
    /// itself when the table has none (protocol names and other identifiers stay as they are).</summary>
    public string Code(string group, string? code) =>
        code is null ? "–" : _strings.TryGetValue(group + "." + code, out var t) ? t : code;

    /// <summary>A finding's sentence in this language.</summary>
    public string Finding(Finding f) =>
        T("finding." + f.Id, [.. f.Values.Select(kv => (kv.Key, kv.Key == "weakness"
            ? Code("weakness", Format(kv.Value)) : (object?)kv.Value))]) +
        (f.Id.StartsWith("nat.", StringComparison.Ordinal) && Untranslated(f) is { } extra ? extra : "");

    private string? Untranslated(Finding f)
    {
        if (f.Id is "nat.no-nat-own-address" || !f.Values.TryGetValue("untranslated", out var u)
            || Strings(u).Count == 0 || !f.Values.TryGetValue("public", out var p) || Strings(p).Count == 0)
            return null;
        var v6 = f.Values.TryGetValue("untranslatedIPv6", out var b) && Truth(b);
        return T(v6 ? "nat.untranslated-ipv6" : "nat.untranslated-other", ("untranslated", u));
    }

    /// <summary>
    /// A count with its noun, <c>{name:one|other}</c>: "1 packet", "2 packets". French takes the singular for 0 and 1
    /// as well ("0 paquet"), English only for 1.
    /// </summary>
    private string Counted(object? v, string forms)
    {
        var bar = forms.IndexOf('|', StringComparison.Ordinal);
        var count = v switch
        {
            int i => i,
            long l => l,
            double d => d,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            _ => double.NaN,
        };
        var one = Language == "fr" ? count is >= 0 and < 2 : count == 1;
        return Format(v) + " " + (one ? forms[..bar] : forms[(bar + 1)..]);
    }

    public string N(long v) => v.ToString("N0", Numbers);

    /// <summary>A date and time written the language's way ("3 April 2023, 09:43:35.271" / "3 avril 2023,
    /// 09:43:35,271"); UTC, as the capture gives it.</summary>
    public string DateTime(DateTimeOffset t) => T("date.long", ("day", t.Day.ToString(CultureInfo.InvariantCulture)),
        ("month", this["month." + t.Month.ToString(CultureInfo.InvariantCulture)]),
        ("year", t.Year.ToString(CultureInfo.InvariantCulture)),
        ("time", t.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + Numbers.NumberDecimalSeparator +
            t.ToString("fff", CultureInfo.InvariantCulture)));

    public string Num(double v, string format = "0.#") => v.ToString(format, Numbers);

    public string Format(object? v, string? format = null) => v switch
    {
        null => "–",
        string s => s,
        int i => format is null ? N(i) : i.ToString(format, Numbers),
        long l => format is null ? N(l) : l.ToString(format, Numbers),
        double d => Num(d, format ?? "#,0.#"),
        bool b => b ? this["yes"] : this["no"],
        JsonElement e => e.ValueKind switch
        {
            JsonValueKind.Number when e.TryGetInt64(out var l) => Format(l, format),
            JsonValueKind.Number => Format(e.GetDouble(), format),
            JsonValueKind.String => e.GetString()!,
            JsonValueKind.True or JsonValueKind.False => Format(e.GetBoolean(), format),
            JsonValueKind.Array => List(Strings(e)),
            _ => e.ToString(),
        },
        IEnumerable<string> list => List([.. list]),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };

    public string List(IReadOnlyCollection<string> items) => items.Count == 0 ? this["none"] : string.Join(", ", items);

    private static IReadOnlyList<string> Strings(object? v) => v switch
    {
        IEnumerable<string> l => [.. l],
        JsonElement { ValueKind: JsonValueKind.Array } e => [.. e.EnumerateArray().Select(x => x.ToString())],
        _ => [],
    };

    private static bool Truth(object? v) => v is true || v is JsonElement { ValueKind: JsonValueKind.True };

    /// <summary>The placeholders of a table entry, for the test that every language fills the same ones.</summary>
    public static IReadOnlySet<string> PlaceholdersOf(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\{([A-Za-z0-9]+)(?::([^{}]+))?\}")]
    private static partial Regex Placeholder();
}
