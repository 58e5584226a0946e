using System.Collections.Immutable;

namespace Dissect.Schema;

/// <summary>How a value is laid out on the wire. Integer kinds are big-endian (network order).</summary>
public enum ValueKind
{
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Bytes,
    Text,
    /// <summary>reserved(1) family(1) port(2) address(4 or 16), in clear.</summary>
    Address,
    /// <summary>As <see cref="Address"/>, but port and address are XOR-ed with header bytes (see <see
    /// cref="FieldSpec.XorKeyOffset"/>).</summary>
    XorAddress,
    /// <summary>A named run of sub-fields.</summary>
    Group,
}

public enum PaddingRule
{
    /// <summary>Attributes follow each other at +4+length (MS-TURN).</summary>
    None,
    /// <summary>Attribute values are padded to a multiple of 4 bytes, padding not counted in the length (RFC
    /// 5389).</summary>
    FourByte,
}

public enum MessageClass { Request, SuccessResponse, ErrorResponse, Indication }

public enum FramingKind
{
    /// <summary>One message per UDP datagram.</summary>
    UdpDatagram,
    /// <summary>TCP stream of type(1) reserved(1) length(2) frames.</summary>
    TcpTypeLength,
    /// <summary>UDP channel frames: channel(2) length(2) session id(n) payload.</summary>
    UdpMultiplexed,
}

/// <summary>A named value of an enumeration.</summary>
public sealed record ValueName(ulong Value, string Name);

/// <summary>One bit field inside an integer field.</summary>
public sealed record BitSpec(string Name, string Label, ulong Mask, ImmutableArray<ValueName> Values, string Path);

/// <summary>
/// One field of an attribute value. <see cref="Size"/> is null for "the rest of the value".
/// </summary>
public sealed record FieldSpec(
    string Name,
    string Label,
    ValueKind Kind,
    int? Size,
    ImmutableArray<ValueName> Values,
    ImmutableArray<BitSpec> Bits,
    ImmutableArray<FieldSpec> Children,
    int XorKeyOffset,
    bool Hex,
    string? Unit,
    string Path);

/// <summary>One layout of an attribute value, used when the value length equals <see cref="Length"/> (null: any
/// length).</summary>
public sealed record LayoutSpec(int? Length, ImmutableArray<FieldSpec> Fields, string Path)
{
    /// <summary>Sum of the fixed field sizes; null when a field takes the rest.</summary>
    public int? FixedSize => Fields.All(f => f.Size is not null) ? Fields.Sum(f => f.Size!.Value) : null;
}

/// <summary>
/// What an attribute means to the protocol, beyond its layout: every consumer (the dissector's checks and summaries,
/// the analysis of allocations and NAT) asks the schema by role instead of naming attribute codes.
/// </summary>
public enum AttributeRole
{
    None,
    /// <summary>The client's address as the server saw it (server-reflexive, or peer-reflexive in ICE
    /// checks).</summary>
    MappedAddress,
    /// <summary>The address the relay allocated.</summary>
    RelayedAddress,
    /// <summary>The peer that relayed data came from.</summary>
    PeerAddress,
    /// <summary>The peer data is sent to, or the active destination.</summary>
    DestinationAddress,
    /// <summary>A server to try instead.</summary>
    AlternateServer,
    /// <summary>Class (hundreds), number and reason of an error response.</summary>
    ErrorCode,
    /// <summary>CRC-32 of the message before it, XOR-ed with 0x5354554E.</summary>
    Fingerprint,
    /// <summary>HMAC over the message before it.</summary>
    MessageIntegrity,
    /// <summary>ICE candidate priority: its presence makes a Binding request an ICE connectivity check.</summary>
    IcePriority,
    Realm,
    Nonce,
    Lifetime,
    /// <summary>The protocol version an agent implements (MS-VERSION).</summary>
    Version,
    /// <summary>The kind of media a relay carries and the service it asks for (MS-SERVICE-QUALITY).</summary>
    ServiceQuality,
    /// <summary>The agent's software description.</summary>
    Software,
}

