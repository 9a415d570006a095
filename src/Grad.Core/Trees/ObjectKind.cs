using System.Reflection;
using System.Text;

namespace Autodiff;

/// <summary>The static data of a record or class node: its non-tree property values, and the original when rebuilt by cloning.</summary>
internal sealed record ObjectAux(object?[] Statics, object? Template);

/// <summary>
/// A public member of a record or class with storage of its own: a property backed by a field, a setter or a
/// constructor parameter, or a public field.
/// </summary>
internal sealed class StoredMember(PropertyInfo? property, FieldInfo? field, bool isChild)
{
    /// <summary>The property, or null for a public field.</summary>
    public PropertyInfo? Property { get; } = property;

    /// <summary>The public field, or the field a property's getter returns when it could be found.</summary>
    public FieldInfo? Field { get; } = field;

    /// <summary>Whether the member's type may hold tensors, making its value a subtree rather than static data.</summary>
    public bool IsChild { get; } = isChild;

    public string Name => Property?.Name ?? Field!.Name;

    public Type MemberType => Property?.PropertyType ?? Field!.FieldType;

    public bool CanAssign => Field is not null || Property!.SetMethod is not null;

    public object? Read(object target)
    {
        try
        {
            return Property is null ? Field!.GetValue(target) : Property.GetValue(target);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } cause)
        {
            throw new InvalidOperationException($"Tree: reading {TypeNames.Of(target.GetType())}.{Name} threw {cause.GetType().Name}: {cause.Message}", cause);
        }
    }

    public void Assign(object target, object? value, bool preferField)
    {
        if (Field is not null && (preferField || Property?.SetMethod is null)) Field.SetValue(target, value);
        else Property!.SetValue(target, value);
    }
}

/// <summary>
/// A record, class or struct whose public properties (or public fields) hold tensors. Members whose type may hold
/// tensors are subtrees; the rest (numbers, strings, settings) are static data carried into the rebuilt value. Rebuilt, in order of
/// preference, by a constructor whose parameters are named like the properties (positional records, F# records),
/// then by the parameterless constructor and the setters (init-only ones too), else by cloning the original and
/// assigning the subtree properties' backing fields.
/// </summary>
internal sealed class ObjectKind : NodeKind
{
    private static readonly MethodInfo CloneMethod =
        typeof(object).GetMethod(nameof(MemberwiseClone), BindingFlags.NonPublic | BindingFlags.Instance)!;

    private readonly StoredMember[] _members;   // declaration order, base class first
    private readonly int[] _children;              // indices of the subtree members
    private readonly int[] _statics;               // indices of the others
    private readonly ConstructorInfo? _constructor; // null: clone the original
    private readonly int[] _arguments;             // the member behind each constructor parameter
    private readonly int[] _assignedAfter;         // members the constructor does not take, assigned after it

    private ObjectKind(Type type, StoredMember[] members, ConstructorInfo? constructor, int[] arguments) : base(type)
    {
        _members = members;
        _children = [.. Enumerable.Range(0, members.Length).Where(i => members[i].IsChild)];
        _statics = [.. Enumerable.Range(0, members.Length).Where(i => !members[i].IsChild)];
        _constructor = constructor;
        _arguments = arguments;
        _assignedAfter = [.. Enumerable.Range(0, members.Length).Where(i => !arguments.Contains(i) && members[i].CanAssign)];
    }

    public override (IReadOnlyList<object?>, object?) Decompose(object value)
    {
        var children = Array.ConvertAll(_children, i => _members[i].Read(value));
        var statics = Array.ConvertAll(_statics, i => _members[i].Read(value));
        return (children, new ObjectAux(statics, _constructor is null ? value : null));
    }

