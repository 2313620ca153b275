using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Analysis;

/// <summary>What the analysis knows about APIs it has no source for: which are side effects, host reads, sources of
/// non-determinism, trainable state, and which are pure enough to accept. Anything not listed is unknown, and an
/// unknown call is HG0108.</summary>
internal static class KnownApis
{
    /// <summary>Whether the symbol is TorchSharp's (its namespace or one inside it).</summary>
    public static bool InTorchSharp(ISymbol symbol) => KnownTypes.InNamespace(symbol, "TorchSharp");

    /// <summary>TorchSharp's Tensor or a type derived from it (Parameter), also where nullable-annotated (a `var` local
    /// of a tensor is `Tensor?` in nullable-enabled code, whose display name would not match).</summary>
    public static bool IsTensor(ITypeSymbol? type)
    {
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
            if (t is { Name: "Tensor", ContainingType: { Name: "torch", ContainingType: null, ContainingNamespace: { Name: "TorchSharp" } ns } } && ns.ContainingNamespace.IsGlobalNamespace)
                return true;
        return false;
    }

    /// <summary>Console, debug and trace output, logging, files, network, processes: a clause, or null.</summary>
    public static string? SideEffect(ISymbol member)
    {
        if (KnownTypes.IsMemberOf(member, "System.Console")) return $"writes to or reads the console ('Console.{member.Name}')";
        if (KnownTypes.IsMemberOf(member, "System.Diagnostics.Debug") || KnownTypes.IsMemberOf(member, "System.Diagnostics.Trace")
            || KnownTypes.IsMemberOf(member, "System.Diagnostics.Debugger"))
            return $"writes debug output ('{member.ContainingType!.Name}.{member.Name}')";
        if (member.ContainingType is { } owner && owner.Name.StartsWith("Process", StringComparison.Ordinal) && KnownTypes.IsNamespace(owner.ContainingSymbol, "System.Diagnostics"))
            return $"starts or controls a process ('{owner.Name}.{member.Name}')";
        if (KnownTypes.InNamespace(member, "Microsoft.Extensions.Logging")) return $"logs ('{member.Name}')";
        if (KnownTypes.InNamespace(member, "System.IO")) return $"does file or stream I/O ('{member.ContainingType!.Name}.{member.Name}')";
        if (KnownTypes.InNamespace(member, "System.Net")) return $"does network I/O ('{member.ContainingType!.Name}.{member.Name}')";
        return null;
    }

    /// <summary>Clocks, random numbers, GUIDs, environment reads: a clause, or null.</summary>
    public static string? Nondeterminism(ISymbol member)
    {
        if (KnownTypes.IsMemberOf(member, "System.Random")) return "uses System.Random, whose values a graph would freeze at trace time";
        if (KnownTypes.IsMemberOf(member, "System.Security.Cryptography.RandomNumberGenerator")) return "draws random numbers on the host";
        if ((KnownTypes.IsMemberOf(member, "System.DateTime") || KnownTypes.IsMemberOf(member, "System.DateTimeOffset")) && member.Name is "Now" or "UtcNow" or "Today")
            return $"reads the clock ('{member.ContainingType!.Name}.{member.Name}')";
        if (KnownTypes.IsMemberOf(member, "System.Diagnostics.Stopwatch")) return "reads a stopwatch";
        if (KnownTypes.IsMemberOf(member, "System.Guid") && member.Name == "NewGuid") return "makes a new GUID";
        if (KnownTypes.IsMemberOf(member, "System.Environment")) return $"reads the environment ('Environment.{member.Name}')";
        return null;
    }

    /// <summary>Tensor members that copy values to the host.</summary>
    public static bool IsHostRead(IMethodSymbol method) =>
        (IsTensor(method.ContainingType) && method.Name is "item" or "data" or "ToString" or "ToArray" or "ToSingle" or "ToDouble"
            or "ToInt32" or "ToInt64" or "ToBoolean" or "ToScalar" or "tolist" or "bytes" or "print" or "str" or "jlstr" or "npstr" or "cstr") ||
        method.ContainingType?.Name == "TensorExtensionMethods" && method.Name.StartsWith("To", System.StringComparison.Ordinal) ||
        method.ContainingType?.Name == "TensorAccessor";

    /// <summary>Tensor, torch and module members that are not ops but are safe in a graph method (metadata reads,
    /// dispose scopes and grad-mode scopes, which are no-ops in the graph).</summary>
    public static bool IsNeutralTorchMember(ISymbol member)
    {
        if (!InTorchSharp(member)) return false;
        string type = member.ContainingType?.Name ?? "";
        string name = member.Name;
        if (IsTensor(member.ContainingType))
            return name is "shape" or "dtype" or "device" or "Dimensions" or "dim" or "numel" or "size" or "IsDisposed"
                or "MoveToOuterDisposeScope" or "DetachFromDisposeScope" or "get_shape" or "get_dtype" or "get_device"
                or "get_Dimensions" or "get_IsDisposed" or "get_requires_grad" or "requires_grad" || name == "Dispose";
        if (type == "DisposeScope") return name is "Dispose" or "MoveToOuter" or "Include" or "DisposablesCount" or "get_DisposablesCount";
        if (type == "AutoGradMode" || type == "InferenceMode") return name == "Dispose";
        if (type == "torch") return name is "NewDisposeScope" or "no_grad" or "enable_grad" or "is_grad_enabled" or "device" or "CPU" or "CUDA";
        if (type is "Device" or "TensorIndex" or "ScalarType" or "DeviceType" or "Reduction" or "Scalar") return true;
        if (type == "Module") return name is "training" or "get_training";
        return false;
    }

