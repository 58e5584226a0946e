using System.CommandLine;

namespace Dissect.Cli.Commands;

public static class SampleCommand
{
    public static Command Create(ConsoleIo io) => new("sample", "todo");
}
