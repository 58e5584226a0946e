using static Dissect.Schema.Schema;

namespace Dissect.Schema.Protocols;

/// <summary>
/// Microsoft's TURN/STUN variant used by Skype and Teams ([MS-TURN]), with the [MS-ICE2] and
/// [MS-TURNBWM] attributes and the RFC 5389/5245/5766 attributes that share its flows.
/// Layouts follow the MS-TURN wire facts observed in real captures (see docs/ms-turn.md).
/// </summary>
public static class MsTurn
{
    public const string Ms = "ms";
    public const string Rfc = "rfc";
    public const uint MagicCookieValue = 0x72C64BC6;
    public const uint Rfc5389Cookie = 0x2112A442;

    private static readonly ValueName[] MsVersions =
    [
        V(1, "MS-ICE"), V(2, "MS-ICE2"), V(3, "MS-ICE2 with SHA-256 integrity"), V(4, "MS-ICE2 with SHA-256 and IPv6"),
        V(5, "Multiplexed TURN over UDP"), V(6, "Multiplexed TURN over UDP and TCP"),
    ];

    private static readonly ValueName[] Locations = [V(0, "Unknown"), V(1, "Internet"), V(2, "Intranet")];

    public static ProtocolSpec Spec { get; } = Create();

    private static ProtocolSpec Create() =>
        ProtocolBuilder.Create("ms-turn", "msturn", "MS-TURN (Microsoft TURN/STUN for Skype and Teams)")
            .Describe("Microsoft TURN extensions [MS-TURN] with [MS-ICE2] and [MS-TURNBWM] attributes; RFC 5389 " +
                "messages on the same flows are decoded with padding.",
                "src/Dissect.Schema/Protocols/MsTurn.cs")
            .Flavour(Ms, "MS-TURN", PaddingRule.None, "MS-TURN 2.2.2.8", markerAttribute: 0x000F,
                markerValue: MagicCookieValue, transactionIdOffset: 4, transactionIdLength: 16)
            .Flavour(Rfc, "RFC 5389", PaddingRule.FourByte, "RFC 5389 6", headerCookie: Rfc5389Cookie,
                transactionIdOffset: 8, transactionIdLength: 12)

