using System.CommandLine;
using Dissect.Capture.Fixtures;
using Dissect.IO;

namespace Dissect.Cli.Commands;

public static class SampleCommand
{
    public static Command Create(ConsoleIo io)
    {
        var output = new Option<string>("--out", "-o")
        {
            Description = "Where to write the sample capture",
            DefaultValueFactory = _ => Path.Combine("samples", "demo.pcap")
        };
        var malformed = new Option<int?>("--malformed")
        {
            Description =
            "Instead, write N mutated MS-TURN messages plus the hand-written broken cases (a robustness corpus for " +
                "the dissector)"
        };
        var large = new Option<int?>("--large")
        {
            Description =
            "Instead, write a large capture of about N packets (relayed calls, DNS, TLS) for benchmarks"
        };
        var shape = new Option<string>("--shape")
        {
            Description = "With --large: mix (calls, DNS, TLS), same-time (UDP packets sharing one timestamp), "
                + "spread (UDP over 28 hours), dns (every name different) or dns-busy (1,000 names asked again and "
                + "again) or scan (a TCP SYN to a new host and port in each packet)",
            DefaultValueFactory = _ => "mix",
        };
        shape.AcceptOnlyFromAmong("mix", "same-time", "spread", "dns", "dns-busy", "scan");
        var cmd = new Command("sample",
            "Write the demo capture (DNS with a CNAME chain, TLS 1.2 and a relayed MS-TURN call), built from the " +
                "schema") { output, malformed, large, shape };
        cmd.SetAction(pr =>
        {
            var path = pr.GetValue(output)!;
            if (pr.GetValue(large) is { } count)
            {
                if (count < 1)
                    return io.Fail("--large takes a packet count of 1 or more", ExitCodes.Usage);
                long written = 0;
                StressShape? stress = pr.GetValue(shape) switch
                {
                    "same-time" => StressShape.SameTime,
                    "spread" => StressShape.Spread,
                    "dns" => StressShape.Dns,
                    "dns-busy" => StressShape.DnsBusy,
                    "scan" => StressShape.Scan,
                    _ => null,
                };
                AtomicFile.Write(path, tmp => written = stress is { } st
                    ? StressCapture.Write(tmp, st, count)
                    : LargeCapture.Write(tmp, count));
                io.Out.WriteLine($"wrote {path} ({written} packets)");
                return ExitCodes.Ok;
            }
            if (pr.GetValue(malformed) is { } n)
            {
                if (n < 0)
                    return io.Fail("--malformed takes a count of 0 or more", ExitCodes.Usage);
                var names = new List<string>();
                AtomicFile.Write(path, tmp =>
                {
                    using var w = Dissect.Capture.PcapWriter.Create(tmp);
                    names.AddRange(MsTurnFixtures.WriteMalformed(w, n));
                });
                io.Out.WriteLine($"wrote {path} ({names.Count} frames)");
                return ExitCodes.Ok;
            }
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                AtomicFile.Write(path, DemoCapture.Write);
                io.Out.WriteLine($"wrote {path}");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return io.Fail($"cannot write {path}: {e.Message}");
            }
        });
        return cmd;
    }
}
