using System.IO;
using System.Linq;
using HybridGen.Build.Tasks.Elf;
using HybridGen.Build.Tasks.Loadable;

namespace HybridGen.Build.Tests;

/// <summary>Reading symbol-version needs and definitions, on TorchSharp's real library and on crafted files.</summary>
public sealed class ElfVersionTests
{
    [Fact]
    public void TorchSharpNeedsGlibcxx3432FromLibStdCxxForTheIosMarkerOnly()
    {
        ElfVersionNeeds needs = ElfVersionNeeds.Read(File.ReadAllBytes(Files.TorchSharpNative));

        Assert.Equal(ElfImage.MachineX86_64, needs.Machine);
        VersionNeedFile libstdcxx = Assert.Single(needs.Files, f => f.File == "libstdc++.so.6");
        VersionNeed newest = Assert.Single(libstdcxx.Versions, v => v.Name == "GLIBCXX_3.4.32");
        DynamicSymbol marker = Assert.Single(needs.SymbolsOfVersion(newest.Index));
        Assert.Equal(VersionNeedPlanner.IosBaseLibraryInit, marker.Name);
        Assert.False(marker.IsDefined);
        Assert.False(needs.IsRelocationTarget(marker.Index));
        // Real symbols are bound to the versions Debian 12 has, and relocations refer to them.
        VersionNeed gcc12 = Assert.Single(libstdcxx.Versions, v => v.Name == "GLIBCXX_3.4.30");
        Assert.Contains(needs.SymbolsOfVersion(gcc12.Index), s => needs.IsRelocationTarget(s.Index));
    }

    [Fact]
    public void OnDebian12TheMarkersNeedIsRetargetedToTheNewestGlibcxxTheSystemHas()
    {
        ElfVersionNeeds needs = ElfVersionNeeds.Read(File.ReadAllBytes(Files.TorchSharpNative));

        VersionNeedPlan plan = VersionNeedPlanner.Plan(needs, "libstdc++.so.6", Files.Debian12LibStdCxx);

        Assert.Null(plan.Refusal);
        Retargeting retargeting = Assert.Single(plan.Retargetings);
        Assert.Equal("GLIBCXX_3.4.32", retargeting.Missing.Name);
        Assert.Equal("GLIBCXX_3.4.30", retargeting.Replacement.Name);
    }

    [Fact]
    public void ASystemThatDefinesEveryNeededVersionNeedsNoRetargeting()
    {
        ElfVersionNeeds needs = ElfVersionNeeds.Read(File.ReadAllBytes(Files.TorchSharpNative));

        Assert.True(VersionNeedPlanner.Plan(needs, "libstdc++.so.6", Files.Debian13LibStdCxx).NothingMissing);
    }

    [Fact]
    public void VersionDefinitionsAreTheVersionsWithoutTheFilesOwnName()
    {
        using var folder = new TempFolder();
        string path = folder.File("libstdc++.so.6");
        FakeElf.WriteVersionDefinitions(path, "libstdc++.so.6", new[] { "GLIBCXX_3.4", "GLIBCXX_3.4.30", "CXXABI_1.3" });

        Assert.Equal(new[] { "GLIBCXX_3.4", "GLIBCXX_3.4.30", "CXXABI_1.3" }, ElfVersionDefinitions.Read(File.ReadAllBytes(path)));
    }

    [Fact]
    public void TheSystemsLibStdCxxDefinesGlibcxxVersionsWhereThereIsOne()
    {
        string? system = SystemLibraries.Find("libstdc++.so.6", beside: null);
        if (system is null) return; // not a Linux x64 system with libstdc++: nothing to read
        var versions = ElfVersionDefinitions.Read(File.ReadAllBytes(system));
        Assert.Contains("GLIBCXX_3.4", versions);
        Assert.Contains("CXXABI_1.3", versions);
        Assert.DoesNotContain("libstdc++.so.6", versions);
    }

    [Fact]
    public void VersionsOrderNumerically()
    {
        string[] sorted = new[] { "GLIBCXX_3.4.30", "GLIBCXX_3.4.9", "GLIBCXX_3.4", "GLIBCXX_3.4.21" }
            .OrderBy(v => v, VersionNeedPlanner.VersionOrder.Instance).ToArray();
        Assert.Equal(new[] { "GLIBCXX_3.4", "GLIBCXX_3.4.9", "GLIBCXX_3.4.21", "GLIBCXX_3.4.30" }, sorted);
        Assert.Equal("CXXABI", VersionNeedPlanner.Family("CXXABI_1.3.13"));
    }

    [Fact]
    public void AFileThatIsNotElfIsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[100]));
        byte[] truncated = File.ReadAllBytes(Files.TorchSharpNative).Take(4096).ToArray();
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(truncated));
    }
}