            // Message types are whole 16-bit values in MS-TURN (no RFC 5389 class/method split).
            .Message(0x0001, "Binding request", MessageClass.Request, "RFC 5389 18.1")
            .Message(0x0101, "Binding success response", MessageClass.SuccessResponse, "RFC 5389 18.1", 0x0001)
            .Message(0x0111, "Binding error response", MessageClass.ErrorResponse, "RFC 5389 18.1", 0x0001)
            .Message(0x0011, "Binding indication", MessageClass.Indication, "RFC 5389 18.1", flavours: Rfc)
            .Message(0x0002, "Shared Secret request", MessageClass.Request, "MS-TURN 2.2.1", flavours: Ms)
            .Message(0x0102, "Shared Secret response", MessageClass.SuccessResponse, "MS-TURN 2.2.1", 0x0002,
                flavours: Ms)
            .Message(0x0112, "Shared Secret error response", MessageClass.ErrorResponse, "MS-TURN 2.2.1", 0x0002,
                flavours: Ms)
            .Message(0x0003, "Allocate request", MessageClass.Request, "MS-TURN 2.2.1", allocates: true)
            .Message(0x0103, "Allocate response", MessageClass.SuccessResponse, "MS-TURN 2.2.1", 0x0003)
            .Message(0x0113, "Allocate error response", MessageClass.ErrorResponse, "MS-TURN 2.2.1", 0x0003)
            .Message(0x0004, "Send request", MessageClass.Request, "MS-TURN 2.2.1", expectsResponse: false,
                carriesData: true,
                flavours: Ms)
            .Message(0x0104, "Send response", MessageClass.SuccessResponse, "MS-TURN 2.2.1", 0x0004, flavours: Ms)
            .Message(0x0114, "Send error response", MessageClass.ErrorResponse, "MS-TURN 2.2.1", 0x0004, flavours: Ms)
            .Message(0x0115, "Data Indication", MessageClass.Indication, "MS-TURN 2.2.1", fromServer: true,
                carriesData: true,
                flavours: Ms)
            .Message(0x0006, "Set Active Destination request", MessageClass.Request, "MS-TURN 2.2.1", flavours: Ms)
            .Message(0x0106, "Set Active Destination response", MessageClass.SuccessResponse, "MS-TURN 2.2.1", 0x0006,
                startsRawMedia: true, flavours: Ms)
            .Message(0x0116, "Set Active Destination error response", MessageClass.ErrorResponse, "MS-TURN 2.2.1",
                0x0006, flavours: Ms)
            .Message(0x0004, "Refresh request", MessageClass.Request, "RFC 5766 16", flavours: Rfc)
            .Message(0x0104, "Refresh success response", MessageClass.SuccessResponse, "RFC 5766 16", 0x0004,
                flavours: Rfc)
            .Message(0x0114, "Refresh error response", MessageClass.ErrorResponse, "RFC 5766 16", 0x0004, flavours: Rfc)
            .Message(0x0016, "Send indication", MessageClass.Indication, "RFC 5766 10", carriesData: true,
                flavours: Rfc)
            .Message(0x0017, "Data indication", MessageClass.Indication, "RFC 5766 10", fromServer: true,
                carriesData: true,
                flavours: Rfc)
            .Message(0x0008, "CreatePermission request", MessageClass.Request, "RFC 5766 9", flavours: Rfc)
            .Message(0x0108, "CreatePermission success response", MessageClass.SuccessResponse, "RFC 5766 9", 0x0008,
                flavours: Rfc)
            .Message(0x0118, "CreatePermission error response", MessageClass.ErrorResponse, "RFC 5766 9", 0x0008,
                flavours: Rfc)
            .Message(0x0009, "ChannelBind request", MessageClass.Request, "RFC 5766 11", flavours: Rfc)
            .Message(0x0109, "ChannelBind success response", MessageClass.SuccessResponse, "RFC 5766 11", 0x0009,
                flavours: Rfc)
            .Message(0x0119, "ChannelBind error response", MessageClass.ErrorResponse, "RFC 5766 11", 0x0009,
                flavours: Rfc)

