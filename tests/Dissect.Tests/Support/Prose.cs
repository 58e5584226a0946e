using Dissect.Analysis;
using Dissect.Reporting.Localization;

namespace Dissect.Tests.Support;

/// <summary>The English sentence of a finding, for tests that check what a reader is told.</summary>
public static class Prose
{
    public static string En(Finding f) => Localizer.For("en").Finding(f);
}