/// <summary>A type-length-value attribute. <see cref="Flavours"/> empty means "every flavour of the
/// protocol".</summary>
public sealed record AttributeSpec(
    ushort Code,
    string Name,
    string Key,
    string Spec,
    string Description,
    ImmutableArray<string> Flavours,
    ImmutableArray<LayoutSpec> Layouts,
    bool CarriesPayload,
    string Path,
    string? InfoLabel = null,
    AttributeRole Role = AttributeRole.None)
{
    /// <summary>Comprehension-required (below 0x8000): an agent that does not know it must reject the
    /// message.</summary>
    public bool ComprehensionRequired => Code < 0x8000;

    public bool AppliesTo(string flavour) => Flavours.IsEmpty || Flavours.Contains(flavour);
}

/// <param name="StartsRawMedia">A success of this type makes later non-STUN datagrams of the same 5-tuple raw relayed
/// media (MS-TURN Set Active Destination).</param>
/// <param name="ExpectsResponse">False for requests the protocol never answers (MS-TURN Send): the dissector does not
/// wait for a response.</param>
/// <param name="FromServer">An indication the server sends (a Data Indication); responses are the server's by
/// class.</param>
/// <param name="CreatesAllocation">A request whose success response reports a relay allocation (Allocate).</param>
/// <param name="CarriesData">A message that only carries relayed data (Send, Data Indication): not a control
/// step.</param>
public sealed record MessageTypeSpec(
    ushort Code,
    string Name,
    MessageClass Class,
    ushort? RequestCode,
    string Spec,
    ImmutableArray<string> Flavours,
    bool StartsRawMedia,
    string Path,
    bool ExpectsResponse = true,
    bool FromServer = false,
    bool CreatesAllocation = false,
    bool CarriesData = false)
{
    /// <summary>The transaction's name, shared by a request and its responses: "Allocate", "Data Indication".</summary>
    public string Operation => Name.EndsWith(" request", StringComparison.Ordinal) ? Name[..^" request".Length] : Name;

    public bool AppliesTo(string flavour) => Flavours.IsEmpty || Flavours.Contains(flavour);
}

/// <summary>
/// A message flavour: how to recognise it and how its attributes are walked. A flavour with a marker
/// attribute is chosen when the first attribute equals <see cref="MarkerAttribute"/> with value <see
/// cref="MarkerValue"/>.
/// </summary>
/// <param name="HeaderCookie">For a fallback flavour: the value header bytes 4..7 must hold (RFC 5389's magic
/// cookie).</param>
public sealed record FlavourSpec(string Id, string Name, PaddingRule Padding, ushort? MarkerAttribute,
    uint? MarkerValue, uint? HeaderCookie, int TransactionIdOffset, int TransactionIdLength, string Spec, string Path);

/// <param name="LinkAttribute">For multiplexed frames: the attribute whose value announces a session id.</param>
public sealed record FramingSpec(FramingKind Kind, string Name, ImmutableArray<int> DefaultPorts,
    ImmutableArray<ValueName> FrameTypes, ushort? Channel, int SessionIdLength, ushort? LinkAttribute, string Spec,
        string Path);

/// <summary>A STUN-family protocol: the single source for the Lua dissector, the field reference and the fixture
/// encoder.</summary>
public sealed record ProtocolSpec(
    string Id,
    string FilterName,
    string Title,
    string Description,
    string SourceName,
    ImmutableArray<FlavourSpec> Flavours,
    ImmutableArray<MessageTypeSpec> MessageTypes,
    ImmutableArray<AttributeSpec> Attributes,
    ImmutableArray<FramingSpec> Framings)
{
    public AttributeSpec? FindAttribute(ushort code, string flavour) =>
        Attributes.FirstOrDefault(a => a.Code == code && a.AppliesTo(flavour));

    public MessageTypeSpec? FindMessageType(ushort code, string flavour) =>
        MessageTypes.FirstOrDefault(m => m.Code == code && m.AppliesTo(flavour));

    public FlavourSpec Flavour(string id) => Flavours.First(f => f.Id == id);

    /// <summary>The named values of one field of the attribute that plays <paramref name="role"/> (MS-VERSION's
    /// versions, the stream types of a service-quality attribute).</summary>
    public ImmutableArray<ValueName> ValuesOf(AttributeRole role, string field) =>
        Attributes.First(a => a.Role == role).Layouts.SelectMany(l => l.Fields).First(f => f.Name == field).Values;

    /// <summary>The schema's name of a value, or null when the schema has none.</summary>
    public string? NameOf(AttributeRole role, string field, ulong value) =>
        ValuesOf(role, field).FirstOrDefault(v => v.Value == value)?.Name;
}
