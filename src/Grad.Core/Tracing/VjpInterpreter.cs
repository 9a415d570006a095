namespace Autodiff;

/// <summary>Reverse mode: records every op whose inputs depend on this level's inputs, in execution order.</summary>
internal sealed class VjpInterpreter(Interpreter? parent) : Interpreter(parent)
{
    private readonly record struct TapeEntry(Primitive Op, OpParams Params, Tensor[] Inputs, Tensor Output);

    private readonly List<TapeEntry> _tape = [];
    private readonly HashSet<Tensor> _tracked = new(ReferenceEqualityComparer.Instance);

    // Threads started inside the traced function inherit this level (the stack is an AsyncLocal) and bind ops
    // on it at once; one lock keeps the tape and the tracked set consistent with each other.
    private readonly Lock _gate = new();

    public void Track(Tensor input)
    {
        lock (_gate) _tracked.Add(input);
    }

    public bool IsTracked(Tensor t)
    {
        lock (_gate) return _tracked.Contains(t);
    }

    public override Tensor Apply(Primitive op, OpParams p, Tensor[] x)
    {
        var y = ApplyBelow(op, p, x);
        if (!op.IsDifferentiable || !y.DType.IsFloat()) return y;
        lock (_gate)
        {
            foreach (var input in x)
            {
                if (_tracked.Contains(input))
                {
                    _tape.Add(new TapeEntry(op, p, x, y));
                    _tracked.Add(y);
                    break;
                }
            }
        }
        return y;
    }

    /// <summary>
    /// Pulls cotangents of <paramref name="outputs"/> back to <paramref name="inputs"/>: one reverse loop over
    /// the tape (already in topological order), never recursion. Rules run on whatever stack is current,
    /// so an enclosing transform records them.
    /// </summary>
    public Tensor[] Pullback(Tensor[] outputs, Tensor[] outputCotangents, Tensor[] inputs)
    {
        var cotangents = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < outputs.Length; i++)
        {
            CheckLike(IdentityOp.Instance, "seed cotangent", outputCotangents[i], outputs[i]);
            Accumulate(cotangents, outputs[i], outputCotangents[i]);
        }

        for (var i = _tape.Count - 1; i >= 0; i--)
        {
            var entry = _tape[i];
            if (!cotangents.Remove(entry.Output, out var gy)) continue;
            var wanted = Array.ConvertAll(entry.Inputs, _tracked.Contains);
            var gx = entry.Op.Vjp(gy, entry.Inputs, entry.Output, entry.Params, wanted);
            for (var j = 0; j < entry.Inputs.Length; j++)
            {
                var g = gx[j];
                var input = entry.Inputs[j];
                if (g is null || !_tracked.Contains(input)) continue;
                CheckLike(entry.Op, $"VJP (input {j})", g, input);
                Accumulate(cotangents, input, g);
            }
        }

        var result = new Tensor[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
            result[i] = cotangents.GetValueOrDefault(inputs[i]) ?? Tensor.ZerosLike(inputs[i]);
        return result;
    }

    private static void Accumulate(Dictionary<Tensor, Tensor> cotangents, Tensor key, Tensor g) =>
        cotangents[key] = cotangents.TryGetValue(key, out var existing) ? existing + g : g;
}
