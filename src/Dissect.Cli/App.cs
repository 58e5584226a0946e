using System.CommandLine;
using Dissect.Cli.Commands;

namespace Dissect.Cli;

/// <summary>Exit codes, documented in the README.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    /// <summary>tshark is missing, too old or lacks Lua.</summary>
    public const int ToolMissing = 3;
    /// <summary>A batch finished but some captures failed.</summary>
    public const int PartialFailure = 4;
    public const int Cancelled = 130;
}

public static class App
{
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var io = new ConsoleIo(stdout ?? Console.Out, stderr ?? Console.Error);
        var root = new RootCommand("Dissect: MS-TURN dissector generator and tshark-driven capture reports.");
        root.Subcommands.Add(GenerateCommand.Create(io));
        root.Subcommands.Add(DoctorCommand.Create(io));
        root.Subcommands.Add(InstallCommand.Create(io, install: true));
        root.Subcommands.Add(InstallCommand.Create(io, install: false));
        root.Subcommands.Add(DocsCommand.Create(io));
        root.Subcommands.Add(SampleCommand.Create(io));
        root.Subcommands.Add(AnalyzeCommand.Create(io));
        root.Subcommands.Add(ReportCommand.Create(io));
        root.Subcommands.Add(BatchCommand.Create(io));
        root.Subcommands.Add(CompareCommand.Create(io));
        var config = new InvocationConfiguration { Output = io.Out, Error = io.Err };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
                io.Err.WriteLine($"dissect: {e.Message}");
            io.Err.WriteLine("dissect: see 'dissect --help'");
            return ExitCodes.Usage;
        }
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        // SIGTERM (kill, a scheduler's time limit) cancels the same way, so tshark is stopped and temp folders go.
        using var onTerm = OperatingSystem.IsWindows() ? null
            : System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
                c => { c.Cancel = true; cts.Cancel(); });
        try
        {
            return await parsed.InvokeAsync(config, cts.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}

public sealed record ConsoleIo(TextWriter Out, TextWriter Err)
{
    /// <summary>One-line error in the house format; returns the exit code to use.</summary>
    public int Fail(string message, int code = ExitCodes.Failure)
    {
        Err.WriteLine($"dissect: error: {message}");
        return code;
    }
}
