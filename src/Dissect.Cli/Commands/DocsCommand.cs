using System.CommandLine;

namespace Dissect.Cli.Commands;

public static class DocsCommand
{
    public static Command Create(ConsoleIo io) => new("docs", "todo");
}
