using System.IO.Compression;
using Dissect.Reporting;
using Dissect.Reporting.Pdf;
using Dissect.Tests.Analysis;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Reporting;

/// <summary>
/// Reference pages, as QuestPDF tests its layouts: a few pages of the demo report rendered to grey images and
/// compared with committed ones, pixel by pixel with a tolerance (fonts anti-alias slightly differently between
/// poppler builds). After an intended change of layout, update them with one command:
/// <c>DISSECT_UPDATE_REFERENCES=1 dotnet test tests/Dissect.Tests --filter VisualRegression</c>, and look at them.
/// </summary>
public class VisualRegressionTests(DemoModel demo) : IClassFixture<DemoModel>
{
    private static readonly string References = Path.Combine(Repo.Root, "tests", "Dissect.Tests", "Reporting",
        "reference");

    public static TheoryData<string, int> Pages => new() { { "en", 1 }, { "fr", 1 }, { "en", 5 }, { "en", 6 } };

    [Theory, MemberData(nameof(Pages))]
    public void A_reference_page_of_the_demo_report_looks_as_it_did(string language, int page)
    {
        var dir = Repo.TempDir("visual");
        var pdf = Path.Combine(dir, "demo.pdf");
        PdfReport.Write(demo.Model, new ReportOptions(language), pdf);
        var r = Proc.Run("pdftoppm", ["-r", "30", "-gray", "-f", $"{page}", "-l", $"{page}", pdf,
            Path.Combine(dir, "p")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var rendered = File.ReadAllBytes(Directory.GetFiles(dir, "p-*.pgm").Single());
        var reference = Path.Combine(References, $"demo-{language}-{page}.pgm.gz");
        if (Environment.GetEnvironmentVariable("DISSECT_UPDATE_REFERENCES") == "1")
        {
            Directory.CreateDirectory(References);
            using var f = File.Create(reference);
            using var z = new GZipStream(f, CompressionLevel.SmallestSize);
            z.Write(rendered);
            return;
        }
        Assert.True(File.Exists(reference), $"no reference page {reference}: run the update command (see the class)");
        using var input = new GZipStream(File.OpenRead(reference), CompressionMode.Decompress);
        using var expected = new MemoryStream();
        input.CopyTo(expected);
        var (w1, h1, a) = Pgm(expected.ToArray());
        var (w2, h2, b) = Pgm(rendered);
        Assert.Equal((w1, h1), (w2, h2));
        var differing = a.Zip(b).Count(p => Math.Abs(p.First - p.Second) > 64);
        Assert.True(differing < a.Length / 200, $"{differing} of {a.Length} pixels differ on page {page} " +
            $"({language}); if the change is intended, update the references (see the class)");
    }

    // A binary PGM (P5): "P5 width height maxval" then one byte per pixel.
    private static (int Width, int Height, byte[] Pixels) Pgm(byte[] data)
    {
        var fields = new List<string>();
        var i = 0;
        while (fields.Count < 4)
        {
            while (char.IsWhiteSpace((char)data[i])) i++;
            var start = i;
            while (!char.IsWhiteSpace((char)data[i])) i++;
            fields.Add(System.Text.Encoding.ASCII.GetString(data, start, i - start));
        }
        i++;
        int w = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture),
            h = int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
        return (w, h, data[i..(i + w * h)]);
    }
}
