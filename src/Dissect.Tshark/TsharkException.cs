namespace Dissect.Tshark;

/// <summary>tshark is missing, too old or lacks Lua.</summary>
public sealed class TsharkNotFoundException(string message, string hint) : DissectException(message, hint);

/// <summary>tshark ran and failed (or hung, or reported a Lua load error).</summary>
public sealed class TsharkException(string message, int exitCode, string commandLine, string stderrTail, string hint)
    : DissectException(message, hint)
{
    public int ExitCode { get; } = exitCode;
    public string CommandLine { get; } = commandLine;
    public string StderrTail { get; } = stderrTail;

    public override string ToString() =>
        $"{Message} (exit code {ExitCode})\n  command: {CommandLine}\n  stderr: {StderrTail}\n  hint: {Hint}";
}
