using System.Collections;
using System.Reflection;

namespace Autodiff;

/// <summary>
/// A list-like collection (<c>List&lt;T&gt;</c>, other <c>IList</c>/<c>IReadOnlyList</c> types, <c>ImmutableArray</c>,
/// <c>ImmutableList</c>, queues, stacks, …): its elements in enumeration order, rebuilt as the same concrete type.
/// </summary>
internal sealed class SequenceKind : NodeKind
{
    private readonly Func<object?[], object> _create;

    private SequenceKind(Type type, Func<object?[], object> create) : base(type) => _create = create;

    public override (IReadOnlyList<object?>, object?) Decompose(object value)
    {
        var items = new List<object?>();
        foreach (var item in (IEnumerable)value) items.Add(item);
        return (items, null);
    }

    public override object? Build(object? aux, object?[] children) => _create(children);

    public override string[] Layout(object? aux, int arity) => Bracketed(TypeNames.Short(Type) + "[", arity, "]");

    /// <summary>A kind for <paramref name="type"/> holding <paramref name="element"/>s, or null when no way to rebuild it is known.</summary>
    public static SequenceKind? TryCreate(Type type, Type element)
    {
        var create = ImmutableFactory(type, element)
            ?? AddingFactory(type, element)
            ?? CopyingFactory(type, element)
            ?? SingleElementFactory(type, element);
        return create is null ? null : new SequenceKind(type, create);
    }

    /// <summary>A kind for a non-generic <c>IList</c> such as <c>ArrayList</c>: a new instance, then <c>Add</c>.</summary>
    public static SequenceKind? TryCreateUntyped(Type type)
    {
        var constructor = type.GetConstructor(Type.EmptyTypes);
        if (constructor is null) return null;
        return new SequenceKind(type, items =>
        {
            var list = (IList)constructor.Invoke(null);
            foreach (var item in items) list.Add(item);
            return list;
        });
    }

    private static Func<object?[], object>? ImmutableFactory(Type type, Type element)
    {
        if (!type.IsGenericType) return null;
        var name = type.GetGenericTypeDefinition().FullName;
        if (name is not ("System.Collections.Immutable.ImmutableArray`1" or "System.Collections.Immutable.ImmutableList`1")) return null;
        var factory = type.Assembly.GetType(name[..^2])?
            .GetMethods(BindingFlags.Public | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == "CreateRange" && m.IsGenericMethodDefinition && m.GetParameters() is [{ ParameterType.IsGenericType: true } p]
                && p.ParameterType.GetGenericTypeDefinition() == typeof(IEnumerable<>))?
            .MakeGenericMethod(element);
        return factory is null ? null : items => factory.Invoke(null, [Typed(element, items, reverse: false)])!;
    }

    private static Func<object?[], object>? AddingFactory(Type type, Type element)
    {
        var constructor = type.GetConstructor(Type.EmptyTypes);
        if (constructor is null || !typeof(ICollection<>).MakeGenericType(element).IsAssignableFrom(type)) return null;
        return Generic.Call<Func<object?[], object>>(typeof(SequenceKind), nameof(Adding), [element], constructor);
    }

    private static Func<object?[], object> Adding<T>(ConstructorInfo constructor) => items =>
    {
        var collection = (ICollection<T>)constructor.Invoke(null);
        foreach (var item in items) collection.Add((T)item!);
        return collection;
    };

    /// <summary>A constructor taking the elements as one collection: <c>ReadOnlyCollection(IList)</c>, <c>Queue(IEnumerable)</c>, ….</summary>
    private static Func<object?[], object>? CopyingFactory(Type type, Type element)
    {
        // A stack enumerates from the top but its constructor pushes in order: feed it reversed.
        var reverse = type.IsGenericType && type.GetGenericTypeDefinition().FullName
            is "System.Collections.Generic.Stack`1" or "System.Collections.Concurrent.ConcurrentStack`1";
        var arrayType = element.MakeArrayType();
        var listType = typeof(List<>).MakeGenericType(element);
        foreach (var source in new[] { arrayType, listType })
        {
            var constructor = SingleParameterConstructor(type, p => p != typeof(object) && p != element && p.IsAssignableFrom(source));
            if (constructor is null) continue;
            if (source == arrayType) return items => constructor.Invoke([Typed(element, items, reverse)]);
            return items =>
            {
                var list = (IList)Activator.CreateInstance(listType)!;
                foreach (var item in items) list.Add(item);
                return constructor.Invoke([list]);
            };
        }
        return null;
    }

