using Dissect.Schema;
using Dissect.Schema.Protocols;
using Xunit;

namespace Dissect.Tests.Schema;

public class SchemaValidationTests
{
    [Fact]
    public void The_MS_TURN_schema_has_no_problems()
    {
        Assert.Empty(SchemaValidator.Validate(MsTurn.Spec));
    }

    [Fact]
    public void The_MS_TURN_schema_covers_every_attribute_of_the_fact_sheet()
    {
        ushort[] expected = [0x0001, 0x0006, 0x0008, 0x0009, 0x000A, 0x000D, 0x000E, 0x000F, 0x0010, 0x0011, 0x0012,
            0x0013, 0x0014, 0x0015, 0x0017,
            0x8006, 0x8008, 0x8020, 0x8022, 0x8032, 0x8037, 0x8039, 0x8050, 0x8054, 0x8055, 0x8056, 0x8057, 0x8058,
                0x8059, 0x805A, 0x805B, 0x805C,
            0x805D, 0x805E, 0x805F, 0x8060, 0x8061, 0x8062, 0x8068, 0x8070, 0x8090, 0x8095];
        var missing = expected.Where(c => MsTurn.Spec.FindAttribute(c, MsTurn.Ms) is null).ToList();
        Assert.Empty(missing);
        Assert.All(MsTurn.Spec.Attributes, a => Assert.False(string.IsNullOrWhiteSpace(a.Spec)));
    }

    [Fact]
    public void MS_TURN_and_RFC_numbering_differ_where_the_specifications_do()
    {
        Assert.Equal("NONCE", MsTurn.Spec.FindAttribute(0x0014, MsTurn.Ms)!.Name);
        Assert.Equal("REALM", MsTurn.Spec.FindAttribute(0x0014, MsTurn.Rfc)!.Name);
        Assert.Equal(ValueKind.Address, MsTurn.Spec.FindAttribute(0x0012, MsTurn.Ms)!.Layouts[0].Fields[0].Kind);
        Assert.Equal(ValueKind.XorAddress, MsTurn.Spec.FindAttribute(0x0012, MsTurn.Rfc)!.Layouts[0].Fields[0].Kind);
        Assert.Equal("Send request", MsTurn.Spec.FindMessageType(0x0004, MsTurn.Ms)!.Name);
        Assert.Equal("Data Indication", MsTurn.Spec.FindMessageType(0x0115, MsTurn.Ms)!.Name);
    }

    [Fact]
    public void Validation_reports_every_problem_with_its_path()
    {
        var bad = ProtocolBuilder.Create("bad", "Bad-Name", "Bad")
            .Flavour("x", "X", PaddingRule.None, "spec", markerAttribute: 1, markerValue: 2)
            .Message(0xC001, "top bits set", MessageClass.Request, "s")
            .Attribute(0x0001, "A", "s", "d", a => a.Layout(4, f => f.UInt16("v", "V")))
            .Attribute(0x0001, "A again", "s", "d", a => a.UInt32("V"))
            .Attribute(0x0002, "B", "", "d", a => a.Fields(f => f.Bytes("rest", "Rest").UInt8("after", "After")))
            .Attribute(0x0003, "C", "s", "d", a => a.Fields(f => f.UInt8("x", "X", bits: [Dissect.Schema.Schema.Bit("b",
                "B", 0x100)])), "nosuch")
            .Build();
        var d = SchemaValidator.Validate(bad);
        Assert.Contains(d, x => x.Path == "bad" && x.Message.Contains("Bad-Name"));
        Assert.Contains(d, x => x.Path == "bad/messages/0xC001" && x.Message.Contains("top two bits"));
        Assert.Contains(d, x => x.Path == "bad/attributes/0x0001/layouts/0"
            && x.Message.Contains("fields take 2 bytes but the layout is for length 4"));
        Assert.Contains(d, x => x.Path == "bad/attributes/0x0001" && x.Message.Contains("defined twice"));
        Assert.Contains(d, x => x.Path == "bad/attributes/0x0002" && x.Message.Contains("specification section"));
        Assert.Contains(d, x => x.Path == "bad/attributes/0x0002/layouts/0/fields/rest"
            && x.Message.Contains("only the last field"));
        Assert.Contains(d, x => x.Path == "bad/attributes/0x0003@nosuch"
            && x.Message.Contains("unknown flavour 'nosuch'"));
        Assert.Contains(d, x => x.Path.EndsWith("/bits/b", StringComparison.Ordinal)
            && x.Message.Contains("does not fit"));
    }

    [Fact]
    public void Names_that_are_not_safe_identifiers_are_rejected_before_they_reach_Lua()
    {
        var bad = ProtocolBuilder.Create("p", "ok", "T")
            .Flavour("f", "F", PaddingRule.None, "s", markerAttribute: 1, markerValue: 1)
            .Attribute(0x0001, "A", "s", "d", a => a.Fields(f => f.UInt8("x\"]) os.exit(1) --", "X")))
            .Build();
        Assert.Contains(SchemaValidator.Validate(bad), x => x.Message.Contains("must match [a-z][a-z0-9_]*"));
    }
}
