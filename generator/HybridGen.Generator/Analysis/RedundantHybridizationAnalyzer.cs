using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Analysis;

/// <summary>
/// HG0203: a [Hybridize] method whose every call runs inside the twin of another hybridized method, so its own
/// dispatcher never makes a decision that matters. The caller-coverage rule of the Hybridize-Functions refactoring,
/// a least fixpoint: a call is covered when it is in the eager body of a hybridized method whose twin runs (it gets
/// one and its attribute does not force eager), or in a method all of whose callers are covered calls. One
/// compilation is the whole world, as the refactoring's call graph is: a method nothing calls (not reachable from a
/// constructor, accessor, override, attributed method, the entry point or code outside methods) is dead and no
/// caller at all. A method group, a lambda in plain code and code outside any method are unknown callers and block;
/// so does a method the program can start from. The advice needs one call inside a twin. Needs every call of the
/// compilation, hence an analyzer (compilation end), not a generator step.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RedundantHybridizationAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.RedundantHybridization);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            IAssemblySymbol assembly = start.Compilation.Assembly;
            // method of this compilation → where each call of it, or method group naming it, is (user code only).
            var references = new ConcurrentDictionary<IMethodSymbol, ConcurrentBag<Site>>(SymbolEqualityComparer.Default);
            // method → the hybridized methods whose eager body it is (asked at every call, so remembered).
            var owners = new ConcurrentDictionary<IMethodSymbol, ImmutableArray<IMethodSymbol>>(SymbolEqualityComparer.Default);
            start.RegisterOperationAction(operation =>
            {
                IMethodSymbol? target = operation.Operation switch
                {
                    IInvocationOperation call => call.TargetMethod,
                    IMethodReferenceOperation group => group.Method,
                    _ => null,
                };
                if (target is null || target.MethodKind is MethodKind.LambdaMethod or MethodKind.LocalFunction || InNameOf(operation.Operation))
                    return;
                target = Declaration(target);
                if (!SymbolEqualityComparer.Default.Equals(target.ContainingAssembly, assembly)) return;
                // A delegate can be invoked from anywhere: a method group is an unknown caller wherever it is written.
                Site site = operation.Operation is IMethodReferenceOperation ? Site.Unknown : SiteOf(operation.Operation, operation.ContainingSymbol, owners);
                references.GetOrAdd(target, _ => new ConcurrentBag<Site>()).Add(site);
            }, OperationKind.Invocation, OperationKind.MethodReference);
            start.RegisterCompilationEndAction(end =>
                new Coverage(end.Compilation, references, end.CancellationToken).Report(end.ReportDiagnostic));
        });
    }

    /// <summary>Where a call is: <see cref="Method"/> holds it (null: an unknown caller, such as a field
    /// initializer, a lambda in plain code or a method group); <see cref="Owners"/> are the hybridized methods whose
    /// eager body <see cref="Method"/> is (empty: a plain method).</summary>
    private sealed class Site
    {
        public static readonly Site Unknown = new(null, ImmutableArray<IMethodSymbol>.Empty);

        public Site(IMethodSymbol? method, ImmutableArray<IMethodSymbol> owners)
        {
            Method = method;
            Owners = owners;
        }

        public IMethodSymbol? Method { get; }

        public ImmutableArray<IMethodSymbol> Owners { get; }
    }

    private static Site SiteOf(IOperation operation, ISymbol? containing, ConcurrentDictionary<IMethodSymbol, ImmutableArray<IMethodSymbol>> ownersOf)
    {
        bool inLambda = false;
        for (IOperation? p = operation.Parent; p is not null && !inLambda; p = p.Parent) inLambda = p is IAnonymousFunctionOperation;
        while (containing is IMethodSymbol { MethodKind: MethodKind.LambdaMethod or MethodKind.LocalFunction } inner)
        {
            inLambda |= inner.MethodKind == MethodKind.LambdaMethod;
            containing = inner.ContainingSymbol;
        }
        if (containing is not IMethodSymbol method || KnownApis.IsHybridized(method)) return Site.Unknown;
        method = Declaration(method);
        ImmutableArray<IMethodSymbol> owners = ownersOf.GetOrAdd(method, HybridizedOwnersOf);
        // In an eager body a lambda is part of what the owner's twin lowered (the twin exists only if it could).
        return owners.IsEmpty && inLambda ? Site.Unknown : new Site(method, owners);
    }

    private static bool InNameOf(IOperation operation)
    {
        for (IOperation? p = operation; p is not null; p = p.Parent)
            if (p is INameOfOperation) return true;
        return false;
    }

    private static IMethodSymbol Declaration(IMethodSymbol method)
    {
        method = method.ReducedFrom ?? method;
        return (method.PartialDefinitionPart ?? method).OriginalDefinition;
    }

    /// <summary>The hybridized methods whose eager body <paramref name="method"/> is (EagerBodies.Find, the lookup the
    /// transform makes: a method whose eager body is ambiguous or mismatched has none, and gets HG0002).</summary>
    private static ImmutableArray<IMethodSymbol> HybridizedOwnersOf(IMethodSymbol method)
    {
        ImmutableArray<IMethodSymbol>.Builder? owners = null;
        foreach (IMethodSymbol candidate in method.ContainingType.GetMembers().OfType<IMethodSymbol>())
            if (EagerBodies.NameOf(candidate) == method.Name && EagerBodies.Find(candidate) is { } eager
                && SymbolEqualityComparer.Default.Equals(Declaration(eager), method))
                (owners ??= ImmutableArray.CreateBuilder<IMethodSymbol>()).Add(Declaration(candidate));
        return owners?.ToImmutable() ?? ImmutableArray<IMethodSymbol>.Empty;
    }

    /// <summary>Calls of it through a base class or an interface name another method, which this analysis cannot follow.</summary>
    private static bool Dispatched(IMethodSymbol method) =>
        method.IsVirtual || method.IsOverride || method.IsAbstract || !method.ExplicitInterfaceImplementations.IsEmpty ||
        method.ContainingType.AllInterfaces.SelectMany(i => i.GetMembers().OfType<IMethodSymbol>())
            .Select(m => method.ContainingType.FindImplementationForInterfaceMember(m)).OfType<IMethodSymbol>()
            .Any(m => SymbolEqualityComparer.Default.Equals(Declaration(m), method));

    /// <summary>[Hybridize(..., Mode = DispatchMode.Eager)]: its twin is built but never runs.</summary>
    private static bool ForcedEager(IMethodSymbol method) =>
        EagerBodies.AttributeOf(method) is { } attribute &&
        attribute.NamedArguments.Any(n => n.Key == "Mode" && n.Value.Value is int mode && mode == 1); // DispatchMode.Eager

    /// <summary>Caller coverage over one compilation.</summary>
    private sealed class Coverage
    {
        private readonly Compilation _compilation;
        private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentBag<Site>> _references;
        private readonly IMethodSymbol? _entryPoint;
        private readonly HashSet<IMethodSymbol> _live = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<IMethodSymbol, bool> _runsTwin = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<IMethodSymbol, HashSet<IMethodSymbol>?> _covered = new(SymbolEqualityComparer.Default);
        private readonly HashSet<IMethodSymbol> _visiting = new(SymbolEqualityComparer.Default);

        public Coverage(Compilation compilation, ConcurrentDictionary<IMethodSymbol, ConcurrentBag<Site>> references, CancellationToken ct)
        {
            _compilation = compilation;
            _references = references;
            _entryPoint = compilation.GetEntryPoint(ct);

            // Live: reachable from what can run without a call this analysis sees (the roots). Dead code, such as a
            // method nothing calls, is no caller: the refactoring's call graph has no node for it.
            var callees = new Dictionary<IMethodSymbol, List<IMethodSymbol>>(SymbolEqualityComparer.Default);
            var work = new Queue<IMethodSymbol>();
            void Reach(IMethodSymbol method)
            {
                if (_live.Add(method)) work.Enqueue(method);
            }
            foreach (KeyValuePair<IMethodSymbol, ConcurrentBag<Site>> pair in references)
            {
                if (RootKind(pair.Key)) Reach(pair.Key);
                foreach (Site site in pair.Value)
                {
                    if (site.Method is null)
                    {
                        Reach(pair.Key); // called from code no method holds, or through a delegate
                        continue;
                    }
                    if (!callees.TryGetValue(site.Method, out List<IMethodSymbol>? targets)) callees[site.Method] = targets = new List<IMethodSymbol>();
                    targets.Add(pair.Key);
                    // An eager body runs whenever its dispatcher does; a root runs without a call we see.
                    if (!site.Owners.IsEmpty || RootKind(site.Method)) Reach(site.Method);
                }
            }
            while (work.Count > 0)
                if (callees.TryGetValue(work.Dequeue(), out List<IMethodSymbol>? targets))
                    foreach (IMethodSymbol target in targets) Reach(target);
        }

        public void Report(Action<Diagnostic> report)
        {
            foreach (KeyValuePair<IMethodSymbol, ConcurrentBag<Site>> pair in _references)
            {
                IMethodSymbol callee = pair.Key;
                if (!KnownApis.IsHybridized(callee) || Dispatched(callee)) continue;
                // Null: a call that runs outside any twin; empty: no call inside a twin (calls only from dead code).
                if (OwnersOf(pair.Value) is not { Count: > 0 } owners) continue;
                string names = string.Join(", ", owners.Select(o => o.ContainingType.Name + "." + o.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal));
                report(Diagnostic.Create(DiagnosticDescriptors.RedundantHybridization, callee.Locations.FirstOrDefault() ?? Location.None,
                    callee.ContainingType.Name + "." + callee.Name, names));
            }
        }

        /// <summary>The hybridized methods whose twins hold these calls (the live ones); null when one is not covered.</summary>
        private HashSet<IMethodSymbol>? OwnersOf(IEnumerable<Site> sites)
        {
            var owners = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            foreach (Site site in sites)
            {
                if (site.Method is null) return null;
                if (!_live.Contains(site.Method)) continue; // dead code: a caller nothing calls
                foreach (IMethodSymbol owner in site.Owners)
                {
                    if (!RunsTwin(owner)) return null; // an eager-only caller really calls the dispatcher
                    owners.Add(owner);
                }
                if (Covered(site.Method) is not { } above) return null; // e.g. the eager body is also called directly
                owners.UnionWith(above);
            }
            return owners;
        }

        /// <summary>Whether every live call of <paramref name="method"/> runs inside a twin: the twins' owners (empty
        /// where it has no live caller), else null. Least fixpoint: a method on a cycle of calls is not covered
        /// (memoising is exact: a method that meets one on the stack is on a cycle with it).</summary>
        private HashSet<IMethodSymbol>? Covered(IMethodSymbol method)
        {
            if (_covered.TryGetValue(method, out HashSet<IMethodSymbol>? known)) return known;
            if (!_visiting.Add(method)) return null;
            HashSet<IMethodSymbol>? result;
            try
            {
                result = RootKind(method) ? null
                    : _references.TryGetValue(method, out ConcurrentBag<Site>? sites) ? OwnersOf(sites)
                    : new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            }
            finally
            {
                _visiting.Remove(method);
            }
            _covered[method] = result;
            return result;
        }

        /// <summary>A method that can run without a call this analysis sees: not an ordinary method (constructor,
        /// accessor, operator...), called through a base or an interface, extern, the entry point, or marked by an
        /// attribute (a test, a callback) other than MethodImpl.</summary>
        private bool RootKind(IMethodSymbol method) =>
            method.MethodKind != MethodKind.Ordinary || Dispatched(method) || method.IsExtern ||
            SymbolEqualityComparer.Default.Equals(method, _entryPoint) ||
            method.GetAttributes().Any(a => !KnownTypes.Is(a.AttributeClass, "System.Runtime.CompilerServices.MethodImplAttribute"));

        /// <summary>Whether the owner's twin runs: the generator wrote its twin record into this compilation (an
        /// analyzer sees the generated code, so nothing is analyzed or lowered again here), and its attribute does not
        /// force eager.</summary>
        private bool RunsTwin(IMethodSymbol owner)
        {
            if (!_runsTwin.TryGetValue(owner, out bool runs))
                _runsTwin[owner] = runs = !ForcedEager(owner) && TwinRecords.Contains(Parser.QualifiedNameOf(owner));
            return runs;
        }

        private HashSet<string>? _twinRecords;

        /// <summary>The names in the compilation's <c>[assembly: HybridTwin(name, ...)]</c> records.</summary>
        private HashSet<string> TwinRecords => _twinRecords ??= new HashSet<string>(
            _compilation.Assembly.GetAttributes()
                .Where(a => KnownTypes.Is(a.AttributeClass, KnownNames.HybridTwinAttribute))
                .Select(a => a.ConstructorArguments.FirstOrDefault().Value as string)
                .OfType<string>(),
            StringComparer.Ordinal);
    }
}
