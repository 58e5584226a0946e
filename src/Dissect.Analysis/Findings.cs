namespace Dissect.Analysis;

/// <summary>
/// The key findings of a report, as facts: each an id, a severity and its values. The sentences are the report
/// languages' business (Dissect.Reporting), so a French report never carries an English one.
/// </summary>
public static class Findings
{
    private static Finding F(string id, string severity, params (string Name, object Value)[] values) =>
        new(id, severity, values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));

    private static Finding Info(string id, params (string, object)[] values) => F(id, "info", values);

    public static IReadOnlyList<Finding> Compute(ReportModel m)
    {
        var f = new List<Finding>();
        var c = m.Capture;
        if (c.Warning is not null)
            f.Add(F("capture.warning", "warning", ("message", c.Warning)));
        foreach (var a in c.Anomalies)
            f.Add(a.Kind is "implausible-length" or "dns-placeholder" or "dns-root"
                ? F("anomaly." + a.Kind, a.Kind == "dns-root" ? "info" : "warning", ("count", a.Count),
                    ("example", a.Example))
                : F("anomaly.other", "warning", ("kind", a.Kind), ("count", a.Count), ("example", a.Example)));
        f.Add(Info("capture.size", ("packets", c.Packets), ("bytes", c.Bytes), ("seconds", c.DurationSeconds)));
        var n = m.Network;
        if (n.TcpPackets + n.UdpPackets > 0)
            f.Add(Info("transport.mix", ("udpPercent", Pct(n.UdpPackets, n.TcpPackets + n.UdpPackets)),
                ("tcpPercent", Pct(n.TcpPackets, n.TcpPackets + n.UdpPackets)),
                ("ipv6Percent", Pct(n.IPv6Packets, n.IPv4Packets + n.IPv6Packets))));
        var d = m.Dns;
        if (d.QueryCount > 0)
        {
            f.Add(Info("dns.summary", ("queries", d.QueryCount), ("names", d.Names.Count),
                ("a", d.QueryTypes.GetValueOrDefault("A")), ("aaaa", d.QueryTypes.GetValueOrDefault("AAAA")),
                ("chained", d.Names.Count(x => x.CnameChain.Count > 0))));
            if (d.UnansweredCount > 0)
                f.Add(F("dns.unanswered", "notice", ("count", d.UnansweredCount)));
            if (d.StubResolverQueries.Count > 0)
                f.Add(F("dns.stub-resolver", "notice", ("count", d.StubResolverQueries.Values.Sum()),
                    ("resolvers", d.StubResolverQueries.Keys.ToArray())));
            f.Add(d.DnssecOkQueries > 0 || d.AuthenticatedResponses > 0
                ? Info("dnssec.used", ("doQueries", d.DnssecOkQueries), ("adResponses", d.AuthenticatedResponses))
                : Info("dnssec.unused"));
        }
        var t = m.Tls;
        if (t.Connections.Count > 0)
        {
            var versions = t.NegotiatedVersions.Select(kv => $"{kv.Key} ×{kv.Value}").ToArray();
            var withSuite = t.Connections.Where(x => x.ChosenSuite is not null).ToList();
            f.Add(withSuite.Count > 0
                ? Info("tls.summary", ("connections", t.Connections.Count), ("versions", versions),
                    ("forwardSecret", withSuite.Count(x => x.ChosenSuite!.ForwardSecrecy)),
                    ("withSuite", withSuite.Count))
                : Info("tls.no-server-hello", ("connections", t.Connections.Count)));
            if (t.Tls13HiddenCertificates > 0)
                f.Add(Info("tls.hidden-certificates", ("count", t.Tls13HiddenCertificates)));
            foreach (var g in withSuite.Where(x => x.ChosenSuite!.Weakness is not null)
                .GroupBy(x => x.ChosenSuite!.Name, StringComparer.Ordinal))
                f.Add(F("tls.weak-suite", "warning", ("count", g.Count()), ("suite", g.Key),
                    ("weakness", g.First().ChosenSuite!.Weakness!)));
            foreach (var g in t.Connections.Where(x => x.ChosenVersion is { } v && CipherSuites.IsOldVersion(v))
                .GroupBy(x => x.ChosenVersion!, StringComparer.Ordinal))
                f.Add(F("tls.old-version", "warning", ("count", g.Count()), ("version", g.Key)));
        }
        if (t.Certificates.Count(x => x.Status != "valid") is > 0 and var invalid)
            f.Add(F("tls.invalid-certificates", "warning", ("count", invalid)));
        if (t.QuicVersions.Count > 0)
            f.Add(Info("quic.summary", ("versions", t.QuicVersions.Keys.ToArray()), ("sniNames", t.QuicSni.Count)));
        var s = m.Stun;
        if (s.MsTurnMessages > 0 || s.StunMessages > 0)
        {
            f.Add(Info("stun.summary", ("messages", s.MsTurnMessages), ("stun", s.StunMessages),
                ("servers", s.Servers.Count),
                ("allocations", s.Allocations.Count)));
            f.Add(NatFinding(s.Nat));
            if (s.RelayedMediaPackets > 0)
                f.Add(Info("media.relayed", ("packets", s.RelayedMediaPackets), ("bytes", s.RelayedMediaBytes)));
        }
        if (CallPhases(m) is { } phases)
            f.Add(phases);
        if (s.DirectRtpPackets > 0)
            f.Add(Info("media.direct", ("packets", s.DirectRtpPackets), ("bytes", s.DirectRtpBytes)));
        if (m.Traffic.OutlierGapSeconds is { } gap)
            f.Add(F("traffic.gap", "notice", ("days", Math.Round(gap / 86400, 1)),
                ("excluded", m.Traffic.ExcludedPackets)));
        return f;
    }

    /// <summary>The NAT verdict as a finding: its id is "nat." and the verdict; the lists are its values.</summary>
    public static Finding NatFinding(NatFacts nat) => Info("nat." + nat.Verdict, ("local", nat.Local.ToArray()),
        ("public", nat.Public.ToArray()), ("untranslated", nat.Untranslated.ToArray()),
        ("untranslatedIPv6", nat.Untranslated.Count > 0 && nat.Untranslated.All(u => u.Contains(':',
            StringComparison.Ordinal))));

    // Names of the requests that create a relay allocation, in each flavour.
    private static readonly HashSet<string> AllocateRequests =
        [.. Schema.Protocols.MsTurn.Spec.MessageTypes.Where(x => x.CreatesAllocation).Select(x => x.Name)];

    /// <summary>When the TURN set-up, the media and the teardown happened, from the TURN timeline and the media
    /// bins.</summary>
    private static Finding? CallPhases(ReportModel m)
    {
        var media = m.Traffic.Bins.Where(b => b.BytesByClass.ContainsKey("Media")).ToList();
        var allocate = m.Stun.Timeline.FirstOrDefault(e => AllocateRequests.Contains(e.Kind));
        if (media.Count == 0 || allocate is null || m.Traffic.ExcludedPackets > 0)
            return null;
        var freed = m.Stun.Allocations.Where(a => a.Deallocated).Select(a => a.Frame).ToHashSet();
        var teardown = m.Stun.Timeline.LastOrDefault(e => freed.Contains(e.Frame));
        (string, object)[] values = [("setup", Math.Round(allocate.Seconds, 1)),
            ("mediaFrom", Math.Round(media[0].StartSeconds, 1)),
            ("mediaTo", Math.Round(media[^1].StartSeconds + m.Traffic.BinSeconds, 1))];
        return teardown is null ? Info("call.phases", values)
            : Info("call.phases-freed", [.. values, ("freed", Math.Round(teardown.Seconds, 1))]);
    }

    private static double Pct(long part, long whole) => whole == 0 ? 0 : Math.Round(100.0 * part / whole, 1);
}
