using System.CommandLine;

namespace Dissect.Cli.Commands;

/// <summary>
/// Shell completion through System.CommandLine's suggest directive: the shell asks
/// <c>dissect "[suggest:CURSOR]" "LINE"</c>, which lists commands, options and their values (--format, --lang, …).
/// </summary>
public static class CompletionCommand
{
    private static readonly Dictionary<string, string> Scripts = new(StringComparer.Ordinal)
    {
        ["bash"] = """
            # dissect completion for bash: add to ~/.bashrc:  source <(dissect completion bash)
            _dissect_complete() {
              local IFS=$'\n'
              local words
              words=$(dissect "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
              COMPREPLY=( $(compgen -W "$words" -- "${COMP_WORDS[COMP_CWORD]}") )
            }
            complete -o default -F _dissect_complete dissect
            """,
        ["zsh"] = """
            # dissect completion for zsh: add to ~/.zshrc:  source <(dissect completion zsh)
            _dissect_complete() {
              local -a completions
              completions=("${(@f)$(dissect "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
              compadd -- "${completions[@]}"
            }
            compdef _dissect_complete dissect
            """,
        ["pwsh"] = """
            # dissect completion for PowerShell: add to $PROFILE:
            #   dissect completion pwsh | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName dissect -ScriptBlock {
              param($wordToComplete, $commandAst, $cursorPosition)
              dissect "[suggest:$cursorPosition]" "$commandAst" | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
              }
            }
            """,
    };

    public static Command Create(ConsoleIo io)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or pwsh" };
        shell.AcceptOnlyFromAmong([.. Scripts.Keys]);
        var cmd = new Command("completion",
            "Print the shell script that completes dissect's commands, options and values")
        {
            shell,
        };
        cmd.SetAction(pr =>
        {
            io.Out.WriteLine(Scripts[pr.GetValue(shell)!]);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