            // Attributes shared by both flavours.
            .Attribute(0x0001, "MAPPED-ADDRESS", "MS-TURN 2.2.2.1",
                "In an Allocate response, the relayed address, in clear.",
                a => a.Role(AttributeRole.RelayedAddress).Address(), Ms)
            .Attribute(0x0001, "MAPPED-ADDRESS", "RFC 5389 15.1", "Reflexive address, in clear.",
                a => a.Role(AttributeRole.MappedAddress).Address(), Rfc)
            .Attribute(0x0008, "MESSAGE-INTEGRITY", "MS-TURN 2.2.2.3; RFC 5389 15.4",
                "HMAC-SHA1 (20 bytes) or HMAC-SHA256 (32 bytes, MS-VERSION 3 and later).",
                    a => a.Role(AttributeRole.MessageIntegrity).Bytes("HMAC"))
            .Attribute(0x0009, "ERROR-CODE", "MS-TURN 2.2.2.4; RFC 5389 15.6",
                "Error class and number with a reason phrase (not padded in MS-TURN).",
                a => a.Role(AttributeRole.ErrorCode).InInfo("error").Fields(f => f.UInt16("reserved", "Reserved",
                    hex: true)
                    .UInt8("class", "Error class", bits: [Bit("class_bits", "Class", 0x07)])
                    .UInt8("number", "Error number")
                    .Text("reason", "Reason phrase")))
            .Attribute(0x000A, "UNKNOWN-ATTRIBUTES", "MS-TURN 2.2.2.5; RFC 5389 15.9",
                "List of 16-bit attribute types the server did not understand.", a => a.Bytes("Attribute types"))
            .Attribute(0x000D, "LIFETIME", "MS-TURN 2.2.2.6; RFC 5766 14.2",
                "Allocation lifetime; 0 frees the allocation.", a => a.Role(AttributeRole.Lifetime).UInt32("Lifetime",
                    unit: "s").InInfo("lifetime"))
            .Attribute(0x0013, "DATA", "MS-TURN 2.2.2.12; RFC 5766 14.4",
                "Relayed datagram: STUN (ICE checks), SRTP or SRTCP.", a => a.CarriesPayload())
            .Attribute(0x0017, "REQUESTED-ADDRESS-FAMILY", "MS-TURN 2.2.2.15; RFC 6156 4.1.1",
                "Address family of the requested relay.",
                a => a.Fields(f => f.UInt8("family", "Family", values: [V(1, "IPv4"), V(2, "IPv6")]).Bytes("reserved",
                    "Reserved", 3)))
            .Attribute(0x8008, "MS-VERSION", "MS-TURN 2.2.2.17", "Protocol version the client or server implements.",
                a => a.Role(AttributeRole.Version).UInt32("Version", values: MsVersions))
            .Attribute(0x8022, "SOFTWARE", "RFC 5389 15.10", "Software description (server build string in MS-TURN).",
                a => a.Role(AttributeRole.Software).Text("Software"))
            .Attribute(0x8032, "MS-ALTERNATE-HOST-NAME", "MS-TURN 2.2.2.18", "Host name of an alternate server.",
                a => a.Text("Host name"))
            .Attribute(0x8037, "APP-ID", "MS-TURN 2.2.2.19", "Application identifier (observed value 3).",
                a => a.UInt32("Application ID"))
            .Attribute(0x8039, "SECURE-TAG", "MS-TURN 2.2.2.20", "Opaque secure tag.", a => a.Bytes("Secure tag"))
            .Attribute(0x8050, "MS-SEQUENCE-NUMBER", "MS-TURN 2.2.2.21",
                "Connection ID and sequence number; client requests carry only the sequence number.",
                a => a.Layout(24, f => f.Bytes("connection_id", "Connection ID", 20).UInt32("sequence",
                    "Sequence number"))
                      .Layout(4, f => f.UInt32("sequence", "Sequence number")))
            .Attribute(0x8054, "CANDIDATE-IDENTIFIER", "MS-ICE2 2.2.2",
                "ICE candidate foundation (binding requests only).", a => a.Text("Foundation"))
            .Attribute(0x8055, "MS-SERVICE-QUALITY", "MS-TURN 2.2.2.22", "Stream type and requested service quality.",
                a => a.Role(AttributeRole.ServiceQuality).Fields(f => f
                    .UInt16("stream_type", "Stream type",
                        values: [V(1, "Audio"), V(2, "Video"), V(3, "Supplemental video"), V(4, "Data")])
                    .UInt16("service_quality", "Service quality",
                        values: [V(0, "Best effort"), V(1, "Reliable delivery")])))
            .Attribute(0x8056, "BW-ADMISSION-CONTROL-MESSAGE", "MS-TURNBWM 2.2.1",
                "Bandwidth admission control message type.",
                a => a.Fields(f => f.UInt16("reserved", "Reserved", hex: true).UInt16("message_type", "Message type",
                    values: [V(0, "Reservation check"), V(1, "Reservation commit"), V(2, "Reservation update")])))
            .Attribute(0x8057, "BW-RESERVATION-ID", "MS-TURNBWM 2.2.2", "Bandwidth reservation identifier.",
                a => a.Fields(f => f.Bytes("value", "Reservation ID", 16)))
            .Attribute(0x8058, "BW-RESERVATION-AMOUNT", "MS-TURNBWM 2.2.3", "Bandwidth reserved, in kbit/s.",
                a => a.Fields(f => f.UInt32("min_send", "Minimum send", unit: "kbit/s").UInt32("max_send",
                    "Maximum send", unit: "kbit/s")
                    .UInt32("min_receive", "Minimum receive", unit: "kbit/s").UInt32("max_receive", "Maximum receive",
                        unit: "kbit/s")))
            .Attribute(0x8059, "REMOTE-SITE-ADDRESS", "MS-TURNBWM 2.2.4", "Remote site address (XOR-ed).",
                a => a.XorAddress())
            .Attribute(0x805A, "REMOTE-RELAY-SITE-ADDRESS", "MS-TURNBWM 2.2.5", "Remote relay site address (XOR-ed).",
                a => a.XorAddress())
            .Attribute(0x805B, "LOCAL-SITE-ADDRESS", "MS-TURNBWM 2.2.6", "Local site address (XOR-ed).",
                a => a.XorAddress())
            .Attribute(0x805C, "LOCAL-RELAY-SITE-ADDRESS", "MS-TURNBWM 2.2.7", "Local relay site address (XOR-ed).",
                a => a.XorAddress())
            .Attribute(0x805D, "REMOTE-SITE-ADDRESS-RESPONSE", "MS-TURNBWM 2.2.8",
                "Bandwidth policy for the remote site.", SiteResponse(pstn: true))
            .Attribute(0x805E, "REMOTE-RELAY-SITE-ADDRESS-RESPONSE", "MS-TURNBWM 2.2.9",
                "Bandwidth policy for the remote relay site.", SiteResponse(pstn: false))
            .Attribute(0x805F, "LOCAL-SITE-ADDRESS-RESPONSE", "MS-TURNBWM 2.2.10",
                "Bandwidth policy for the local site.", SiteResponse(pstn: true))
            .Attribute(0x8060, "LOCAL-RELAY-SITE-ADDRESS-RESPONSE", "MS-TURNBWM 2.2.11",
                "Bandwidth policy for the local relay site.", SiteResponse(pstn: false))
            .Attribute(0x8061, "SIP-DIALOG-ID", "MS-TURNBWM 2.2.12", "SIP dialog identifier.",
                a => a.Bytes("SIP dialog ID"))
            .Attribute(0x8062, "SIP-CALL-ID", "MS-TURNBWM 2.2.13", "SIP call identifier.", a => a.Bytes("SIP call ID"))
            .Attribute(0x8068, "LOCATION-PROFILE", "MS-TURNBWM 2.2.14",
                "Where the peers are (Internet or intranet) and the federation type.",
                a => a.Fields(f => f.UInt8("peer_location", "Peer location", values: Locations).UInt8("self_location",
                    "Self location", values: Locations)
                    .UInt8("federation", "Federation", values: [V(0, "No federation"), V(1, "Enterprise federation"),
                        V(2, "Public cloud federation")])
                    .UInt8("reserved", "Reserved", hex: true)))
            .Attribute(0x8070, "IMPLEMENTATION-VERSION", "MS-ICE2 2.2.2", "ICE implementation version (observed 7).",
                a => a.UInt32("Implementation version"))
            .Attribute(0x8090, "MS-ALTERNATE-MAPPED-ADDRESS", "MS-TURN 2.2.2.23", "IPv6 relayed address, in clear.",
                a => a.Role(AttributeRole.RelayedAddress).Address())
            .Attribute(0x8095, "MULTIPLEXED-TURN-SESSION-ID", "MS-TURN 2.2.3",
                "Session id used in 0xFF10 multiplexed frames.", a => a.Fields(f => f.UInt64("value", "Session ID")))
            .Attribute(0x8033, "UNKNOWN-8033", "undocumented (observed in ICE checks)",
                "Zero-length flag seen in ICE binding requests; no public document.", a => a.Empty())
            .Attribute(0x8036, "UNKNOWN-8036", "undocumented (observed in ICE checks)",
                "32-bit value (observed 1) in ICE checks; no public document.", a => a.UInt32("Value"))

