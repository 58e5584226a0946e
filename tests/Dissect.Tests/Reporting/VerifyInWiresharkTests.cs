using System.Text.RegularExpressions;
using Dissect.Analysis;
using Dissect.Reporting;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Reporting;

/// <summary>
/// The "verify in Wireshark" tables: every display filter a report prints is valid, matches the frame it names, and
/// matches no earlier frame, as tshark itself reads the capture with the dissector.
/// </summary>
public partial class VerifyInWiresharkTests(CallModels calls) : IClassFixture<CallModels>
{
    public static TheoryData<string> Captures =>
    [
        CallModels.Seed,
        CallModels.Teams,
        "Lopiuy+LINFO1341_P1/Traces/SurEduroam/audio.pcapng",
        "MxDx+LINFO1341_Projet/NAT analysis/call_relay_2.pcap",
        "ntop+nDPI/tests/cfgs/default/pcap/quic-v2.pcapng",
        "hugodel07+LINFO1341-DiscordK/trace_9_discord_call_via_website.pcapng",
        // A media conversation whose DTLS and STUN 4.0's rtp filter matches as well, and SRTCP.
        "ntop+nDPI/tests/cfgs/default/pcap/stun.pcap",
    ];

    [CorpusTheory, MemberData(nameof(Captures))]
    public void Every_printed_filter_is_valid_and_first_matches_the_frame_it_names(string capture)
    {
        var blocks = ReportDocument.Build(calls.Get(capture), new ReportOptions());
        var checks = blocks.OfType<Table>().SelectMany(t => t.Checks).Distinct().ToList();
        // The NAT verdict has its evidence whenever a public address was seen.
        var nat = calls.Get(capture).Stun.Nat;
        if (nat.Public.Count > 0)
            Assert.Contains(checks, c => c.Frame == nat.EvidenceFrame && c.Filter.Contains(nat.Public[0],
                StringComparison.Ordinal));
        Assert.True(checks.Count >= 2, $"{capture}: {checks.Count} checks");
        // Filters go into io,stat's comma-separated list: none may hold a comma itself.
        Assert.DoesNotContain(checks, c => c.Filter.Contains(',', StringComparison.Ordinal));
        var columns = checks.SelectMany(c => new[] { $"frame.number == {c.Frame} && ({c.Filter})",
            $"frame.number < {c.Frame} && ({c.Filter})" });
        var r = TsharkCli.Run(["-X", "lua_script:" + Repo.Dissector, "-o", CaptureAnalyzer.Preferences[0],
            .. TsharkCli.DissectHeuristics, "-r",
            Repo.CorpusFile(capture), "-q", "-z", "io,stat,0," + string.Join(",", columns)]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var row = r.Stdout.Split('\n').Last(l => l.Contains("<>", StringComparison.Ordinal));
        // "| 0.0 <> 37.5 | frames | bytes | frames | bytes | …": one frames and bytes pair per column.
        var frames = row.Split('|').Select(c => c.Trim()).Where(c => c.Length > 0 && Numbers().IsMatch(c))
            .Select(c => long.Parse(c, System.Globalization.CultureInfo.InvariantCulture))
            .Where((_, i) => i % 2 == 0).ToList();
        Assert.Equal(2 * checks.Count, frames.Count);
        for (var i = 0; i < checks.Count; i++)
        {
            Assert.True(frames[2 * i] == 1, $"{checks[i].Filter} does not match frame {checks[i].Frame}");
            Assert.True(frames[2 * i + 1] == 0, $"{checks[i].Filter} matches before frame {checks[i].Frame}");
        }
    }

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex Numbers();
}