    /// <summary>The compiler's one-element list behind a collection expression like <c>IReadOnlyList&lt;T&gt; x = [a]</c>.</summary>
    private static Func<object?[], object>? SingleElementFactory(Type type, Type element)
    {
        if (!type.Name.StartsWith("<>z__", StringComparison.Ordinal)) return null;
        var constructor = SingleParameterConstructor(type, p => p == element);
        if (constructor is null) return null;
        return items => items.Length == 1
            ? constructor.Invoke([items[0]])
            : throw new ArgumentException($"a {TypeNames.Of(type)} holds exactly one element, got {items.Length}");
    }

    private static ConstructorInfo? SingleParameterConstructor(Type type, Func<Type, bool> accepts) =>
        type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(c => c.GetParameters() is [var p] && accepts(p.ParameterType))
            .OrderByDescending(c => c.IsPublic)
            .FirstOrDefault();

    private static Array Typed(Type element, object?[] items, bool reverse)
    {
        var array = Array.CreateInstance(element, items.Length);
        Array.Copy(items, array, items.Length);
        if (reverse) Array.Reverse(array);
        return array;
    }
}

/// <summary>The static data of a dictionary node: its keys in sorted order, and its key comparer if it has one.</summary>
internal sealed record DictionaryAux(object?[] Keys, object? Comparer);

/// <summary>
/// A dictionary (<c>Dictionary</c>, <c>SortedDictionary</c>, <c>ReadOnlyDictionary</c>, F#'s <c>Map</c>, any
/// <c>IDictionary</c>/<c>IReadOnlyDictionary</c> it can rebuild): its values in key order (ordinal for strings, as JAX
/// sorts dict keys), so that dictionaries with equal contents flatten alike whatever their insertion order.
/// </summary>
internal sealed class DictionaryKind : NodeKind
{
    private readonly Func<object, (object?[] Keys, object?[] Values)> _read;
    private readonly Func<object?[], object?[], object?, object> _create;
    private readonly PropertyInfo? _comparer;

    private DictionaryKind(Type type, Func<object, (object?[], object?[])> read, Func<object?[], object?[], object?, object> create, PropertyInfo? comparer)
        : base(type)
    {
        _read = read;
        _create = create;
        _comparer = comparer;
    }

    public override (IReadOnlyList<object?>, object?) Decompose(object value)
    {
        var (keys, values) = _read(value);
        return (values, new DictionaryAux(keys, _comparer?.GetValue(value)));
    }

    public override object? Build(object? aux, object?[] children)
    {
        var dictionary = (DictionaryAux)aux!;
        return _create(dictionary.Keys, children, dictionary.Comparer);
    }

    public override bool AuxEquals(object? a, object? b)
    {
        // The comparer is how to rebuild, not part of the structure: only the keys count.
        var (x, y) = (((DictionaryAux)a!).Keys, ((DictionaryAux)b!).Keys);
        if (x.Length != y.Length) return false;
        for (var i = 0; i < x.Length; i++)
            if (!StaticValues.Equal(x[i], y[i])) return false;
        return true;
    }

    public override string[] Layout(object? aux, int arity)
    {
        var keys = ((DictionaryAux)aux!).Keys;
        var open = (Type.IsGenericType && Type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? "" : TypeNames.Short(Type)) + "{";
        if (arity == 0) return [open + "}"];
        var pieces = new string[arity + 1];
        for (var i = 0; i < arity; i++) pieces[i] = (i == 0 ? open : ", ") + StaticValues.Format(keys[i]) + ": ";
        pieces[arity] = "}";
        return pieces;
    }

    public override string ChildLabel(object? aux, int index) => $"[{StaticValues.Format(((DictionaryAux)aux!).Keys[index])}]";

    /// <summary>The key itself: a string as it is, anything else as invariant-culture text.</summary>
    public override string? PathSegment(object? aux, int index) =>
        Convert.ToString(((DictionaryAux)aux!).Keys[index], System.Globalization.CultureInfo.InvariantCulture) ?? "";

