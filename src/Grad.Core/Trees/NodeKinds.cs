using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Autodiff;

/// <summary>
/// Decides, once per type, how values of that type are taken apart: as a node of some kind, or as static data.
/// A type is a node when values of it may hold tensors somewhere; everything else is carried through untouched.
/// </summary>
internal static class NodeKinds
{
    // Types registered with Tree.RegisterNode: the only semantic state, and it takes precedence.
    private static readonly ConcurrentDictionary<Type, CustomKind> Registered = new();

    // Caches of pure functions of the type (and of Registered, so a registration clears them). A null kind means static.
    private static readonly ConcurrentDictionary<Type, NodeKind?> Kinds = new();
    private static readonly ConcurrentDictionary<Type, bool> MayHold = new();

    /// <summary>Adds or replaces a custom node type.</summary>
    public static void Register(CustomKind kind)
    {
        Registered[kind.Type] = kind;
        Kinds.Clear();
        MayHold.Clear();
    }

    /// <summary>The kind of a value of run-time type <paramref name="type"/>, or null if such a value is static data.</summary>
    public static NodeKind? Of(Type type)
    {
        if (Registered.TryGetValue(type, out var custom)) return custom;
        return Kinds.TryGetValue(type, out var kind) ? kind : Of(type, []);
    }

    private static NodeKind? Of(Type type, HashSet<Type> visiting)
    {
        if (Registered.TryGetValue(type, out var custom)) return custom;
        if (Kinds.TryGetValue(type, out var cached)) return cached;
        var entered = visiting.Add(type);
        try
        {
            var kind = Create(type, visiting);
            Kinds.TryAdd(type, kind);
            return kind;
        }
        finally
        {
            if (entered) visiting.Remove(type);
        }
    }

    private static NodeKind? Create(Type type, HashSet<Type> visiting)
    {
        bool May(Type t) => MayHoldTensors(t, visiting);

        if (type == typeof(Tensor)) return LeafKind.Instance;
        if (IsPlainData(type)) return null;
        if (type.IsArray)
        {
            if (!May(type.GetElementType()!)) return null;
            if (type.IsSZArray) return new ArrayKind(type);
            throw new NotSupportedException($"Tree: multi-dimensional arrays such as {TypeNames.Of(type)} are not supported; use an array of arrays or a list");
        }
        if (FSharpKinds.Handles(type)) return May(type.GetGenericArguments()[0]) ? FSharpKinds.TryCreate(type) : null;
        if (IsTuple(type)) return type.GetGenericArguments().Any(May) ? new TupleKind(type) : null;
        if (IsKeyValuePair(type)) return ObjectKind.TryCreate(type, May);

        var framework = IsFramework(type);
        if (DictionaryTypes(type) is ({ } key, { } value))
        {
            if (!May(value)) return null;
            return (NodeKind?)DictionaryKind.TryCreate(type, key, value)
                ?? (framework ? throw Unsupported(type) : ObjectKind.TryCreate(type, May));
        }
        if (ElementType(type) is { } element)
        {
            if (!May(element)) return null;
            return (NodeKind?)SequenceKind.TryCreate(type, element)
                ?? (framework ? throw Unsupported(type) : ObjectKind.TryCreate(type, May));
        }
        if (typeof(IList).IsAssignableFrom(type)) return SequenceKind.TryCreateUntyped(type) ?? throw Unsupported(type);
        // Other framework types (Random, Stream, Task, …) are not parameter containers. One instantiated with tensors
        // (Lazy<Tensor>, StrongBox<Tensor>, Task<Tensor[]>) holds them where no rule can reach: an error, rather than
        // static data whose tensors would silently get no gradient.
        if (framework) return HoldsTensorsByType(type) ? throw Unsupported(type) : null;
        return ObjectKind.TryCreate(type, May);
    }

