namespace HybridGen.Generator.Model;

/// <summary>
/// One check of the module tree a twin was built for (decision 5): that the module read through
/// <see cref="Access"/> is exactly <see cref="Type"/>, or, for a container, holds <see cref="Count"/> children.
/// Access and path start from the module that owns them (<c>{0}</c> in the path), so a user module's function can
/// be called for any instance (<see cref="Rebase"/>); <see cref="Path"/> names the module in the reason a failed
/// check gives.
/// </summary>
internal sealed record ModuleTreeCheck(StateAccess Access, string Path, string? Type, int Count)
{
    /// <summary>Above zero: a check that the <c>long[]</c> setting read through <see cref="Access"/> is null or has
    /// this many entries (the twin takes exactly that many).</summary>
    public int Entries { get; init; }

    public ModuleTreeCheck Rebase(StateAccess owner, string ownerPath) =>
        this with { Access = Access.Rebase(owner), Path = Path.Replace("{0}", ownerPath) };
}

/// <summary>An UnsafeAccessor the generated code declares to read a member the hybridized type cannot reach (a user
/// block's private submodule field): its name, whether it reads a field (else a property's getter), the member, the
/// member's type and the type that declares it (both fully qualified).</summary>
internal sealed record AccessorModel(string Name, bool IsField, string Member, string ValueType, string OwnerType);
