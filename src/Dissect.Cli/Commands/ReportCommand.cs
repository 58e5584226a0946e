using System.CommandLine;

namespace Dissect.Cli.Commands;

public static class ReportCommand
{
    public static Command Create(ConsoleIo io) => new("report", "todo");
}