    public override object? Build(object? aux, object?[] children)
    {
        var (statics, template) = (ObjectAux)aux!;
        var values = new object?[_members.Length];
        for (var k = 0; k < _children.Length; k++) values[_children[k]] = children[k];
        for (var k = 0; k < _statics.Length; k++) values[_statics[k]] = statics[k];

        if (_constructor is null)
        {
            // No usable constructor: copy the original (private state included) and replace its subtrees.
            var clone = CloneMethod.Invoke(template, null)!;
            foreach (var i in _children) _members[i].Assign(clone, values[i], preferField: true);
            return clone;
        }
        var built = _constructor.Invoke(Array.ConvertAll(_arguments, i => values[i]));
        foreach (var i in _assignedAfter) _members[i].Assign(built, values[i], preferField: false);
        return built;
    }

    public override bool AuxEquals(object? a, object? b)
    {
        var (x, y) = (((ObjectAux)a!).Statics, ((ObjectAux)b!).Statics);
        for (var i = 0; i < x.Length; i++)
            if (!StaticValues.Equal(x[i], y[i])) return false;
        return true;
    }

    public override string[] Layout(object? aux, int arity)
    {
        var statics = ((ObjectAux)aux!).Statics;
        var pieces = new List<string>();
        var current = new StringBuilder(TypeNames.Short(Type)).Append('(');
        var nextStatic = 0;
        for (var i = 0; i < _members.Length; i++)
        {
            if (i > 0) current.Append(", ");
            current.Append(_members[i].Name).Append(": ");
            if (_members[i].IsChild)
            {
                pieces.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(StaticValues.Format(statics[nextStatic++]));
            }
        }
        pieces.Add(current.Append(')').ToString());
        return [.. pieces];
    }

    public override string ChildLabel(object? aux, int index) => "." + _members[_children[index]].Name;

    public override string? PathSegment(object? aux, int index) => _members[_children[index]].Name;

    /// <summary>
    /// A kind for <paramref name="type"/> when one of its stored public members may hold tensors, else null (the type is static data).
    /// Throws when such a type cannot be rebuilt.
    /// </summary>
    public static ObjectKind? TryCreate(Type type, Func<Type, bool> mayHoldTensors)
    {
        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
        var parameterNames = constructors.SelectMany(c => c.GetParameters()).Select(p => p.Name ?? "").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var stored = new List<StoredMember>();
        foreach (var member in PublicMembers(type))
        {
            if (member is FieldInfo publicField)
            {
                stored.Add(new StoredMember(null, publicField, mayHoldTensors(publicField.FieldType)));
                continue;
            }
            var property = (PropertyInfo)member;
            var field = BackingFields.Find(property);
            // No field, setter or constructor parameter: computed from the others (e.g. `Tensor WT => W.T()`), so not part of the tree.
            if (field is null && property.SetMethod is null && !parameterNames.Contains(property.Name)) continue;
            stored.Add(new StoredMember(property, field, mayHoldTensors(property.PropertyType)));
        }
        if (!stored.Any(p => p.IsChild)) return null;
        var members = stored.ToArray();

        ConstructorInfo? best = null;
        int[] bestArguments = [];
        foreach (var constructor in constructors)
        {
            if (MatchParameters(constructor, members) is not { } arguments) continue;
            var rebuildsAll = Enumerable.Range(0, members.Length)
                .All(i => !members[i].IsChild || members[i].CanAssign || arguments.Contains(i));
            if (!rebuildsAll) continue;
            var better = best is null || arguments.Length > bestArguments.Length
                || (arguments.Length == bestArguments.Length && constructor.IsPublic && !best.IsPublic);
            if (better) (best, bestArguments) = (constructor, arguments);
        }
        if (best is null)
        {
            var stuck = members.Where(p => p.IsChild && !p.CanAssign).Select(p => p.Name).ToArray();
            if (stuck.Length > 0)
                throw new NotSupportedException($"Tree: cannot rebuild a {TypeNames.Of(type)}: its members {string.Join(", ", stuck)} have no setter, no backing field that could be found and no constructor parameter of the same name; add one, or register the type with Tree.RegisterNode");
        }
        return new ObjectKind(type, members, best, bestArguments);
    }

