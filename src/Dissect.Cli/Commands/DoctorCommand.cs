using System.CommandLine;

namespace Dissect.Cli.Commands;

public static class DoctorCommand
{
    public static Command Create(ConsoleIo io) => new("doctor", "todo");
}
