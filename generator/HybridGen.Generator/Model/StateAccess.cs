namespace HybridGen.Generator.Model;

/// <summary>
/// How generated code reaches a value of the hybridized object's state: a path of member reads from the object that
/// owns it, with the few conversions the module catalog needs. The lowering builds it; only the Emitter turns it
/// into C#. <see cref="Owner"/> stands for the module whose function reads it (the hybridized object at the top, an
/// instance of a user module in that module's function), so <see cref="Rebase"/> moves a path to another instance.
/// </summary>
internal abstract record StateAccess
{
    /// <summary>Replaces <see cref="Owner"/> with <paramref name="owner"/> (a user module's state, read for one instance).</summary>
    public abstract StateAccess Rebase(StateAccess owner);

    /// <summary>The module that owns the state.</summary>
    public sealed record Owner : StateAccess
    {
        public static readonly Owner Instance = new();

        public override StateAccess Rebase(StateAccess owner) => owner;
    }

    /// <summary>A step from another access <see cref="Of"/> (a member, an element, a conversion): rebased by rebasing
    /// that one.</summary>
    public abstract record Step(StateAccess Of) : StateAccess
    {
        public override StateAccess Rebase(StateAccess owner) => this with { Of = Of.Rebase(owner) };
    }

    /// <summary>A type whose static member is read (fully qualified).</summary>
    public sealed record StaticType(string Type) : StateAccess
    {
        public override StateAccess Rebase(StateAccess owner) => this;
    }

    /// <summary><c>of.Name</c>, or, where the hybridized type cannot reach the member, the UnsafeAccessor
    /// <paramref name="Accessor"/> applied to <c>of</c>.</summary>
    public sealed record Member(StateAccess Of, string Name, string? Accessor = null) : Step(Of);

    /// <summary><c>of[Index]</c>: a child of a Sequential or ModuleList.</summary>
    public sealed record Element(StateAccess Of, int Index) : Step(Of);

    /// <summary><c>of</c> as the module type a tree check confirmed (fully qualified).</summary>
    public sealed record Cast(StateAccess Of, string Type) : Step(Of);

    /// <summary>An enum setting as its number.</summary>
    public sealed record EnumValue(StateAccess Of) : Step(Of);

    /// <summary>Runtime's <c>ModuleSettings.Code</c>: a convolution's padding type as a number.</summary>
    public sealed record PaddingCode(StateAccess Of) : Step(Of);

    /// <summary>Runtime's <c>ModuleSettings.Count</c>: a <c>long[]</c> setting's length (-1: null).</summary>
    public sealed record Count(StateAccess Of) : Step(Of);

    /// <summary>Runtime's <c>ModuleSettings.At</c>: entry <paramref name="Index"/> of a <c>long[]</c> setting, and
    /// <paramref name="NullValue"/> (where given) for a null one.</summary>
    public sealed record At(StateAccess Of, int Index, long? NullValue = null) : Step(Of);

    /// <summary><c>(of ?? whenNull)</c>: a setting that defaults to another (a pool's stride to its kernel size).</summary>
    public sealed record Coalesce(StateAccess Of, StateAccess WhenNull) : Step(Of)
    {
        public override StateAccess Rebase(StateAccess owner) => this with { Of = Of.Rebase(owner), WhenNull = WhenNull.Rebase(owner) };
    }
}