    /// <summary>The property index for each parameter of <paramref name="constructor"/> (names compared ignoring case), or null if one has no match.</summary>
    private static int[]? MatchParameters(ConstructorInfo constructor, StoredMember[] members)
    {
        var parameters = constructor.GetParameters();
        var arguments = new int[parameters.Length];
        for (var p = 0; p < parameters.Length; p++)
        {
            var name = parameters[p].Name;
            var match = Array.FindIndex(members, s => s.Name == name);
            if (match < 0) match = Array.FindIndex(members, s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
            if (match < 0 || arguments.AsSpan(0, p).Contains(match)) return null;
            if (!parameters[p].ParameterType.IsAssignableFrom(members[match].MemberType)) return null;
            arguments[p] = match;
        }
        return arguments;
    }

    /// <summary>
    /// Public readable instance properties without indexers and public instance fields, base class first, then in
    /// declaration order (fields before properties).
    /// </summary>
    private static IEnumerable<MemberInfo> PublicMembers(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(p => (p.GetMethod is { IsPublic: true } || IsFSharpField(p)) && p.GetIndexParameters().Length == 0)
            .Cast<MemberInfo>()
            .Concat(type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            .GroupBy(m => m.Name)
            .Select(hiding => hiding.OrderByDescending(m => Depth(m.DeclaringType)).First())
            .OrderBy(m => Depth(m.DeclaringType))
            .ThenBy(m => m.MetadataToken);

    /// <summary>
    /// A field of an F# record or union case. F# compiles the fields of a <c>private</c> or <c>internal</c> record
    /// as non-public properties; they are still the record's data, and skipping them would silently drop tensors.
    /// </summary>
    private static bool IsFSharpField(PropertyInfo property) =>
        property.GetCustomAttributesData().Any(a => a.AttributeType.FullName == "Microsoft.FSharp.Core.CompilationMappingAttribute");

    private static int Depth(Type? type)
    {
        var depth = 0;
        for (; type is not null; type = type.BaseType) depth++;
        return depth;
    }
}

/// <summary>Finds the field behind a property: by the C# and F# compilers' naming, else by reading the getter's IL.</summary>
internal static class BackingFields
{
    private const byte Nop = 0x00, LdArg0 = 0x02, LdFld = 0x7B;
    private static readonly byte[] Return = [0x2A];                          // ret
    private static readonly byte[] DebugReturn = [0x0A, 0x2B, 0x00, 0x06, 0x2A]; // stloc.0; br.s +0; ldloc.0; ret

    public static FieldInfo? Find(PropertyInfo property)
    {
        var declaring = property.DeclaringType!;
        foreach (var name in new[] { $"<{property.Name}>k__BackingField", property.Name + "@" })
            if (FieldOn(declaring, name) is { } field) return field;
        return property.GetMethod is { } getter ? ReturnedBy(getter) : null;
    }

    private static FieldInfo? FieldOn(Type? type, string name)
    {
        const BindingFlags Flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        for (; type is not null; type = type.BaseType)
            if (type.GetField(name, Flags) is { } field) return field;
        return null;
    }

    /// <summary>The field a getter of the form <c>get => _field;</c> returns, or null for any other getter.</summary>
    private static FieldInfo? ReturnedBy(MethodInfo getter)
    {
        try
        {
            var il = getter.GetMethodBody()?.GetILAsByteArray();
            if (il is null) return null;
            var i = SkipNops(il, 0);
            if (i >= il.Length || il[i] != LdArg0) return null;
            i = SkipNops(il, i + 1);
            if (i + 5 > il.Length || il[i] != LdFld) return null;
            var token = BitConverter.ToInt32(il, i + 1);
            var tail = il.AsSpan(SkipNops(il, i + 5));
            if (!tail.SequenceEqual(Return) && !tail.SequenceEqual(DebugReturn)) return null;
            var declaring = getter.DeclaringType!;
            var field = getter.Module.ResolveField(token, declaring.IsGenericType ? declaring.GetGenericArguments() : null, null);
            return field is null || field.IsStatic ? null : FieldOn(declaring, field.Name);
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    private static int SkipNops(byte[] il, int i)
    {
        while (i < il.Length && il[i] == Nop) i++;
        return i;
    }
}