    /// <summary>
    /// Whether a value whose declared type is <paramref name="type"/> may hold tensors. Open types (object, interfaces,
    /// non-sealed classes) may, and the run-time type of the value decides; a type that contains itself is assumed to,
    /// which only ever makes more nodes, never loses a tensor.
    /// </summary>
    private static bool MayHoldTensors(Type type, HashSet<Type> visiting)
    {
        if (type == typeof(Tensor) || Registered.ContainsKey(type)) return true;
        if (MayHold.TryGetValue(type, out var known)) return known;
        if (!visiting.Add(type)) return true;
        try
        {
            var result = Compute(type, visiting);
            MayHold.TryAdd(type, result);
            return result;
        }
        finally
        {
            visiting.Remove(type);
        }
    }

    private static bool Compute(Type type, HashSet<Type> visiting)
    {
        bool May(Type t) => MayHoldTensors(t, visiting);

        if (IsPlainData(type)) return false;
        if (Nullable.GetUnderlyingType(type) is { } underlying) return May(underlying);
        if (type.IsArray) return May(type.GetElementType()!);
        if (FSharpKinds.Handles(type) || IsTuple(type)) return type.GetGenericArguments().Any(May);
        if (IsKeyValuePair(type)) return type.GetGenericArguments().Any(May);
        if (DictionaryTypes(type) is (_, { } value)) return May(value);
        if (ElementType(type) is { } element) return May(element);
        if (type == typeof(object) || type.IsInterface) return true;
        if (IsFramework(type)) return HoldsTensorsByType(type);
        if (!type.IsSealed && !type.IsValueType) return true;
        // A sealed class or a struct: a node exactly when it has a property that may hold tensors.
        return Of(type, visiting) is not null;
    }

    /// <summary>
    /// Whether a framework generic type is instantiated with tensors by its type arguments alone: Tensor itself, or
    /// arrays, tuples and framework generics of them (not user types, whose values may or may not hold any).
    /// </summary>
    private static bool HoldsTensorsByType(Type type)
    {
        if (type == typeof(Tensor)) return true;
        if (type.IsArray) return HoldsTensorsByType(type.GetElementType()!);
        return type.IsGenericType && (IsTuple(type) || IsFramework(type)) && type.GetGenericArguments().Any(HoldsTensorsByType);
    }

    /// <summary>Types that never hold tensors: numbers, enums, strings, delegates, reflection objects, pointers.</summary>
    private static bool IsPlainData(Type type) =>
        type.IsPrimitive || type.IsEnum || type.IsPointer || type.IsByRef || type == typeof(string)
        || typeof(Delegate).IsAssignableFrom(type) || typeof(MemberInfo).IsAssignableFrom(type);

    private static bool IsFramework(Type type) =>
        type.Namespace is { } ns && (ns is "System" or "Microsoft" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal));

    private static bool IsTuple(Type type) =>
        type.IsGenericType && typeof(ITuple).IsAssignableFrom(type)
        && type.GetGenericTypeDefinition().FullName is { } name
        && (name.StartsWith("System.ValueTuple`", StringComparison.Ordinal) || name.StartsWith("System.Tuple`", StringComparison.Ordinal));

    private static bool IsKeyValuePair(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>);

    /// <summary>The key and value types of a generic dictionary type, or null.</summary>
    private static (Type Key, Type Value)? DictionaryTypes(Type type)
    {
        foreach (var candidate in type.GetInterfaces().Prepend(type))
        {
            if (!candidate.IsGenericType) continue;
            var definition = candidate.GetGenericTypeDefinition();
            if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
                return (candidate.GetGenericArguments()[0], candidate.GetGenericArguments()[1]);
        }
        return null;
    }

    /// <summary>The element type of a generic enumerable type, or null.</summary>
    private static Type? ElementType(Type type) =>
        type.GetInterfaces().Prepend(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?
            .GetGenericArguments()[0];

    private static NotSupportedException Unsupported(Type type) =>
        new($"Tree: a {TypeNames.Of(type)} may hold tensors but there is no known way to rebuild it; use an array, List, Dictionary or record, or register it with Tree.RegisterNode");
}
