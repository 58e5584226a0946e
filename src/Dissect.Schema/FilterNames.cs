namespace Dissect.Schema;

/// <summary>
/// The display-filter names of a protocol's fields and dissectors: the Lua target declares its fields under these
/// names and the analyzers read them back, so a name is written once, here, and never as a literal elsewhere.
/// </summary>
public sealed class FilterNames(ProtocolSpec spec)
{
    public ProtocolSpec Spec { get; } = spec;

    /// <summary>The protocol's filter name ("msturn"), the prefix of every field.</summary>
    public string Prefix => Spec.FilterName;

    /// <summary>The dissector of the TCP port wrapper and of the late pass, as frame.protocols shows them.</summary>
    public string TcpProto => Prefix + "_tcp";

    public string LateProto => Prefix + "_late";

    /// <summary>A field the Lua target declares itself (header, framing, media), by its key: "att.type".</summary>
    public string Of(string key) => $"{Prefix}.{key}";

    public string MessageType => Of("type");
    public string Flavour => Of("flavour");
    public string AttributeType => Of("att.type");
    public string AttributeFamily => Of("att.family");
    public string AttributeIpv4 => Of("att.ipv4");
    public string AttributeIpv6 => Of("att.ipv6");
    public string AttributePort => Of("att.port");

    /// <summary>The prefix of the decoded address fields (family, ipv4, ipv6, port).</summary>
    public string AddressPrefix => Of("att.");

    public string Media => Of("media");
    public string MuxChannel => Of("mux.channel");
    public string FramingType => Of("framing.type");
    public string PseudoTlsContentType => Of("pseudo_tls.content_type");

    /// <summary>
    /// The key (after the prefix) of one field of an attribute's value: an attribute whose value is one field is named
    /// after the attribute ("att.lifetime"), the fields of others after both ("att.error_code.class").
    /// </summary>
    public static string AttributeFieldKey(AttributeSpec a, FieldSpec f, string parentKey)
    {
        var single = a.Layouts.Sum(l => l.Fields.Length) == 1 && f.Name == "value" && parentKey == a.Key;
        return single ? $"att.{a.Key}" : $"att.{parentKey}.{f.Name}";
    }

    /// <summary>The filter name of a field of the (first) attribute with this role; null field for one-field
    /// values.</summary>
    public string Attribute(AttributeRole role, string? field = null)
    {
        var a = Spec.Attributes.FirstOrDefault(x => x.Role == role)
            ?? throw new ArgumentException($"{Spec.Id} has no attribute with the role {role}", nameof(role));
        var fields = a.Layouts.SelectMany(l => l.Fields).ToList();
        var f = field is null ? fields.Single() : fields.First(x => x.Name == field);
        return Of(AttributeFieldKey(a, f, a.Key));
    }
}
