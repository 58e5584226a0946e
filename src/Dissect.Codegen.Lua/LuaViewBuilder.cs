using Dissect.Schema;
using static Dissect.Codegen.Lua.LuaSyntax;

namespace Dissect.Codegen.Lua;

/// <summary>Turns a validated <see cref="ProtocolSpec"/> into the view the Lua templates render.</summary>
public static class LuaViewBuilder
{
    public const string TemplatesLicence = "SPDX-License-Identifier: MIT";

    public static LuaDissectorView Build(ProtocolSpec p)
    {
        var names = new FilterNames(p);
        var prefix = names.Prefix;
        var fields = new List<LuaFieldView>();
        var valueStrings = new List<LuaValueStringView>();
        var fieldKeys = new HashSet<string>();
        var docs = new List<FieldDoc>();

        var valueText = new Dictionary<string, string>();
        string ValueString(string name, IEnumerable<ValueName> values)
        {
            var list = values.ToList();
            if (list.Count > 0)
                valueText["VS_" + name.Replace('.', '_')] = string.Join("; ",
                    list.Select(v => $"{v.Value} = {v.Name}"));
            if (list.Count == 0)
                return "nil";
            var var = "VS_" + name.Replace('.', '_');
            if (valueStrings.All(v => v.Var != var))
                valueStrings.Add(new LuaValueStringView(var, [.. list.Select(v => new LuaValueView(Int((long)v.Value),
                    Str(v.Name)))]));
            return var;
        }

        // key: suffix after the prefix, also the index into the Lua F table.
        void Field(string key, string ctor, string label, string @base = "nil", string vs = "nil", ulong? mask = null,
            string description = "")
        {
            if (!fieldKeys.Add(key))
                return;
            var desc = Str(description);
            var specPart =
                description.Contains('(') ? description[(description.LastIndexOf('(') + 1)..].TrimEnd(')') : "";
            docs.Add(new FieldDoc($"{prefix}.{key}", ctor, label, valueText.GetValueOrDefault(vs, ""), specPart,
                description));
            var tail = ctor switch
            {
                "uint8" or "uint16" or "uint24" or "uint32" or "uint64" =>
                    $"{@base}, {vs}, {(mask is { } m ? Hex(m, 8) : "nil")}, {desc}",
                "bytes" => $"base.NONE, {desc}",
                "string" => $"nil, {desc}",
                "framenum" => $"base.NONE, nil, nil, {desc}",
                _ => desc,
            };
            fields.Add(new LuaFieldView(Str(key), ctor, Str($"{prefix}.{key}"), Str(label), tail));
        }

        // Fixed fields of every STUN-family message, framing and relayed media.
        Field("type", "uint16", "Message Type", "base.HEX");
        Field("length", "uint16", "Message Length", "base.DEC");
        Field("cookie", "uint32", "Magic Cookie", "base.HEX");
        Field("transaction_id", "bytes", "Transaction ID");
        Field("flavour", "string", "Message flavour",
            description: "Which wire rules the message follows (marker attribute or header cookie)");
        Field("response_in", "framenum", "Response in");
        Field("request_in", "framenum", "Request in");
        Field("response_time", "relative_time", "Response time");
        Field("att", "none", "Attribute");
        Field("att.type", "uint16", "Attribute Type", "base.HEX");
        Field("att.length", "uint16", "Attribute Length", "base.DEC");
        Field("att.padding", "bytes", "Padding");
        Field("att.value", "bytes", "Undecoded value");
        Field("att.reserved", "uint8", "Reserved", "base.HEX");
        Field("att.family", "uint8", "Address family", "base.HEX", ValueString("family", [new(1, "IPv4"), new(2,
            "IPv6")]));
        Field("att.port", "uint16", "Port", "base.DEC", description: "Decoded (un-XOR-ed) port");
        Field("att.ipv4", "ipv4", "IPv4 address", description: "Decoded (un-XOR-ed) address");
        Field("att.ipv6", "ipv6", "IPv6 address", description: "Decoded (un-XOR-ed) address");
        var tcp = p.Framings.FirstOrDefault(f => f.Kind == FramingKind.TcpTypeLength);
        Field("framing", "none", "MS-TURN TCP frame");
        Field("framing.type", "uint8", "Frame type", "base.HEX", ValueString("framing.type", tcp?.FrameTypes ?? []));
        Field("framing.reserved", "uint8", "Reserved", "base.HEX");
        Field("framing.length", "uint16", "Frame length", "base.DEC");
        Field("framing.data", "bytes", "End-to-end data");
        Field("pseudo_tls", "none", "Pseudo-TLS record (MS-TURN 2.1.1)");
        Field("pseudo_tls.content_type", "uint8", "Content type", "base.DEC");
        Field("pseudo_tls.version", "uint16", "Version", "base.HEX");
        Field("pseudo_tls.length", "uint16", "Record length", "base.DEC");
        Field("pseudo_tls.handshake", "bytes", "Handshake bytes");
        Field("pseudo_tls.hs_type", "uint8", "Handshake type", "base.DEC", ValueString("pseudo_tls.hs_type",
            [new(1, "ClientHello"), new(2, "ServerHello"), new(14, "ServerHelloDone")]));
        Field("pseudo_tls.hs_length", "uint24", "Handshake length", "base.DEC");
        Field("pseudo_tls.hello_version", "uint16", "Hello version", "base.HEX");
        Field("pseudo_tls.random", "bytes", "Random");
        Field("pseudo_tls.session_id", "bytes", "Session ID");
        Field("pseudo_tls.cipher_suite", "uint16", "Cipher suite", "base.HEX", ValueString("pseudo_tls.cipher_suite",
            [new(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5 (fixed by MS-TURN; nothing is encrypted)")]));
        Field("pseudo_tls.compression", "uint8", "Compression method", "base.DEC");
        Field("mux", "none", "Multiplexed TURN frame");
        Field("mux.channel", "uint16", "Channel", "base.HEX");
        Field("mux.length", "uint16", "Length", "base.DEC");
        Field("mux.session_id", "uint64", "Session ID", "base.HEX");
        Field("mux.session_in", "framenum", "Session ID announced in");
        Field("mux.flow_since", "framenum", "Multiplexed flow since",
            description: "First 0xFF10 frame of this flow: the relay answers it with bare payloads");
        Field("media", "string", "Relayed media kind");
        Field("media.raw_since", "framenum", "Raw media since Set Active Destination in");
        Field("media.data", "bytes", "Relayed data");
        Field("rtp.version", "uint8", "Version", "base.DEC", mask: 0xC0);
        Field("rtp.padding", "uint8", "Padding", "base.DEC", mask: 0x20);
        Field("rtp.extension", "uint8", "Extension", "base.DEC", mask: 0x10);
        Field("rtp.cc", "uint8", "CSRC count", "base.DEC", mask: 0x0F);
        Field("rtp.marker", "uint8", "Marker", "base.DEC", mask: 0x80);
        Field("rtp.pt", "uint8", "Payload type", "base.DEC", mask: 0x7F);
        Field("rtp.seq", "uint16", "Sequence number", "base.DEC");
        Field("rtp.timestamp", "uint32", "Timestamp", "base.DEC");
        Field("rtp.ssrc", "uint32", "SSRC", "base.HEX");
        Field("rtp.ext_profile", "uint16", "Extension profile", "base.HEX");
        Field("rtp.ext_length", "uint16", "Extension length (words)", "base.DEC");
        Field("srtp.payload", "bytes", "Encrypted payload and authentication tag");
        Field("rtcp.version", "uint8", "Version", "base.DEC", mask: 0xC0);
        Field("rtcp.padding", "uint8", "Padding", "base.DEC", mask: 0x20);
        Field("rtcp.count", "uint8", "Report count", "base.DEC", mask: 0x1F);
        Field("rtcp.pt", "uint8", "Packet type", "base.DEC", ValueString("rtcp.pt",
            [new(200, "Sender Report"), new(201, "Receiver Report"), new(202, "Source Description"), new(203,
                "Goodbye"), new(204, "Application"), new(205, "Transport feedback"), new(206,
                    "Payload-specific feedback")]));
        Field("rtcp.length", "uint16", "Length (words - 1)", "base.DEC");
        Field("rtcp.ssrc", "uint32", "Sender SSRC", "base.HEX");
        Field("srtcp.encrypted", "bytes", "Encrypted part");
        Field("srtcp.e_flag", "uint32", "Encrypted (E flag)", "base.DEC", mask: 0x80000000);
        Field("srtcp.index", "uint32", "SRTCP index", "base.DEC", mask: 0x7FFFFFFF);
        Field("srtcp.mki", "bytes", "Master key identifier (MKI)");
        Field("att.error_code", "uint16", "Error code", "base.DEC",
            description: "Class x 100 + number of an ERROR-CODE attribute (generated)");
        Field("att.fingerprint_status", "uint8", "Fingerprint status", "base.DEC",
            ValueString("fingerprint_status", [new(0, "Incorrect"), new(1, "Correct")]),
            description: "Whether the FINGERPRINT CRC-32 matches the message (generated)");
        Field("srtcp.auth_tag", "bytes", "Authentication tag");

        LuaDecodeView Decode(AttributeSpec a, FieldSpec f, string parentKey)
        {
            var key = FilterNames.AttributeFieldKey(a, f, parentKey);
            string kind;
            var vsVar = "nil";
            switch (f.Kind)
            {
                case ValueKind.Address:
                case ValueKind.XorAddress:
                    return new LuaDecodeView(Str(f.Kind == ValueKind.Address ? "addr" : "xaddr"), "nil", "nil", Str(""),
                        "false",
                        f.XorKeyOffset, [], [], "nil", Str(f.Label), "false");
                case ValueKind.Group:
                    Field(key, "none", f.Label);
                    return new LuaDecodeView(Str("group"), Int(f.Size!.Value),
                        $"F[{Str(key)}]", Str(""), "false", 0, [],
                        [.. f.Children.Select(c => Decode(a, c, parentKey + "." + f.Name))], "nil", Str(f.Label),
                            "false");
                case ValueKind.Bytes:
                    kind = "bytes";
                    Field(key, "bytes", f.Label, description: $"{a.Name} ({a.Spec})");
                    break;
                case ValueKind.Text:
                    kind = "text";
                    Field(key, "string", f.Label, description: $"{a.Name} ({a.Spec})");
                    break;
                default:
                    kind = f.Kind switch
                    {
                        ValueKind.UInt8 => "u8",
                        ValueKind.UInt16 => "u16",
                        ValueKind.UInt32 => "u32",
                        _ => "u64"
                    };
                    var ctor = f.Kind switch
                    {
                        ValueKind.UInt8 => "uint8",
                        ValueKind.UInt16 => "uint16",
                        ValueKind.UInt32 => "uint32",
                        _ => "uint64"
                    };
                    vsVar = ValueString(key, f.Values);
                    Field(key, ctor, f.Label, f.Hex ? "base.HEX" : "base.DEC", vsVar,
                        description: $"{a.Name} ({a.Spec})");
                    break;
            }
            var bits = new List<string>();
            foreach (var b in f.Bits)
            {
                var bkey = $"{key}.{b.Name}";
                var ctor = f.Kind switch
                {
                    ValueKind.UInt8 => "uint8",
                    ValueKind.UInt16 => "uint16",
                    ValueKind.UInt32 => "uint32",
                    _ => "uint64"
                };
                Field(bkey, ctor, b.Label, "base.DEC", ValueString(bkey, b.Values), b.Mask);
                bits.Add($"F[{Str(bkey)}]");
            }
            return new LuaDecodeView(Str(kind), f.Size is { } s ? Int(s) : "nil", $"F[{Str(key)}]",
                Str(f.Unit is null ? "" : " " + f.Unit), Bool(f.Hex), 0, bits, [], vsVar, Str(f.Label),
                Bool(f.Name.StartsWith("reserved", StringComparison.Ordinal)));
        }

        var link = p.Framings.Where(f => f.LinkAttribute is not null).Select(f => f.LinkAttribute!.Value).ToHashSet();
        static string IdOf(ushort code, IReadOnlyCollection<string> flavours) =>
            Str(Hex(code) + (flavours.Count == 0 ? "" : "@" + string.Join("+", flavours)));
        static string ListOf(IEnumerable<string> flavours) => "{ " + string.Concat(flavours.Select(f =>
            Str(f) + ", ")) + "}";
        var messages = p.MessageTypes.OrderBy(m => m.Code).ThenBy(m => string.Join("+", m.Flavours),
            StringComparer.Ordinal).Select(mt =>
            new LuaMessageView(IdOf(mt.Code, mt.Flavours), Hex(mt.Code), ListOf(mt.Flavours), Str(mt.Name),
                (int)mt.Class, mt.RequestCode is { } rq ? Hex(rq) : "nil", Bool(mt.StartsRawMedia),
                Bool(mt.Class is MessageClass.SuccessResponse or MessageClass.ErrorResponse
                    || (mt.Class == MessageClass.Request && mt.ExpectsResponse)))).ToList();
        var attributes = p.Attributes.OrderBy(a => a.Code).ThenBy(a => string.Join("+", a.Flavours),
            StringComparer.Ordinal).Select(a =>
            new LuaAttributeView(IdOf(a.Code, a.Flavours), Hex(a.Code), ListOf(a.Flavours), Str(a.Name), Str(a.Key),
                Bool(a.CarriesPayload), Bool(link.Contains(a.Code)), a.InfoLabel is { } il ? Str(il) : "nil",
                a.Role == AttributeRole.None ? "nil" : Str(RoleName(a.Role)), Bool(a.ComprehensionRequired),
                [.. a.Layouts.Select(l => new LuaLayoutView(l.Length is { } n ? Int(n) : "nil",
                    [.. l.Fields.Select(f => Decode(a, f, a.Key))]))])).ToList();
        var flavours = p.Flavours.Select(fl => new LuaFlavourView(
            Str(fl.Id), Str(fl.Name), Bool(fl.Padding == PaddingRule.FourByte),
            fl.MarkerAttribute is { } m ? Hex(m) : "nil",
            fl.MarkerValue is { } mv ? Hex(mv, 8) : "nil",
            fl.HeaderCookie is { } hc ? Hex(hc, 8) : "nil",
            fl.TransactionIdOffset, fl.TransactionIdLength)).ToList();

        var udp = p.Framings.FirstOrDefault(f => f.Kind == FramingKind.UdpDatagram);
        var mux = p.Framings.FirstOrDefault(f => f.Kind == FramingKind.UdpMultiplexed);
        return new LuaDissectorView(
            HeaderLines:
            [
                Comment($"{p.Title}"),
                Comment($"Generated by Dissect from the '{p.Id}' schema ({p.SourceName})"),
                Comment("and templates/lua/*.hbs. Do not edit: run 'dissect generate'."),
                Comment("Generated dissectors and the templates are licensed under the MIT licence " +
                    "(" + TemplatesLicence + "),"),
                Comment("so they can be shared with Wireshark users freely; Dissect itself is AGPL-3.0."),
                Comment("Runs unchanged on Wireshark/tshark 4.0 to 4.6 (Lua 5.2, 5.3 and 5.4): bit (BitOp), no bit32."),
            ],
            PluginVersion: Str(PluginVersion),
            PluginDescription: StrWrapped(p.Description, 90, "      "),
            ProtoName: Str(prefix),
            ProtoTitle: Str(p.Title),
            TcpProtoName: Str(names.TcpProto),
            TcpProtoTitle: Str(p.Title + " over TCP"),
            LateProtoName: Str(names.LateProto),
            ProtocolColumn: Str("MS-TURN"),
            FilterPrefix: Str(prefix),
            ValueStrings: valueStrings,
            Fields: fields,
            Messages: messages,
            Attributes: attributes,
            Flavours: flavours,
            UdpPorts: Str(PortRange(udp?.DefaultPorts ?? [])),
            TcpPorts: Str(PortRange(tcp?.DefaultPorts ?? [])),
            MuxPorts: Str(PortRange(mux?.DefaultPorts ?? [])),
            MuxChannel: mux?.Channel is { } ch ? Hex(ch) : "nil",
            MuxSessionIdLength: mux?.SessionIdLength ?? 0,
            TcpFrameTypes: [.. (tcp?.FrameTypes ?? []).Select(v => new LuaValueView(Int((long)v.Value), Str(v.Name)))])
        { Docs = docs };
    }

    /// <summary>The role's Lua name: ErrorCode becomes "error_code".</summary>
    public static string RoleName(AttributeRole role) => ProtocolBuilder.KeyOf(
        string.Concat(role.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())));

    /// <summary>Dissect's own version (major.minor.patch), shown by Wireshark in Help › About › Plugins.</summary>
    public static string PluginVersion => typeof(LuaViewBuilder).Assembly.GetName().Version is { } v
        ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    private static string PortRange(IEnumerable<int> ports) => string.Join(",", ports);
}
