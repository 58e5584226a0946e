using System.Text.RegularExpressions;

namespace Dissect.Schema;

public enum Severity { Error, Warning }

/// <summary>One problem in a schema, located by its path (for example
/// <c>ms-turn/attributes/0x8050/layouts/0</c>).</summary>
public sealed record Diagnostic(Severity Severity, string Path, string Message)
{
    public override string ToString() => $"{Path}: {Severity.ToString().ToLowerInvariant()}: {Message}";
}

/// <summary>Checks a schema and returns every problem found, so an author fixes them in one go.</summary>
public static partial class SchemaValidator
{
    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex Identifier();

    public static IReadOnlyList<Diagnostic> Validate(ProtocolSpec p)
    {
        var d = new List<Diagnostic>();
        void Error(string path, string msg) => d.Add(new Diagnostic(Severity.Error, path, msg));

        // Names become Lua identifiers and display-filter names: only a safe alphabet may reach them.
        if (!Identifier().IsMatch(p.FilterName))
            Error(p.Id, $"filter name '{p.FilterName}' must match [a-z][a-z0-9_]*");
        if (string.IsNullOrWhiteSpace(p.Title) || HasControl(p.Title))
            Error(p.Id, "title must be non-empty printable text");
        if (p.Flavours.IsEmpty)
            Error(p.Id, "at least one flavour is required");

        foreach (var dup in p.Flavours.GroupBy(f => f.Id).Where(g => g.Count() > 1))
            Error(dup.First().Path, $"flavour '{dup.Key}' is defined {dup.Count()} times");
        foreach (var f in p.Flavours)
        {
            if (!Identifier().IsMatch(f.Id))
                Error(f.Path, $"flavour id '{f.Id}' must match [a-z][a-z0-9_]*");
            if (f.MarkerAttribute is null != f.MarkerValue is null)
                Error(f.Path, "a marker attribute needs a marker value and the other way round");
            if (f.TransactionIdOffset + f.TransactionIdLength > 20 || f.TransactionIdOffset < 4)
                Error(f.Path, "the transaction id must lie within header bytes 4..19");
        }
        var flavourIds = p.Flavours.Select(f => f.Id).ToHashSet();
        foreach (var f in p.Flavours.Where(f => f.MarkerAttribute is null && f.HeaderCookie is null))
            Error(f.Path, "a flavour without a marker attribute needs a header cookie, or any 20 bytes would match it");
        if (p.Flavours.Count(f => f.MarkerAttribute is null) > 1)
            Error(p.Id, "only one flavour may be the fallback (without a marker attribute)");

        foreach (var m in p.MessageTypes)
        {
            if ((m.Code & 0xC000) != 0)
                Error(m.Path, "message types have their top two bits clear");
            CheckName(m.Path, m.Name, Error);
            CheckFlavours(m.Path, m.Flavours, flavourIds, Error);
            if (m.RequestCode is { } rq && !p.MessageTypes.Any(x => x.Code == rq && x.Class == MessageClass.Request))
                Error(m.Path, $"request type {ProtocolBuilder.Hex(rq)} is not a request of this schema");
        }
        foreach (var flavour in flavourIds)
        {
            foreach (var dup in p.MessageTypes.Where(m => m.AppliesTo(flavour)).GroupBy(m => m.Code).Where(g =>
                g.Count() > 1))
                Error(dup.Last().Path,
                    $"message type {ProtocolBuilder.Hex(dup.Key)} is defined twice for flavour '{flavour}'");
            foreach (var dup in p.Attributes.Where(a => a.AppliesTo(flavour)).GroupBy(a => a.Code).Where(g =>
                g.Count() > 1))
                Error(dup.Last().Path,
                    $"attribute {ProtocolBuilder.Hex(dup.Key)} is defined twice for flavour '{flavour}'");
        }

        var kindsByFilter = new Dictionary<string, (ValueKind Kind, string Path)>();
        foreach (var a in p.Attributes)
        {
            CheckName(a.Path, a.Name, Error);
            CheckFlavours(a.Path, a.Flavours, flavourIds, Error);
            if (string.IsNullOrWhiteSpace(a.Spec))
                Error(a.Path, "every attribute names its specification section");
            if (!Identifier().IsMatch(a.Key))
                Error(a.Path, $"key '{a.Key}' derived from the name must match [a-z][a-z0-9_]*");
            if (a.Layouts.IsEmpty)
                Error(a.Path, "attribute has no layout");
            if (a.InfoLabel is { } info && (info.Length == 0 || info.Length > 20 || HasControl(info)))
                Error(a.Path, "an Info column label is 1 to 20 printable characters");
            foreach (var dup in a.Layouts.GroupBy(l => l.Length).Where(g => g.Count() > 1))
                Error(dup.Last().Path, dup.Key is null ? "two default layouts" : $"two layouts for length {dup.Key}");
            foreach (var l in a.Layouts)
            {
                CheckFields(l.Fields, l.Path, Error);
                if (l.Length is { } len && l.FixedSize is { } fixedSize && fixedSize != len)
                    Error(l.Path, $"fields take {fixedSize} bytes but the layout is for length {len}");
                foreach (var f in Flatten(l.Fields))
                {
                    var filter = a.Key + "." + f.Name;
                    if (kindsByFilter.TryGetValue(filter, out var seen) && seen.Kind != f.Kind)
                        Error(f.Path, $"field '{filter}' is {f.Kind} here but {seen.Kind} at {seen.Path}");
                    else
                        kindsByFilter[filter] = (f.Kind, f.Path);
                }
            }
        }
        foreach (var fr in p.Framings)
        {
            if (fr.Kind == FramingKind.UdpMultiplexed && (fr.Channel is null || fr.SessionIdLength <= 0))
                Error(fr.Path, "a multiplexed framing needs a channel number and a session id length");
            if (fr.Kind == FramingKind.TcpTypeLength && fr.FrameTypes.IsEmpty)
                Error(fr.Path, "a type/length framing needs its frame types");
        }
        return d;
    }

