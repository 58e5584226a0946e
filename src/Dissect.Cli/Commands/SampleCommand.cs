using System.CommandLine;
using Dissect.Capture.Fixtures;
using Dissect.IO;

namespace Dissect.Cli.Commands;

public static class SampleCommand
{
    public static Command Create(ConsoleIo io)
    {
        var output = new Option<string>("--out", "-o") { Description = "Where to write the sample capture", DefaultValueFactory = _ => Path.Combine("samples", "demo.pcap") };
        var cmd = new Command("sample", "Write the demo capture (DNS with a CNAME chain and a relayed MS-TURN call), built from the schema") { output };
        cmd.SetAction(pr =>
        {
            var path = pr.GetValue(output)!;
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