            // MS-TURN numbering.
            .Attribute(0x0006, "USERNAME", "MS-TURN 2.2.2.2", "Opaque binary token.", a => a.Bytes("Username token"),
                Ms)
            .Attribute(0x000E, "ALTERNATE-SERVER", "MS-TURN 2.2.2.7", "Server to retry with, in clear.",
                a => a.Role(AttributeRole.AlternateServer).Address(), Ms)
            .Attribute(0x000F, "MAGIC-COOKIE", "MS-TURN 2.2.2.8",
                "Marks an MS-TURN message; always the first attribute.", a => a.UInt32("Magic cookie", hex: true), Ms)
            .Attribute(0x0010, "BANDWIDTH", "MS-TURN 2.2.2.9", "Peak bandwidth.", a => a.UInt32("Bandwidth",
                unit: "kbit/s"), Ms)
            .Attribute(0x0011, "DESTINATION-ADDRESS", "MS-TURN 2.2.2.10", "Peer the data is sent to, in clear.",
                a => a.Role(AttributeRole.DestinationAddress).Address().InInfo("to"), Ms)
            .Attribute(0x0012, "REMOTE-ADDRESS", "MS-TURN 2.2.2.11", "Peer the data came from, in clear (not XOR-ed).",
                a => a.Role(AttributeRole.PeerAddress).Address().InInfo("from"), Ms)
            .Attribute(0x0014, "NONCE", "MS-TURN 2.2.2.13", "Opaque nonce (binary, may hold zero bytes).",
                a => a.Role(AttributeRole.Nonce).Bytes("Nonce"), Ms)
            .Attribute(0x0015, "REALM", "MS-TURN 2.2.2.14", "Authentication realm.",
                a => a.Role(AttributeRole.Realm).Text("Realm"), Ms)
            .Attribute(0x8006, "MS-UNKNOWN-8006", "undocumented (Wireshark: MS-TURN UNKNOWN 8006)",
                "32-bit value, always 1 in Allocate and Set Active Destination requests.", a => a.UInt32("Value"), Ms)
            .Attribute(0x8020, "XOR-MAPPED-ADDRESS", "MS-TURN 2.2.2.16",
                "Client's reflexive address, XOR-ed with the transaction ID.",
                    a => a.Role(AttributeRole.MappedAddress).XorAddress().InInfo("mapped"), Ms)

