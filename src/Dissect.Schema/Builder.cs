using System.Collections.Immutable;
using System.Globalization;

namespace Dissect.Schema;

/// <summary>
/// Fluent construction of a <see cref="ProtocolSpec"/>. The builder only collects; every node gets its
/// schema path when <see cref="Build"/> runs, and <see cref="SchemaValidator"/> reports what is wrong.
/// </summary>
public sealed class ProtocolBuilder
{
    private readonly string _id;
    private readonly string _filter;
    private readonly string _title;
    private string _description = "";
    private string _source = "";
    private readonly List<Func<string, FlavourSpec>> _flavours = [];
    private readonly List<Func<string, MessageTypeSpec>> _messages = [];
    private readonly List<(ushort Code, Func<string, AttributeSpec> Make)> _attributes = [];
    private readonly List<Func<string, FramingSpec>> _framings = [];

    private ProtocolBuilder(string id, string filter, string title) => (_id, _filter, _title) = (id, filter, title);

    public static ProtocolBuilder Create(string id, string filterName, string title) => new(id, filterName, title);

    public ProtocolBuilder Describe(string description, string sourceName)
    {
        _description = description;
        _source = sourceName;
        return this;
    }

    public ProtocolBuilder Flavour(string id, string name, PaddingRule padding, string spec,
        ushort? markerAttribute = null, uint? markerValue = null, uint? headerCookie = null,
            int transactionIdOffset = 4, int transactionIdLength = 16)
    {
        _flavours.Add(path => new FlavourSpec(id, name, padding, markerAttribute, markerValue, headerCookie,
            transactionIdOffset, transactionIdLength, spec, $"{path}/flavours/{id}"));
        return this;
    }

    public ProtocolBuilder Message(ushort code, string name, MessageClass cls, string spec, ushort? requestCode = null,
        bool startsRawMedia = false, bool expectsResponse = true, bool fromServer = false, bool allocates = false,
        bool carriesData = false, params string[] flavours)
    {
        var flavourPart = flavours.Length == 0 ? "" : "@" + string.Join("+", flavours);
        _messages.Add(path => new MessageTypeSpec(code, name, cls, requestCode, spec, [.. flavours], startsRawMedia,
            $"{path}/messages/{Hex(code)}{flavourPart}", expectsResponse, fromServer, allocates, carriesData));
        return this;
    }

    public ProtocolBuilder Attribute(ushort code, string name, string spec, string description,
        Action<AttributeBuilder> layout, params string[] flavours)
    {
        _attributes.Add((code, path =>
        {
            var b = new AttributeBuilder();
            layout(b);
            var flavourPart = flavours.Length == 0 ? "" : "@" + string.Join("+", flavours);
            var attrPath = $"{path}/attributes/{Hex(code)}{flavourPart}";
            return new AttributeSpec(code, name, KeyOf(name), spec, description, [.. flavours], b.Build(attrPath),
                b.Payload, attrPath, b.Info, b.Meaning);
        }
        ));
        return this;
    }

    public ProtocolBuilder Framing(FramingKind kind, string name, string spec, int[]? ports = null,
        ValueName[]? frameTypes = null, ushort? channel = null, int sessionIdLength = 0, ushort? linkAttribute = null)
    {
        _framings.Add(path => new FramingSpec(kind, name, [.. ports ?? []], [.. frameTypes ?? []], channel,
            sessionIdLength, linkAttribute, spec, $"{path}/framings/{kind}"));
        return this;
    }

    public ProtocolSpec Build()
    {
        var path = _id;
        return new ProtocolSpec(_id, _filter, _title, _description, _source,
            [.. _flavours.Select(f => f(path))],
            [.. _messages.Select(m => m(path))],
            [.. _attributes.Select(a => a.Make(path))],
            [.. _framings.Select(f => f(path))]);
    }

    /// <summary>Filter-name key of a spec name: "MS-SEQUENCE-NUMBER" becomes "ms_sequence_number".</summary>
    public static string KeyOf(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        return string.Join('_', new string(chars).Split('_', StringSplitOptions.RemoveEmptyEntries));
    }

    internal static string Hex(ulong code) => "0x" + code.ToString("X4", CultureInfo.InvariantCulture);
}

/// <summary>Collects the layouts of one attribute value. Calls outside <see cref="Layout"/> build the default
/// layout.</summary>
public sealed class AttributeBuilder
{
    private readonly List<(int? Length, FieldListBuilder Fields)> _layouts = [];
    private FieldListBuilder? _default;

    internal bool Payload { get; private set; }
    internal string? Info { get; private set; }
    internal AttributeRole Meaning { get; private set; }

    /// <summary>What the attribute means to the protocol (see <see cref="AttributeRole"/>).</summary>
    public AttributeBuilder Role(AttributeRole role)
    {
        Meaning = role;
        return this;
    }

    /// <summary>Show the value in the packet list's Info column after this label (for example "to" for a
    /// destination).</summary>
    public AttributeBuilder InInfo(string label)
    {
        Info = label;
        return this;
    }

