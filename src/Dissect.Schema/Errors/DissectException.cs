namespace Dissect;

/// <summary>Base of the errors Dissect reports to the user as one line with a hint.</summary>
public class DissectException(string message, string hint, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What to do about it, in one sentence.</summary>
    public string Hint { get; } = hint;
}
