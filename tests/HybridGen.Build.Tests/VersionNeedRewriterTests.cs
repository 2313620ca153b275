using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using HybridGen.Build.Tasks.Elf;
using HybridGen.Build.Tasks.Loadable;

namespace HybridGen.Build.Tests;

/// <summary>Rewriting a copy of TorchSharp's real libLibTorchSharp.so for Debian 12's libstdc++.</summary>
public sealed class VersionNeedRewriterTests : IDisposable
{
    private const string LibStdCxx = "libstdc++.so.6";
    private readonly TempFolder _folder = new();
    private readonly string _copy;

    public VersionNeedRewriterTests()
    {
        _copy = _folder.File("libLibTorchSharp.so");
        File.Copy(Files.TorchSharpNative, _copy);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TheRewrittenFileNeedsNothingDebian12LacksAndDiffersOnlyInTheMarkersNeed()
    {
        byte[] before = File.ReadAllBytes(_copy);

        RewriteResult result = VersionNeedRewriter.MakeLoadable(_copy, LibStdCxx, Files.Debian12LibStdCxx);

        Assert.Equal(RewriteOutcome.Rewritten, result.Outcome);
        byte[] after = File.ReadAllBytes(_copy);
        ElfVersionNeeds needs = ElfVersionNeeds.Read(after);
        VersionNeedFile libstdcxx = needs.File(LibStdCxx)!;
        Assert.DoesNotContain(libstdcxx.Versions, v => v.Name == "GLIBCXX_3.4.32");
        DynamicSymbol marker = needs.Symbols.Single(s => s.Name == VersionNeedPlanner.IosBaseLibraryInit);
        VersionNeed markersNeed = libstdcxx.Versions.Single(v => v.Index == marker.VersionIndex);
        VersionNeed original = libstdcxx.Versions.First(v => v.Name == "GLIBCXX_3.4.30" && v.Index != marker.VersionIndex);
        Assert.Equal(("GLIBCXX_3.4.30", original.Hash, original.NameOffset), (markersNeed.Name, markersNeed.Hash, markersNeed.NameOffset));
        // Only vna_hash (4 bytes at +0) and vna_name (4 bytes at +8) of that one entry changed.
        Assert.Equal(before.Length, after.Length);
        var changed = Enumerable.Range(0, before.Length).Where(k => before[k] != after[k]).ToArray();
        Assert.NotEmpty(changed);
        Assert.All(changed, k => Assert.True(k - markersNeed.EntryOffset is >= 0 and < 4 or >= 8 and < 12, $"byte {k} changed"));
        Assert.True(VersionNeedPlanner.Plan(needs, LibStdCxx, Files.Debian12LibStdCxx).NothingMissing);
    }

    [Fact]
    public void ASecondRunChangesNothing()
    {
        VersionNeedRewriter.MakeLoadable(_copy, LibStdCxx, Files.Debian12LibStdCxx);
        string hash = Files.Sha256(_copy);
        ulong inode = Files.Inode(_copy);

        RewriteResult again = VersionNeedRewriter.MakeLoadable(_copy, LibStdCxx, Files.Debian12LibStdCxx);

        Assert.Equal(RewriteOutcome.AlreadyLoadable, again.Outcome);
        Assert.Equal(hash, Files.Sha256(_copy));
        Assert.Equal(inode, Files.Inode(_copy)); // not even replaced by an identical file
        Assert.Single(Directory.GetFiles(_folder.Path)); // no temporary file left behind
    }

    [Fact]
    public void ASystemLibStdCxxWithGlibcxx3432MeansNoChange()
    {
        string hash = Files.Sha256(_copy);

        RewriteResult result = VersionNeedRewriter.MakeLoadable(_copy, LibStdCxx, Files.Debian13LibStdCxx);

        Assert.Equal(RewriteOutcome.AlreadyLoadable, result.Outcome);
        Assert.Equal(hash, Files.Sha256(_copy));
    }

    [Fact]
    public void ARealSymbolOnTheMissingVersionIsRefusedAndTheFileLeftAsItIs()
    {
        string victim = BindASymbolToTheMarkersVersion();
        string hash = Files.Sha256(_copy);

        RewriteResult result = VersionNeedRewriter.MakeLoadable(_copy, LibStdCxx, Files.Debian12LibStdCxx);

        Assert.Equal(RewriteOutcome.Refused, result.Outcome);
        Assert.Contains(victim, result.Refusal);
        Assert.Contains("GLIBCXX_3.4.32", result.Refusal);
        Assert.Equal(hash, Files.Sha256(_copy));
    }

    [Fact]
    public void AMarkerThatARelocationRefersToIsRefused()
    {
        byte[] bytes = File.ReadAllBytes(_copy);
        var image = new ElfImage(bytes);
        ElfSection dynsym = image.SectionOfType(ElfImage.SectionDynamicSymbols)!.Value;
        ElfSection rela = image.Sections.First(s => s.Type == ElfImage.SectionRela && s.Link == dynsym.Index && s.Size > 0);
        int marker = ElfVersionNeeds.Read(bytes).Symbols.Single(s => s.Name == VersionNeedPlanner.IosBaseLibraryInit).Index;
        ulong info = image.UInt64(rela.Offset + 8);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)rela.Offset + 8), ((ulong)marker << 32) | (info & 0xffffffff));
        File.WriteAllBytes(_copy, bytes);

        RewriteResult result = VersionNeedRewriter.MakeLoadable(_copy, LibStdCxx, Files.Debian12LibStdCxx);

        Assert.Equal(RewriteOutcome.Refused, result.Outcome);
        Assert.Contains("relocation", result.Refusal);
    }

    [Fact]
    public void AHardLinkedCopyIsReplacedAndTheFileItSharedWithIsUnchanged()
    {
        using var cache = new TempFolder();
        string package = cache.File("libLibTorchSharp.so");
        File.Move(_copy, package);
        File.SetUnixFileMode(package, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Files.HardLink(package, _copy);
        string hash = Files.Sha256(package);
        DateTime modified = File.GetLastWriteTimeUtc(package);

        VersionNeedRewriter.MakeLoadable(_copy, LibStdCxx, Files.Debian12LibStdCxx);

        Assert.Equal(hash, Files.Sha256(package));
        Assert.NotEqual(hash, Files.Sha256(_copy));
        Assert.NotEqual(Files.Inode(package), Files.Inode(_copy));
        Assert.Equal(File.GetUnixFileMode(package), File.GetUnixFileMode(_copy));
        // Same size and time as the package's file: MSBuild's incremental copy leaves the rewritten copy alone.
        Assert.Equal(new FileInfo(package).Length, new FileInfo(_copy).Length);
        Assert.Equal(modified, File.GetLastWriteTimeUtc(_copy));
    }

    /// <summary>Binds an undefined symbol of GLIBCXX_3.4.30 to the marker's version index (GLIBCXX_3.4.32) in the
    /// copy's .gnu.version, and returns its name.</summary>
    private string BindASymbolToTheMarkersVersion()
    {
        byte[] bytes = File.ReadAllBytes(_copy);
        ElfVersionNeeds needs = ElfVersionNeeds.Read(bytes);
        VersionNeedFile libstdcxx = needs.File(LibStdCxx)!;
        ushort missing = libstdcxx.Versions.Single(v => v.Name == "GLIBCXX_3.4.32").Index;
        ushort present = libstdcxx.Versions.Single(v => v.Name == "GLIBCXX_3.4.30").Index;
        DynamicSymbol victim = needs.SymbolsOfVersion(present).First(s => !s.IsDefined);
        ElfSection versym = new ElfImage(bytes).SectionOfType(ElfImage.SectionVersionSymbols)!.Value;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((int)(versym.Offset + 2L * victim.Index)), missing);
        File.WriteAllBytes(_copy, bytes);
        return victim.Name;
    }
}
