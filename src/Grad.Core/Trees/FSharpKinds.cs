using System.Collections;
using System.Reflection;

namespace Autodiff;

/// <summary>
/// F# collection types, found by name so that Grad.Core needs no reference to FSharp.Core. F# records, tuples
/// (<c>System.Tuple</c>), arrays, <c>ResizeArray</c> and <c>Map</c> need nothing special; <c>None</c> is null.
/// </summary>
internal static class FSharpKinds
{
    /// <summary>A kind for an F# list, option or value option type, or null for any other type.</summary>
    public static NodeKind? TryCreate(Type type) =>
        !type.IsGenericType ? null : type.GetGenericTypeDefinition().FullName switch
        {
            "Microsoft.FSharp.Collections.FSharpList`1" => new FSharpListKind(type),
            "Microsoft.FSharp.Core.FSharpOption`1" => new FSharpOptionKind(type),
            "Microsoft.FSharp.Core.FSharpValueOption`1" => new FSharpValueOptionKind(type),
            _ => null,
        };

    /// <summary>Whether <paramref name="type"/> is one of the F# types <see cref="TryCreate"/> handles.</summary>
    public static bool Handles(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition().FullName
            is "Microsoft.FSharp.Collections.FSharpList`1" or "Microsoft.FSharp.Core.FSharpOption`1" or "Microsoft.FSharp.Core.FSharpValueOption`1";
}

/// <summary>An F# <c>list</c>: its elements, rebuilt from the back with <c>Cons</c> onto <c>Empty</c>.</summary>
internal sealed class FSharpListKind(Type listType) : NodeKind(listType)
{
    private readonly object _empty = listType.GetProperty("Empty", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
    private readonly MethodInfo _cons = listType.GetMethod("Cons", BindingFlags.Public | BindingFlags.Static)!;

    public override (IReadOnlyList<object?>, object?) Decompose(object value)
    {
        var items = new List<object?>();
        foreach (var item in (IEnumerable)value) items.Add(item);
        return (items, null);
    }

    public override object? Build(object? aux, object?[] children)
    {
        var list = _empty;
        for (var i = children.Length - 1; i >= 0; i--) list = _cons.Invoke(null, [children[i], list])!;
        return list;
    }

    public override string[] Layout(object? aux, int arity) => Bracketed("list[", arity, "]");
}

/// <summary>F#'s <c>Some x</c> (a <c>None</c> is null, so it is an empty node): one child, rebuilt with <c>Some</c>.</summary>
internal sealed class FSharpOptionKind(Type optionType) : NodeKind(optionType)
{
    private readonly PropertyInfo _value = optionType.GetProperty("Value", BindingFlags.Public | BindingFlags.Instance)!;
    private readonly MethodInfo _some = optionType.GetMethod("Some", BindingFlags.Public | BindingFlags.Static)!;

    public override (IReadOnlyList<object?>, object?) Decompose(object value) => ([_value.GetValue(value)], null);

    public override object? Build(object? aux, object?[] children) => _some.Invoke(null, [children[0]]);

    public override string[] Layout(object? aux, int arity) => ["Some(", ")"];

    public override string ChildLabel(object? aux, int index) => ".Value";

    public override string? PathSegment(object? aux, int index) => null;
}

/// <summary>F#'s <c>ValueSome x</c> (one child) or <c>ValueNone</c> (no children).</summary>
internal sealed class FSharpValueOptionKind(Type optionType) : NodeKind(optionType)
{
    private readonly PropertyInfo _isSome = optionType.GetProperty("IsSome", BindingFlags.Public | BindingFlags.Instance)!;
    private readonly PropertyInfo _value = optionType.GetProperty("Value", BindingFlags.Public | BindingFlags.Instance)!;
    private readonly MethodInfo _some = optionType.GetMethod("NewValueSome", BindingFlags.Public | BindingFlags.Static)!;
    private readonly object _none = optionType.GetProperty("ValueNone", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    public override (IReadOnlyList<object?>, object?) Decompose(object value) =>
        ((bool)_isSome.GetValue(value)! ? [_value.GetValue(value)] : [], null);

    public override object? Build(object? aux, object?[] children) =>
        children.Length == 1 ? _some.Invoke(null, [children[0]]) : _none;

    public override string[] Layout(object? aux, int arity) => arity == 1 ? ["ValueSome(", ")"] : ["ValueNone"];

    public override string ChildLabel(object? aux, int index) => ".Value";

    public override string? PathSegment(object? aux, int index) => null;
}