            // RFC 5389 / 5245 / 5766 numbering.
            .Attribute(0x0006, "USERNAME", "RFC 5389 15.3", "User name (ICE: ufrag:ufrag).",
                a => a.Fields(f => f.Text("text", "Username")), Rfc)
            .Attribute(0x000C, "CHANNEL-NUMBER", "RFC 5766 14.1", "TURN channel number.",
                a => a.Fields(f => f.UInt16("channel", "Channel", hex: true).UInt16("reserved", "Reserved", hex: true)),
                    Rfc)
            .Attribute(0x0012, "XOR-PEER-ADDRESS", "RFC 5766 14.3", "Peer address, XOR-ed with the cookie.",
                a => a.Role(AttributeRole.PeerAddress).XorAddress(), Rfc)
            .Attribute(0x0014, "REALM", "RFC 5389 15.7", "Authentication realm.",
                a => a.Role(AttributeRole.Realm).Text("Realm"), Rfc)
            .Attribute(0x0015, "NONCE", "RFC 5389 15.8", "Nonce.", a => a.Role(AttributeRole.Nonce).Bytes("Nonce"), Rfc)
            .Attribute(0x0016, "XOR-RELAYED-ADDRESS", "RFC 5766 14.5", "Relayed address, XOR-ed with the cookie.",
                a => a.Role(AttributeRole.RelayedAddress).XorAddress(), Rfc)
            .Attribute(0x0018, "EVEN-PORT", "RFC 5766 14.6", "Request an even relay port.",
                a => a.Fields(f => f.UInt8("flags", "Flags", bits: [Bit("reserve", "Reserve next port", 0x80)],
                    hex: true)), Rfc)
            .Attribute(0x0019, "REQUESTED-TRANSPORT", "RFC 5766 14.7", "Transport of the relay.",
                a => a.Fields(f => f.UInt8("protocol", "Protocol", values: [V(6, "TCP"), V(17,
                    "UDP")]).Bytes("reserved", "Reserved", 3)), Rfc)
            .Attribute(0x001A, "DONT-FRAGMENT", "RFC 5766 14.8", "Ask the server to set DF.", a => a.Empty(), Rfc)
            .Attribute(0x0020, "XOR-MAPPED-ADDRESS", "RFC 5389 15.2", "Reflexive address, XOR-ed with the cookie.",
                a => a.Role(AttributeRole.MappedAddress).XorAddress(), Rfc)
            .Attribute(0x0022, "RESERVATION-TOKEN", "RFC 5766 14.9", "Token of a reserved relay port.",
                a => a.Bytes("Token"), Rfc)
            .Attribute(0x0024, "PRIORITY", "RFC 5245 19.1", "ICE candidate priority.",
                a => a.Role(AttributeRole.IcePriority).UInt32("Priority"), Rfc)
            .Attribute(0x0025, "USE-CANDIDATE", "RFC 5245 19.1", "ICE nomination flag.", a => a.Empty(), Rfc)
            .Attribute(0x8023, "ALTERNATE-SERVER", "RFC 5389 15.11", "Server to retry with.",
                a => a.Role(AttributeRole.AlternateServer).Address(), Rfc)
            .Attribute(0x8028, "FINGERPRINT", "RFC 5389 15.5", "CRC-32 of the message XOR 0x5354554E.",
                a => a.Role(AttributeRole.Fingerprint).UInt32("CRC-32", hex: true), Rfc)
            .Attribute(0x8029, "ICE-CONTROLLED", "RFC 5245 19.1", "Tie-breaker of the controlled agent.",
                a => a.Fields(f => f.UInt64("value", "Tie-breaker")), Rfc)
            .Attribute(0x802A, "ICE-CONTROLLING", "RFC 5245 19.1", "Tie-breaker of the controlling agent.",
                a => a.Fields(f => f.UInt64("value", "Tie-breaker")), Rfc)
            .Attribute(0x802B, "RESPONSE-ORIGIN", "RFC 5780 7.3", "Address the response was sent from.",
                a => a.Address(), Rfc)
            .Attribute(0x802C, "OTHER-ADDRESS", "RFC 5780 7.4",
                "The server's alternate address for NAT behaviour discovery.", a => a.Address(), Rfc)

