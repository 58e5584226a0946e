using System.CommandLine;

namespace Dissect.Cli.Commands;

public static class InstallCommand
{
    public static Command Create(ConsoleIo io, bool install) => new(install ? "install" : "uninstall", "todo");
}
