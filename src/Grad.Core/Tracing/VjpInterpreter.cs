namespace Autodiff;

/// <summary>Reverse mode: records every op whose inputs depend on this level's inputs, in execution order.</summary>
internal sealed class VjpInterpreter : Interpreter
{
    private readonly record struct TapeEntry(Primitive Op, OpParams Params, Tensor[] Inputs, Tensor Output);

    /// <summary>The tape, the tracked set and the cotangent table of a finished level, kept to be reused (one per thread).</summary>
    private sealed class Workspace
    {
        public readonly List<TapeEntry> Tape = [];
        public readonly HashSet<Tensor> Tracked = new(ReferenceEqualityComparer.Instance);
        public readonly Dictionary<Tensor, Tensor> Cotangents = new(ReferenceEqualityComparer.Instance);

        public void Clear()
        {
            Tape.Clear();
            Tracked.Clear();
            Cotangents.Clear();
        }
    }

    [ThreadStatic] private static Workspace? _spare;

    private Workspace? _workspace;
    private int _cotangentsInUse;

    // Threads started inside the traced function inherit this level (the stack is an AsyncLocal) and bind ops
    // on it at once; one lock keeps the tape and the tracked set consistent with each other.
    private readonly Lock _gate = new();

    public VjpInterpreter(Interpreter? parent) : base(parent)
    {
        _workspace = _spare ?? new Workspace();
        _spare = null;
    }

    private Workspace Open => _workspace
        ?? throw new InvalidOperationException("reverse mode: an op was applied to a transform that has already finished (a thread or callback started inside the differentiated function outlived it)");

    public void Track(Tensor input)
    {
        lock (_gate) Open.Tracked.Add(input);
    }

    public bool IsTracked(Tensor t)
    {
        lock (_gate) return Open.Tracked.Contains(t);
    }

    public override Tensor Apply(Primitive op, OpParams p, Tensor[] x)
    {
        var y = ApplyBelow(op, p, x);
        if (!op.IsDifferentiable || !y.DType.IsFloat()) return y;
        lock (_gate)
        {
            var workspace = Open;
            foreach (var input in x)
            {
                if (workspace.Tracked.Contains(input))
                {
                    workspace.Tape.Add(new TapeEntry(op, p, x, y));
                    workspace.Tracked.Add(y);
                    break;
                }
            }
        }
        return y;
    }

    /// <summary>Marks the buffer of every tape output as a traced intermediate in <paramref name="log"/> (if it allocated them).</summary>
    public void MarkTapeOutputs(AllocationLog log)
    {
        lock (_gate)
            foreach (var entry in Open.Tape) log.MarkTraced(entry.Output);
    }

    /// <summary>
    /// Ends the level: its tape can no longer be pulled back, and its collections are kept for the next level this
    /// thread creates. Only a transform that owns the pullback (and so knows it will not be called again) calls this.
    /// </summary>
    public void Finish()
    {
        lock (_gate)
        {
            var workspace = Open;
            _workspace = null;
            workspace.Clear();
            _spare ??= workspace;
        }
    }

    /// <summary>
    /// Pulls cotangents of <paramref name="outputs"/> back to <paramref name="inputs"/>: one reverse loop over
    /// the tape (already in topological order), never recursion. Rules run on whatever stack is current,
    /// so an enclosing transform records them.
    /// </summary>
    public Tensor[] Pullback(Tensor[] outputs, Tensor[] outputCotangents, Tensor[] inputs)
    {
        var workspace = Open;
        // Vjp's pullback may run on several threads at once: the reusable table goes to one call at a time.
        var shared = Interlocked.Exchange(ref _cotangentsInUse, 1) == 0;
        var cotangents = shared ? workspace.Cotangents : new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        var (tape, tracked) = (workspace.Tape, workspace.Tracked);
        try
        {
            for (var i = 0; i < outputs.Length; i++)
            {
                CheckLike(IdentityOp.Instance, "seed cotangent", outputCotangents[i], outputs[i]);
                Accumulate(cotangents, outputs[i], outputCotangents[i]);
            }

            for (var i = tape.Count - 1; i >= 0; i--)
            {
                var entry = tape[i];
                if (!cotangents.Remove(entry.Output, out var gy)) continue;
                var wanted = new bool[entry.Inputs.Length];
                for (var j = 0; j < wanted.Length; j++) wanted[j] = tracked.Contains(entry.Inputs[j]);
                var gx = entry.Op.Vjp(gy, entry.Inputs, entry.Output, entry.Params, wanted);
                for (var j = 0; j < entry.Inputs.Length; j++)
                {
                    var g = gx[j];
                    var input = entry.Inputs[j];
                    if (g is null || !wanted[j]) continue;
                    CheckInputCotangent(entry.Op, j, g, input);
                    Accumulate(cotangents, input, g);
                }
            }

            var result = new Tensor[inputs.Length];
            for (var i = 0; i < inputs.Length; i++)
                result[i] = cotangents.GetValueOrDefault(inputs[i]) ?? Tensor.ZerosLike(inputs[i]);
            return result;
        }
        finally
        {
            cotangents.Clear();
            if (shared) Volatile.Write(ref _cotangentsInUse, 0);
        }
    }

    /// <summary><see cref="Interpreter.CheckLike"/> for input <paramref name="j"/>, building the message only on failure.</summary>
    private static void CheckInputCotangent(Primitive op, int j, Tensor g, Tensor input)
    {
        if (!Shapes.Equal(g.Dims, input.Dims) || g.DType != input.DType) CheckLike(op, $"VJP (input {j})", g, input);
    }

    private static void Accumulate(Dictionary<Tensor, Tensor> cotangents, Tensor key, Tensor g) =>
        cotangents[key] = cotangents.TryGetValue(key, out var existing) ? existing + g : g;
}
