using System.Collections;
using System.Globalization;
using System.Text;

namespace Autodiff;

/// <summary>Equality and display of the non-tensor values a tree carries (its static data and dictionary keys).</summary>
internal static class StaticValues
{
    /// <summary>
    /// Value equality as JAX compares treedef aux data: <c>Equals</c>, and element by element for arrays and other
    /// collections, so that two models built alike (e.g. holding <c>int[] Sizes = [784, 128]</c>) have the same structure.
    /// </summary>
    public static bool Equal(object? a, object? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null) return false;
        if (a.Equals(b)) return true;
        if (a.GetType() != b.GetType()) return false;
        if (a is IStructuralEquatable structural) return structural.Equals(b, StructuralComparisons.StructuralEqualityComparer);
        if (a is IEnumerable first && b is IEnumerable second and not string) return SequenceEqual(first, second);
        return false;
    }

    private static bool SequenceEqual(IEnumerable a, IEnumerable b)
    {
        var x = a.GetEnumerator();
        var y = b.GetEnumerator();
        while (true)
        {
            var (more, alsoMore) = (x.MoveNext(), y.MoveNext());
            if (more != alsoMore) return false;
            if (!more) return true;
            if (!Equal(x.Current, y.Current)) return false;
        }
    }

    /// <summary>A short rendering: numbers and strings as literals, anything else by its type name.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        char c => $"'{c}'",
        Enum e => $"{e.GetType().Name}.{e}",
        IFormattable number when value.GetType().IsPrimitive || value is decimal => number.ToString(null, CultureInfo.InvariantCulture),
        _ => TypeNames.Of(value.GetType()),
    };

    private static string Quote(string s)
    {
        const int Longest = 40;
        var text = new StringBuilder("\"").Append(s.Length <= Longest ? s : s[..Longest] + "…").Append('"');
        return text.ToString();
    }
}

/// <summary>Type names as written in C#, for messages: <c>List&lt;Tensor&gt;</c>, <c>Linear[]</c>.</summary>
internal static class TypeNames
{
    /// <summary>The name with its type arguments.</summary>
    public static string Of(Type type)
    {
        if (type.IsArray) return Of(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        if (!type.IsGenericType) return type.Name;
        return Short(type) + "<" + string.Join(", ", type.GetGenericArguments().Select(Of)) + ">";
    }

    /// <summary>The name without type arguments: <c>List</c> for <c>List&lt;Tensor&gt;</c>.</summary>
    public static string Short(Type type)
    {
        var name = type.Name;
        // C# and F# anonymous types get compiler names like <>f__AnonymousType0`2.
        if (name.StartsWith("<>f__AnonymousType", StringComparison.Ordinal)) return "anonymous";
        // The compiler's read-only lists behind collection expressions: <>z__ReadOnlyArray`1 and the like.
        if (name.StartsWith("<>z__", StringComparison.Ordinal)) name = name[5..];
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