    /// <summary>An alternative layout used when the value is exactly <paramref name="length"/> bytes long.</summary>
    public AttributeBuilder Layout(int length, Action<FieldListBuilder> fields)
    {
        var b = new FieldListBuilder();
        fields(b);
        _layouts.Add((length, b));
        return this;
    }

    /// <summary>The value is a relayed payload that the dissector hands on to sub-dissectors.</summary>
    public AttributeBuilder CarriesPayload()
    {
        Payload = true;
        return Fields(f => f.Bytes("value", "Data"));
    }

    public AttributeBuilder Fields(Action<FieldListBuilder> fields)
    {
        _default ??= new FieldListBuilder();
        fields(_default);
        return this;
    }

    // Shorthands for the common single-field values.
    public AttributeBuilder UInt32(string label, string? unit = null, ValueName[]? values = null,
        bool hex = false) => Fields(f => f.UInt32("value", label, unit: unit, values: values, hex: hex));
    public AttributeBuilder Bytes(string label) => Fields(f => f.Bytes("value", label));
    public AttributeBuilder Text(string label) => Fields(f => f.Text("value", label));
    public AttributeBuilder Address() => Fields(f => f.Address());
    public AttributeBuilder XorAddress(int keyOffset = 4) => Fields(f => f.XorAddress(keyOffset));
    public AttributeBuilder Empty() => Fields(_ => { });

    internal ImmutableArray<LayoutSpec> Build(string path)
    {
        var all = _layouts.Select(l => (l.Length, l.Fields)).ToList();
        if (_default is not null)
            all.Add((null, _default));
        return [.. all.Select((l, i) => new LayoutSpec(l.Length,
            l.Fields.Build($"{path}/layouts/{i}"), $"{path}/layouts/{i}"))];
    }
}

/// <summary>Builds an ordered list of fields.</summary>
public sealed class FieldListBuilder
{
    private readonly List<Func<string, FieldSpec>> _fields = [];

    private FieldListBuilder Add(string name, string label, ValueKind kind, int? size, ValueName[]? values = null,
        BitSpecDraft[]? bits = null,
        FieldListBuilder? children = null, int xorKey = 0, bool hex = false, string? unit = null)
    {
        _fields.Add(path =>
        {
            var p = $"{path}/{name}";
            return new FieldSpec(name, label, kind, size, [.. values ?? []],
                [.. (bits ?? []).Select(b => new BitSpec(b.Name, b.Label, b.Mask, [.. b.Values ?? []],
                    $"{p}/bits/{b.Name}"))],
                children?.Build(p) ?? [], xorKey, hex, unit, p);
        });
        return this;
    }

    public FieldListBuilder UInt8(string name, string label, ValueName[]? values = null, BitSpecDraft[]? bits = null,
        bool hex = false) => Add(name, label, ValueKind.UInt8, 1, values, bits, hex: hex);
    public FieldListBuilder UInt16(string name, string label, ValueName[]? values = null, BitSpecDraft[]? bits = null,
        bool hex = false, string? unit = null) => Add(name, label, ValueKind.UInt16, 2, values, bits, hex: hex,
            unit: unit);
    public FieldListBuilder UInt32(string name, string label, ValueName[]? values = null, BitSpecDraft[]? bits = null,
        bool hex = false, string? unit = null) => Add(name, label, ValueKind.UInt32, 4, values, bits, hex: hex,
            unit: unit);
    public FieldListBuilder UInt64(string name, string label, bool hex = true) => Add(name, label, ValueKind.UInt64, 8,
        hex: hex);
    /// <summary>Raw bytes; <paramref name="size"/> null takes the rest of the value.</summary>
    public FieldListBuilder Bytes(string name, string label, int? size = null) => Add(name, label, ValueKind.Bytes,
        size);
    public FieldListBuilder Text(string name, string label, int? size = null) => Add(name, label, ValueKind.Text, size);
    public FieldListBuilder Address() => Add("address", "Address", ValueKind.Address, null);
    /// <summary>An address XOR-ed with the message header from <paramref name="keyOffset"/> (port: 2 bytes, IPv4: 4,
    /// IPv6: 16).</summary>
    public FieldListBuilder XorAddress(int keyOffset = 4) => Add("address", "XOR-ed address", ValueKind.XorAddress,
        null, xorKey: keyOffset);
    public FieldListBuilder Group(string name, string label, int size, Action<FieldListBuilder> children)
    {
        var b = new FieldListBuilder();
        children(b);
        return Add(name, label, ValueKind.Group, size, children: b);
    }

    internal ImmutableArray<FieldSpec> Build(string path) => [.. _fields.Select((f, i) => f($"{path}/fields"))];
}

/// <summary>A bit field as written in a schema, before it gets its path.</summary>
public sealed record BitSpecDraft(string Name, string Label, ulong Mask, ValueName[]? Values = null);

/// <summary>Short helpers that keep schema files readable.</summary>
public static class Schema
{
    public static ValueName V(ulong value, string name) => new(value, name);
    public static BitSpecDraft Bit(string name, string label, ulong mask, params ValueName[] values) => new(name, label,
        mask, values);
}