    /// <summary>A kind for dictionary <paramref name="type"/>, or null when no way to rebuild it is known.</summary>
    public static DictionaryKind? TryCreate(Type type, Type key, Type value)
    {
        Type[] types = [key, value];
        var read = Generic.Call<Func<object, (object?[], object?[])>>(typeof(DictionaryKind), nameof(Reader), types);
        var comparer = type.GetProperty("Comparer", BindingFlags.Public | BindingFlags.Instance);
        var withComparer = comparer is null ? null : type.GetConstructor([comparer.PropertyType]);
        var parameterless = type.GetConstructor(Type.EmptyTypes);
        Func<object?[], object?[], object?, object>? create = null;
        if ((parameterless ?? withComparer) is not null && typeof(IDictionary<,>).MakeGenericType(types).IsAssignableFrom(type))
        {
            create = Generic.Call<Func<object?[], object?[], object?, object>>(typeof(DictionaryKind), nameof(Adding), types, withComparer, parameterless);
        }
        else if (SingleParameterConstructor(type, typeof(Dictionary<,>).MakeGenericType(types)) is { } wrapping)
        {
            // ReadOnlyDictionary and other wrappers around an IDictionary.
            create = Generic.Call<Func<object?[], object?[], object?, object>>(typeof(DictionaryKind), nameof(Wrapping), types, wrapping);
        }
        else if (SingleParameterConstructor(type, typeof(Tuple<,>).MakeGenericType(types).MakeArrayType()) is { } fromTuples)
        {
            // F#'s Map is built from a sequence of (key, value) tuples.
            create = Generic.Call<Func<object?[], object?[], object?, object>>(typeof(DictionaryKind), nameof(FromTuples), types, fromTuples);
        }
        return create is null ? null : new DictionaryKind(type, read, create, withComparer is null ? null : comparer);
    }

    private static ConstructorInfo? SingleParameterConstructor(Type type, Type argument) =>
        type.GetConstructors().FirstOrDefault(c => c.GetParameters() is [var p] && p.ParameterType != typeof(object) && p.ParameterType.IsAssignableFrom(argument));

    private static Func<object, (object?[], object?[])> Reader<TKey, TValue>() => dictionary =>
    {
        var pairs = ((IEnumerable<KeyValuePair<TKey, TValue>>)dictionary).ToArray();
        var keys = Array.ConvertAll(pairs, p => p.Key);
        var values = Array.ConvertAll(pairs, p => (object?)p.Value);
        var order = typeof(TKey) == typeof(string) ? (IComparer<TKey>)StringComparer.Ordinal : Comparer<TKey>.Default;
        try
        {
            Array.Sort(keys, values, order);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"Tree: the keys of a {TypeNames.Of(dictionary.GetType())} must be sortable (strings, numbers, IComparable) so that equal dictionaries flatten alike", e.InnerException ?? e);
        }
        return (Array.ConvertAll(keys, k => (object?)k), values);
    };

    private static Func<object?[], object?[], object?, object> Adding<TKey, TValue>(ConstructorInfo? withComparer, ConstructorInfo? parameterless) =>
        (keys, values, comparer) =>
        {
            var instance = withComparer is not null ? withComparer.Invoke([comparer]) : parameterless!.Invoke(null);
            var dictionary = (IDictionary<TKey, TValue>)instance;
            for (var i = 0; i < keys.Length; i++) dictionary.Add((TKey)keys[i]!, (TValue)values[i]!);
            return dictionary;
        };

    private static Func<object?[], object?[], object?, object> Wrapping<TKey, TValue>(ConstructorInfo constructor) where TKey : notnull =>
        (keys, values, comparer) =>
        {
            var inner = new Dictionary<TKey, TValue>(comparer as IEqualityComparer<TKey>);
            for (var i = 0; i < keys.Length; i++) inner.Add((TKey)keys[i]!, (TValue)values[i]!);
            return constructor.Invoke([inner]);
        };

    private static Func<object?[], object?[], object?, object> FromTuples<TKey, TValue>(ConstructorInfo constructor) =>
        (keys, values, _) =>
        {
            var pairs = new Tuple<TKey, TValue>[keys.Length];
            for (var i = 0; i < keys.Length; i++) pairs[i] = Tuple.Create((TKey)keys[i]!, (TValue)values[i]!);
            return constructor.Invoke([pairs]);
        };
}

/// <summary>Calls a private generic factory method for type arguments known only at run time.</summary>
internal static class Generic
{
    public static TResult Call<TResult>(Type owner, string method, Type[] typeArguments, params object?[] arguments) =>
        (TResult)owner.GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeArguments)
            .Invoke(null, arguments)!;
}