    public static IEnumerable<FieldSpec> Flatten(IEnumerable<FieldSpec> fields) =>
        fields.SelectMany(f => f.Kind == ValueKind.Group ? Flatten(f.Children).Prepend(f) : [f]);

    private static void CheckFields(IReadOnlyList<FieldSpec> fields, string path, Action<string, string> error)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            if (!Identifier().IsMatch(f.Name))
                error(f.Path, $"field name '{f.Name}' must match [a-z][a-z0-9_]*");
            CheckName(f.Path, f.Label, error);
            if (f.Size is null && i != fields.Count - 1)
                error(f.Path, "only the last field may take the rest of the value");
            if (f.Size is <= 0)
                error(f.Path, "a field size must be positive");
            if (f.Kind is ValueKind.Address or ValueKind.XorAddress && fields.Count != 1)
                error(f.Path, "an address is the whole attribute value");
            if (f.Kind == ValueKind.XorAddress && (f.XorKeyOffset < 4 || f.XorKeyOffset + 16 > 20))
                error(f.Path, "the XOR key must lie within header bytes 4..19");
            var width = f.Kind switch
            {
                ValueKind.UInt8 => 8,
                ValueKind.UInt16 => 16,
                ValueKind.UInt32 => 32,
                ValueKind.UInt64 => 64,
                _ => 0
            };
            if (width == 0 && (!f.Bits.IsEmpty || !f.Values.IsEmpty))
                error(f.Path, "value names and bit fields need an integer field");
            foreach (var b in f.Bits)
            {
                if (!Identifier().IsMatch(b.Name))
                    error(b.Path, $"bit field name '{b.Name}' must match [a-z][a-z0-9_]*");
                if (b.Mask == 0 || (width < 64 && b.Mask >> width != 0))
                    error(b.Path, $"mask 0x{b.Mask:X} does not fit a {width}-bit field");
            }
            foreach (var dup in f.Values.GroupBy(v => v.Value).Where(g => g.Count() > 1))
                error(f.Path, $"value {dup.Key} is named twice");
            if (f.Kind == ValueKind.Group)
            {
                CheckFields(f.Children, f.Path, error);
                var inner = f.Children.All(c => c.Size is not null) ? f.Children.Sum(c => c.Size!.Value) : (int?)null;
                if (inner != f.Size)
                    error(f.Path,
                        $"group size {f.Size} differs from the size of its fields ({inner?.ToString() ?? "variable"})");
            }
        }
        foreach (var dup in fields.GroupBy(f => f.Name).Where(g => g.Count() > 1))
            error(path, $"field '{dup.Key}' appears twice");
    }

    private static void CheckName(string path, string name, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(name))
            error(path, "name must not be empty");
        else if (HasControl(name))
            error(path, "name must not hold control characters");
    }

    private static void CheckFlavours(string path, IEnumerable<string> used, HashSet<string> known, Action<string,
        string> error)
    {
        foreach (var f in used.Where(f => !known.Contains(f)))
            error(path, $"unknown flavour '{f}'");
    }

    private static bool HasControl(string s) => s.Any(char.IsControl);
}
