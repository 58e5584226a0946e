using System.CommandLine;
using System.CommandLine.Parsing;

namespace Dissect.Cli;

/// <summary>
/// Usage errors found before any work starts, as tshark and the dotnet tools report them: one line naming the problem,
/// a "did you mean" when an option is close, and the command's own help to read.
/// </summary>
public static class Usage
{
    /// <summary>The usage errors of a parse: System.CommandLine's own, and option-like words taken as file
    /// names.</summary>
    public static List<string> Errors(ParseResult parsed)
    {
        // --help and --version answer whatever else the line holds, as in every dotnet tool.
        if (parsed.Action is { } action && action.GetType().Name is "WithExamples" or "HelpAction" or "PrintVersion")
            return [];
        var command = parsed.CommandResult.Command;
        var errors = parsed.Errors.Select(e =>
        {
            // System.CommandLine says "Unrecognized command or argument 'X'." for any stray word: name an option as
            // one.
            var m = System.Text.RegularExpressions.Regex.Match(e.Message,
                "^Unrecognized command or argument '(.*)'\\.$");
            if (!m.Success || command is RootCommand)
                return e.Message;
            var token = m.Groups[1].Value;
            return token.Length > 1 && token[0] == '-'
                ? UnknownOption(command, token)
                : $"unexpected argument '{token}' for '{Path(command)}'";
        }).ToList();
        foreach (var arg in parsed.CommandResult.Children.OfType<ArgumentResult>())
            foreach (var token in arg.Tokens)
            {
                var t = token.Value;
                // "-" is standard input; a real file may be named like an option.
                if (t.Length > 1 && t[0] == '-' && !File.Exists(t) && !Directory.Exists(t))
                    errors.Add(UnknownOption(command, t));
            }
        return errors;
    }

    public static string UnknownOption(Command command, string token)
    {
        var name = token.Split('=', 2)[0];
        var message = $"unknown option '{name}' for '{Path(command)}'";
        return Closest(command, name) is { } guess ? $"{message}; did you mean '{guess}'?" : message;
    }

    /// <summary>"dissect report" for the report command.</summary>
    public static string Path(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c && s is not RootCommand; s = c.Parents.FirstOrDefault())
            names.Insert(0, c.Name);
        return string.Join(' ', names.Prepend("dissect"));
    }

    private static string? Closest(Command command, string name)
    {
        var candidates = command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            .Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct().ToList();
        var best = candidates.Select(c => (Name: c, Distance: Distance(c,
            name))).OrderBy(x => x.Distance).ThenBy(x => x.Name,
            StringComparer.Ordinal).FirstOrDefault();
        var prefix = candidates.Where(c => c.StartsWith(name, StringComparison.Ordinal)).ToList();
        if (name.Length > 3 && prefix.Count == 1)
            return prefix[0];
        return best.Name is not null && best.Distance <= Math.Max(2, name.Length / 4) ? best.Name : null;
    }

    /// <summary>Edit distance with transpositions: "--fromat" is one step from "--format".</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>Writes the errors and the pointer to the command's help; returns the usage exit code.</summary>
    public static int Fail(ConsoleIo io, Command command, IEnumerable<string> errors)
    {
        foreach (var e in errors.Distinct())
            io.Err.WriteLine($"dissect: error: {e}");
        io.Err.WriteLine($"dissect: see '{Path(command)} --help'");
        return ExitCodes.Usage;
    }
}
