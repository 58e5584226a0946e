namespace Dissect.Codegen.Lua;

// Read-only shapes the templates see. Every string that lands in Lua is already a Lua literal
// (or "nil"), so the templates only loop and branch.

public sealed record LuaDissectorView(
    IReadOnlyList<string> HeaderLines,
    string PluginVersion,
    string PluginDescription,
    string ProtoName,
    string ProtoTitle,
    string TcpProtoName,
    string TcpProtoTitle,
    string LateProtoName,
    string ProtocolColumn,
    string FilterPrefix,
    IReadOnlyList<LuaValueStringView> ValueStrings,
    IReadOnlyList<LuaFieldView> Fields,
    IReadOnlyList<LuaMessageView> Messages,
    IReadOnlyList<LuaAttributeView> Attributes,
    IReadOnlyList<LuaFlavourView> Flavours,
    string UdpPorts,
    string TcpPorts,
    string MuxPorts,
    string MuxChannel,
    int MuxSessionIdLength,
    IReadOnlyList<LuaValueView> TcpFrameTypes)
{
    /// <summary>The same fields in plain text, for the field reference (not used by the templates).</summary>
    public IReadOnlyList<FieldDoc> Docs { get; init; } = [];
}

public sealed record FieldDoc(string Filter, string Type, string Label, string Values, string Spec, string Description);

public sealed record LuaValueView(string Key, string Name);

public sealed record LuaValueStringView(string Var, IReadOnlyList<LuaValueView> Entries);

/// <param name="Tail">The constructor arguments after abbreviation and label, which differ by field type.</param>
public sealed record LuaFieldView(string Key, string Ctor, string Abbrev, string Label, string Tail);

public sealed record LuaFlavourView(
    string Id,
    string Name,
    string Padding,
    string MarkerAttribute,
    string MarkerValue,
    string HeaderCookie,
    int TransactionIdOffset,
    int TransactionIdLength);

/// <param name="Flavours">Lua list of the flavour ids the entry belongs to; empty for all.</param>
public sealed record LuaMessageView(string Id, string Code, string Flavours, string Name, int Class, string RequestCode,
    string StartsRawMedia, string Tracked);

/// <param name="Id">Lua string key of the one shared definition (an attribute valid in several flavours is defined
/// once).</param>
/// <param name="Info">Lua string: label before the value in the Info column, or nil.</param>
/// <param name="Role">Lua string of the attribute's role (see AttributeRole), or nil.</param>
public sealed record LuaAttributeView(
    string Id,
    string Code,
    string Flavours,
    string Name,
    string Key,
    string Payload,
    string Link,
    string Info,
    string Role,
    string Required,
    IReadOnlyList<LuaLayoutView> Layouts);

public sealed record LuaLayoutView(string Length, IReadOnlyList<LuaDecodeView> Fields);

/// <param name="FieldRef">Lua expression of the field (F["…"]) or nil.</param>
/// <param name="Values">Lua name of the field's value-string table, or nil: summaries name the value.</param>
/// <param name="Reserved">A reserved field, left out of the attribute's summary.</param>
public sealed record LuaDecodeView(
    string Kind,
    string Size,
    string FieldRef,
    string Unit,
    string Hex,
    int XorKeyOffset,
    IReadOnlyList<string> BitRefs,
    IReadOnlyList<LuaDecodeView> Children,
    string Values,
    string Label,
    string Reserved);
