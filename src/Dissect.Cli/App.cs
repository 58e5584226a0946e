using System.Runtime.InteropServices;
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
    /// <summary>Ctrl-C (SIGINT); SIGTERM gives 143 and SIGHUP 129, as a shell reports them.</summary>
    public const int Cancelled = 130;
}

public static class App
{
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var io = new ConsoleIo(new EscapingWriter(stdout ?? Console.Out), new EscapingWriter(stderr ?? Console.Error));
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
        root.Subcommands.Add(CompletionCommand.Create(io));
        Help.Apply(root);
        // --version is common to every command, as the README says, not only to the root.
        foreach (var sub in root.Subcommands)
            sub.Options.Add(new VersionOption());
        foreach (var v in root.Subcommands.Prepend(root).SelectMany(c => c.Options).OfType<VersionOption>())
            v.Action = new PrintVersion();
        var config = new InvocationConfiguration { Output = io.Out, Error = io.Err };
        var parsed = root.Parse(args);
        if (Usage.Errors(parsed) is { Count: > 0 } errors)
            return Usage.Fail(io, parsed.CommandResult.Command, errors);
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        // SIGTERM (kill, Slurm's and Kubernetes' time limits) and SIGHUP (a closed terminal or SSH session) cancel the
        // same way, so tshark is stopped, finished reports are kept and temp folders go; the exit code then says which
        // signal it was, as a shell reports it: 128 + its number.
        var signal = 0;
        PosixSignalRegistration? Trap(PosixSignal s, int number) => OperatingSystem.IsWindows() ? null
            : PosixSignalRegistration.Create(s, c =>
            {
                c.Cancel = true;
                signal = number;
                cts.Cancel();
            });
        using var onTerm = Trap(PosixSignal.SIGTERM, 15);
        using var onHup = Trap(PosixSignal.SIGHUP, 1);
        try
        {
            var code = await parsed.InvokeAsync(config, cts.Token);
            return code == ExitCodes.Cancelled && signal != 0 ? 128 + signal : code;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}

/// <summary>Dissect's own version (from the VERSION file), whoever hosts the process (a test runner
/// included).</summary>
public sealed class PrintVersion : System.CommandLine.Invocation.SynchronousCommandLineAction
{
    public static string Version =>
        typeof(App).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
        ?? CaptureAnalyzerVersion();

    private static string CaptureAnalyzerVersion() => Dissect.Analysis.CaptureAnalyzer.DissectVersion;

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Version);
        return 0;
    }
}

public sealed record ConsoleIo(TextWriter Out, TextWriter Err)
{
    /// <summary>Output goes to the process's own console (not a test's writer), so live progress may be
    /// drawn.</summary>
    public bool IsConsole => Out is EscapingWriter w && ReferenceEquals(w.Inner, Console.Out);

    /// <summary>One-line error in the house format; returns the exit code to use.</summary>
    public int Fail(string message, int code = ExitCodes.Failure)
    {
        // Messages carry paths and capture text: escape sequences in them must not reach the terminal.
        Err.WriteLine($"dissect: error: {Terminal.Safe(message, 4000)}");
        return code;
    }
}
