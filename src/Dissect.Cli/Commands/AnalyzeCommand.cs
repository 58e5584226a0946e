using System.CommandLine;

namespace Dissect.Cli.Commands;

public static class AnalyzeCommand
{
    public static Command Create(ConsoleIo io) => new("analyze", "todo");
}