    /// <summary>Parameters, modules, optimizers, and tensors made to require grad.</summary>
    public static string? TrainableState(ISymbol member)
    {
        // A type: creating an instance of it. A method: a factory of one (nn.Linear, optim.Adam) or requires_grad_.
        INamedTypeSymbol? type = member as INamedTypeSymbol ?? ((member as IMethodSymbol)?.MethodKind == MethodKind.Constructor ? member.ContainingType : null);
        for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (KnownTypes.Is(t, KnownTypes.Parameter)) return "creates a Parameter";
            if (KnownTypes.Is(t, "TorchSharp.torch.nn.Module")) return $"creates the module '{type!.Name}'";
            if (KnownTypes.Is(t, "TorchSharp.torch.optim.Optimizer") || KnownTypes.Is(t, "TorchSharp.Modules.OptimizerHelper")) return $"creates the optimizer '{type!.Name}'";
        }
        if (member is IMethodSymbol { ReturnType: var r } && KnownTypes.IsMemberOf(member, KnownTypes.Nn) && TrainableState(r) is { } s) return s;
        if (KnownTypes.IsMemberOf(member, KnownTypes.Optim)) return $"creates the optimizer '{member.Name}'";
        if (IsTensor(member.ContainingType) && member.Name is "requires_grad_" or "set_requires_grad") return "makes a tensor require grad";
        return null;
    }

    /// <summary>Pure .NET members the analysis accepts without source (math, value types, collections it tracks).</summary>
    public static bool IsPureBcl(ISymbol member)
    {
        INamedTypeSymbol? type = member.ContainingType;
        if (KnownTypes.Is(type, "System.Math") || KnownTypes.Is(type, "System.MathF")) return true;
        if (type is { Name: "ValueTuple" } && KnownTypes.IsNamespace(type.ContainingSymbol, "System") || KnownTypes.Is(type, "System.Index") || KnownTypes.Is(type, "System.Range")) return true;
        if (member.ContainingType?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Double
            or SpecialType.System_Single or SpecialType.System_Boolean)
            return member.Name is not ("Parse" or "TryParse" or "ToString");
        if (member.ContainingType is IArrayTypeSymbol || KnownTypes.Is(type, "System.Array")) return member.Name is "Length" or "get_Length" or "Rank" or "get_Rank";
        if (KnownTypes.Is(type, "System.IDisposable")) return member.Name == "Dispose";
        return false;
    }

    /// <summary>Collections a method may build and use locally (HG0102 near miss): their members are accepted on
    /// collections the method created; on others, mutating members are writes to outside state.</summary>
    public static bool IsCollection(ITypeSymbol? type)
    {
        return type is IArrayTypeSymbol || type?.ContainingNamespace is { } ns && KnownTypes.IsNamespace(ns, "System.Collections.Generic");
    }

    public static bool IsMutatingCollectionMember(string name) =>
        name is "Add" or "AddRange" or "Insert" or "InsertRange" or "Remove" or "RemoveAt" or "RemoveAll" or "RemoveRange"
            or "Clear" or "Push" or "Pop" or "Enqueue" or "Dequeue" or "Sort" or "Reverse" or "set_Item" or "TryAdd" or "TryPop" or "TryDequeue";

    /// <summary>Atomic and volatile writes through a ref argument (<c>Interlocked.Increment(ref s_count)</c>): a
    /// write to whatever the argument refers to.</summary>
    public static bool IsAtomicWrite(IMethodSymbol method) =>
        KnownTypes.IsMemberOf(method, "System.Threading.Interlocked") || (KnownTypes.IsMemberOf(method, "System.Threading.Volatile") && method.Name == "Write");

    public static bool IsLinq(ISymbol member) => KnownTypes.IsMemberOf(member, "System.Linq.Enumerable") || KnownTypes.IsMemberOf(member, "System.Linq.Queryable");

    public static bool IsReflection(ISymbol member) =>
        KnownTypes.InNamespace(member, "System.Reflection") || KnownTypes.IsMemberOf(member, "System.Activator") ||
        (KnownTypes.IsMemberOf(member, "System.Type") && (member.Name.StartsWith("Get", StringComparison.Ordinal) || member.Name == "InvokeMember"));

    public static bool IsHybridized(IMethodSymbol method) => EagerBodies.AttributeOf(method) is not null;
}