            .Framing(FramingKind.UdpDatagram, "UDP datagram", "MS-TURN 2.1", ports: [3478])
            .Framing(FramingKind.TcpTypeLength, "TCP framing after the pseudo-TLS hello", "MS-TURN 2.1.1, 2.1.4",
                ports: [443],
                frameTypes: [V(2, "TURN control message"), V(3, "End-to-end data")])
            .Framing(FramingKind.UdpMultiplexed, "Multiplexed TURN channel", "MS-TURN 2.2.3", ports: [3480, 3481],
                channel: 0xFF10, sessionIdLength: 8, linkAttribute: 0x8095)
            .Build();

    private static Action<AttributeBuilder> SiteResponse(bool pstn) =>
        a => a.Fields(f => f.UInt32("flags", "Flags", hex: true, bits: pstn
                ? [Bit("valid", "Valid", 0x80000000), Bit("pstn_failover", "PSTN failover", 0x40000000)]
                : [Bit("valid", "Valid", 0x80000000)])
            .UInt32("max_send", "Maximum send bandwidth", unit: "kbit/s")
            .UInt32("max_receive", "Maximum receive bandwidth", unit: "kbit/s"));
}

/// <summary>The schemas Dissect knows, by id.</summary>
public static class KnownSchemas
{
    public static IReadOnlyDictionary<string, ProtocolSpec> All { get; } = new Dictionary<string, ProtocolSpec>
    {
        ["ms-turn"] = MsTurn.Spec,
    };
}
