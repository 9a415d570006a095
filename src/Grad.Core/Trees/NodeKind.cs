using System.Runtime.CompilerServices;
using System.Text;

namespace Autodiff;

/// <summary>
/// How one kind of tree node (for one concrete type) comes apart into subtrees plus static data, and goes
/// back together. One instance per type, made by <see cref="NodeKinds"/>.
/// </summary>
internal abstract class NodeKind(Type type)
{
    /// <summary>The concrete type this kind takes apart and rebuilds.</summary>
    public Type Type { get; } = type;

    /// <summary>The subtrees of <paramref name="value"/> in a fixed order, and the static data needed to rebuild it.</summary>
    public abstract (IReadOnlyList<object?> Children, object? Aux) Decompose(object value);

    /// <summary>A new value of <see cref="Type"/> from rebuilt <paramref name="children"/> and the static data.</summary>
    public abstract object? Build(object? aux, object?[] children);

    /// <summary>The text around the children's descriptions: <paramref name="arity"/> + 1 pieces.</summary>
    public abstract string[] Layout(object? aux, int arity);

    /// <summary>How the path to child <paramref name="index"/> is written in error messages, e.g. <c>[2]</c> or <c>.W</c>.</summary>
    public virtual string ChildLabel(object? aux, int index) => $"[{index}]";

    /// <summary>
    /// The name of child <paramref name="index"/> in a dotted leaf path (<see cref="Tree.FlattenWithPaths"/>), e.g. <c>2</c>
    /// or <c>W</c>; null when the node adds no name of its own (an option's one child).
    /// </summary>
    public virtual string? PathSegment(object? aux, int index) => index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether two nodes of this kind carry the same static data.</summary>
    public virtual bool AuxEquals(object? a, object? b) => StaticValues.Equal(a, b);

    /// <summary>Same way of building the same type (instances may differ after a registration clears the caches).</summary>
    public bool SameKindAs(NodeKind other) => GetType() == other.GetType() && Type == other.Type;

    /// <summary>Pieces <c>open</c>, separators, <c>close</c> around <paramref name="arity"/> children.</summary>
    protected static string[] Bracketed(string open, int arity, string close)
    {
        if (arity == 0) return [open + close];
        var pieces = new string[arity + 1];
        pieces[0] = open;
        for (var i = 1; i < arity; i++) pieces[i] = ", ";
        pieces[arity] = close;
        return pieces;
    }
}

/// <summary>A tensor: the only kind of leaf.</summary>
internal sealed class LeafKind : NodeKind
{
    public static readonly LeafKind Instance = new();
    private LeafKind() : base(typeof(Tensor)) { }
    public override (IReadOnlyList<object?>, object?) Decompose(object value) => throw new InvalidOperationException("a leaf has no children");
    public override object? Build(object? aux, object?[] children) => throw new InvalidOperationException("leaves are placed, not built");
    public override string[] Layout(object? aux, int arity) => ["*"];
}

/// <summary>A null (also F#'s None): an empty node, rebuilt as null.</summary>
internal sealed class NoneKind : NodeKind
{
    public static readonly NoneKind Instance = new();
    private NoneKind() : base(typeof(object)) { }
    public override (IReadOnlyList<object?>, object?) Decompose(object value) => throw new InvalidOperationException("null has no children");
    public override object? Build(object? aux, object?[] children) => null;
    public override string[] Layout(object? aux, int arity) => ["null"];
}

/// <summary>A value holding no tensors (an int, a string, a settings object): kept as is and put back as is.</summary>
internal sealed class StaticKind : NodeKind
{
    public static readonly StaticKind Instance = new();
    private StaticKind() : base(typeof(object)) { }
    public override (IReadOnlyList<object?>, object?) Decompose(object value) => throw new InvalidOperationException("a static value has no children");
    public override object? Build(object? aux, object?[] children) => aux;
    public override string[] Layout(object? aux, int arity) => [StaticValues.Format(aux)];
}

/// <summary>A one-dimensional array <c>T[]</c> of subtrees, rebuilt as a new <c>T[]</c>.</summary>
internal sealed class ArrayKind(Type arrayType) : NodeKind(arrayType)
{
    private readonly Type _element = arrayType.GetElementType()!;

    public override (IReadOnlyList<object?>, object?) Decompose(object value)
    {
        // Arrays of references are already object[] by array covariance: no copy for the common Tensor[].
        if (value is object?[] references) return (references, null);
        var array = (Array)value;
        var boxed = new object?[array.Length];
        array.CopyTo(boxed, 0);
        return (boxed, null);
    }

    public override object? Build(object? aux, object?[] children)
    {
        var array = Array.CreateInstance(_element, children.Length);
        Array.Copy(children, array, children.Length);
        return array;
    }

    public override string[] Layout(object? aux, int arity) => Bracketed("[", arity, "]");
}

/// <summary>A <c>ValueTuple</c> or <c>System.Tuple</c> (also F#'s tuples) of any arity; the nested rest tuples of long ones are hidden.</summary>
internal sealed class TupleKind(Type tupleType) : NodeKind(tupleType)
{
    private readonly bool _isValueTuple = tupleType.IsValueType;

    public override (IReadOnlyList<object?>, object?) Decompose(object value)
    {
        // ITuple indexes through the rest tuples: element 8 of a 10-tuple is Rest.Item1.
        var tuple = (ITuple)value;
        var items = new object?[tuple.Length];
        for (var i = 0; i < items.Length; i++) items[i] = tuple[i];
        return (items, null);
    }

    public override object? Build(object? aux, object?[] children) => Construct(Type, children, 0);

    private static object Construct(Type type, object?[] items, int start)
    {
        var arguments = type.GetGenericArguments();
        var values = new object?[arguments.Length];
        if (arguments.Length == 8)
        {
            Array.Copy(items, start, values, 0, 7);
            values[7] = Construct(arguments[7], items, start + 7);
        }
        else
        {
            Array.Copy(items, start, values, 0, arguments.Length);
        }
        return Activator.CreateInstance(type, values)!;
    }

    public override string[] Layout(object? aux, int arity) => Bracketed(_isValueTuple ? "(" : "Tuple(", arity, ")");

    public override string ChildLabel(object? aux, int index) => $".Item{index + 1}";

    public override string? PathSegment(object? aux, int index) => $"Item{index + 1}";
}

/// <summary>A type registered with <see cref="Tree.RegisterNode{T}"/>: the user's functions take it apart and rebuild it.</summary>
internal sealed class CustomKind(Type type, Func<object, (IEnumerable<object?> Children, object? Aux)> flatten, Func<object?, object?[], object?> unflatten)
    : NodeKind(type)
{
    public override (IReadOnlyList<object?>, object?) Decompose(object value)
    {
        var (children, aux) = flatten(value);
        if (children is null)
            throw new InvalidOperationException($"Tree: the flatten function registered for {TypeNames.Of(Type)} returned null children; return an empty sequence instead");
        return ([.. children], aux);
    }

    public override object? Build(object? aux, object?[] children) => unflatten(aux, children);

    public override string[] Layout(object? aux, int arity)
    {
        var open = new StringBuilder(TypeNames.Short(Type));
        if (aux is not null) open.Append('<').Append(StaticValues.Format(aux)).Append('>');
        return Bracketed(open.Append('(').ToString(), arity, ")");
    }
}
