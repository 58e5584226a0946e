using Dissect.Cli;

namespace Dissect.Tests.Support;

/// <summary>Runs the dissect command in-process with captured output.</summary>
public static class DissectCli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = App.RunAsync(args, o, e).GetAwaiter().GetResult();
        return (code, o.ToString(), e.ToString());
    }
}
