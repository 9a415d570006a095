namespace Autodiff;

/// <summary>
/// Function transforms in the style of JAX: each takes a function and returns its derivative as another
/// function. They nest to any order and work over parameter trees (see <see cref="Tree"/>).
/// </summary>
public static class Grad
{
    /// <summary>
    /// Evaluates <paramref name="f"/> at <paramref name="x"/> and returns the value with a pullback that maps
    /// an output cotangent (same tree shape as the output) to the input cotangent (same tree shape as x).
    /// </summary>
    /// <remarks>
    /// The pullback may be called any number of times. The intermediates each call creates go back to the buffer
    /// pool when it returns (when no transform encloses the call), except those its result refers to.
    /// </remarks>
    public static (TOut Value, Func<TOut, TIn> Pullback) Vjp<TIn, TOut>(Func<TIn, TOut> f, TIn x)
    {
        var trace = ReverseTrace<TIn, TOut>.Run(f, x, forwardLog: null);
        return (trace.Value, trace.Pullback);
    }

    /// <summary>
    /// <see cref="Vjp{TIn, TOut}"/> whose pullback is called once, right away, by the transform itself. When no
    /// transform encloses it, the traced intermediates that no result refers to then go back to the buffer pool.
    /// </summary>
    private static (TOut Value, TIn Cotangent) VjpOnce<TIn, TOut>(Func<TIn, TOut> f, TIn x, Func<TOut, TOut> seed, Func<TOut, object?> alsoKept)
    {
        // Only an outermost transform may release: an enclosing level may have recorded any of these tensors.
        var forwardLog = Interpreter.Current is null ? AllocationLog.Open() : null;
        ReverseTrace<TIn, TOut> trace;
        try
        {
            trace = ReverseTrace<TIn, TOut>.Run(f, x, forwardLog);
        }
        catch
        {
            forwardLog?.Close();
            throw;
        }
        if (forwardLog is null) return (trace.Value, trace.InDef.Unflatten<TIn>(trace.PullbackReleasing(seed(trace.Value))));

        Tensor[] cotangents;
        try
        {
            cotangents = trace.PullbackReleasing(seed(trace.Value));
        }
        catch
        {
            forwardLog.Close();
            throw;
        }
        trace.Level.MarkTapeOutputs(forwardLog);
        trace.Level.Finish();
        // The results are the value, what the caller also returns (aux) and the cotangents; the traced intermediates
        // none of them refers to are dead. An aux the flattener cannot take apart may hide tensors: then keep everything.
        Tensor[] alsoKeptLeaves;
        try
        {
            alsoKeptLeaves = Tree.Leaves(alsoKept(trace.Value));
        }
        catch (NotSupportedException)
        {
            forwardLog.Close();
            return (trace.Value, trace.InDef.Unflatten<TIn>(cotangents));
        }
        foreach (var t in trace.Outputs) forwardLog.MarkKept(t);
        foreach (var t in cotangents) forwardLog.MarkKept(t);
        foreach (var t in alsoKeptLeaves) forwardLog.MarkKept(t);
        forwardLog.ReleaseAndClose(onlyTraced: true);
        return (trace.Value, trace.InDef.Unflatten<TIn>(cotangents));
    }

    /// <summary>One reverse-mode trace: the level, its inputs and outputs, and the pullback over them.</summary>
    private sealed class ReverseTrace<TIn, TOut>
    {
        public required VjpInterpreter Level { get; init; }
        public required TOut Value { get; init; }
        public required Tensor[] Inputs { get; init; }
        public required TreeDef InDef { get; init; }
        public required Tensor[] Outputs { get; init; }
        public required TreeDef OutDef { get; init; }

        /// <summary>Traces <paramref name="f"/> at <paramref name="x"/>, recording its allocations in <paramref name="forwardLog"/> if given.</summary>
        public static ReverseTrace<TIn, TOut> Run(Func<TIn, TOut> f, TIn x, AllocationLog? forwardLog)
        {
            ArgumentNullException.ThrowIfNull(f);
            var (leaves, def) = Tree.Flatten(x);
            var level = new VjpInterpreter(Interpreter.Current);
            // Fresh identities for the inputs, bound below the new level so that enclosing transforms see them derived from x.
            var inputs = Array.ConvertAll(leaves, leaf => IdentityOp.Instance.Bind(OpParams.None, leaf));
            foreach (var input in inputs)
                if (input.DType.IsFloat()) level.Track(input);
            TOut Body() => Interpreter.RunWith(level, () => f(def.Unflatten<TIn>(inputs)));
            var value = forwardLog is null ? Body() : forwardLog.Record(Body);
            RequireSynchronous("Vjp", value);
            var (outputs, outDef) = Tree.Flatten(value);
            return new() { Level = level, Value = value, Inputs = inputs, InDef = def, Outputs = outputs, OutDef = outDef };
        }

        /// <summary>The pullback as <see cref="Vjp{TIn, TOut}"/> returns it.</summary>
        public TIn Pullback(TOut cotangent) => InDef.Unflatten<TIn>(PullbackReleasing(cotangent));

        /// <summary>
        /// Runs the pullback. When no transform is watching, the intermediates it creates go back to the pool as it
        /// returns, except those the cotangents refer to.
        /// </summary>
        public Tensor[] PullbackReleasing(TOut cotangent)
        {
            var (seeds, seedDef) = Tree.Flatten(cotangent);
            Tree.RequireSame("Vjp pullback", ("output", OutDef), ("cotangent", seedDef));
            for (var i = 0; i < seeds.Length; i++)
                if (!Shapes.Equal(seeds[i].Dims, Outputs[i].Dims) || seeds[i].DType != Outputs[i].DType)
                    throw new ArgumentException($"Vjp pullback: cotangent leaf {i} is {seeds[i].DType.Name()} {seeds[i].ShapeText} but the output is {Outputs[i].DType.Name()} {Outputs[i].ShapeText}");
            if (Interpreter.Current is not null) return Level.Pullback(Outputs, seeds, Inputs);

            var log = AllocationLog.Open();
            Tensor[] result;
            try
            {
                result = log.Record(() => Level.Pullback(Outputs, seeds, Inputs));
            }
            catch
            {
                log.Close();
                throw;
            }
            foreach (var t in result) log.MarkKept(t);
            log.ReleaseAndClose(onlyTraced: false);
            return result;
        }
    }

    /// <summary>
    /// Forward mode: evaluates <paramref name="f"/> at <paramref name="x"/> and pushes the tangent
    /// <paramref name="v"/> (same tree shape as x) through it in the same pass. Returns the value and its tangent.
    /// </summary>
    public static (TOut Value, TOut Tangent) Jvp<TIn, TOut>(Func<TIn, TOut> f, TIn x, TIn v)
    {
        ArgumentNullException.ThrowIfNull(f);
        var (leaves, def) = Tree.Flatten(x);
        var (tangents, tangentDef) = Tree.Flatten(v);
        Tree.RequireSame("Jvp", ("input", def), ("tangent", tangentDef));
        var level = new JvpInterpreter(Interpreter.Current);
        var inputs = Array.ConvertAll(leaves, leaf => IdentityOp.Instance.Bind(OpParams.None, leaf));
        for (var i = 0; i < inputs.Length; i++)
        {
            if (!inputs[i].DType.IsFloat()) continue;
            if (!Shapes.Equal(inputs[i].Dims, tangents[i].Dims) || inputs[i].DType != tangents[i].DType)
                throw new ArgumentException($"Jvp: tangent leaf {i} is {tangents[i].DType.Name()} {tangents[i].ShapeText} but the primal is {inputs[i].DType.Name()} {inputs[i].ShapeText}");
            level.Seed(inputs[i], tangents[i]);
        }
        var value = Interpreter.RunWith(level, () => f(def.Unflatten<TIn>(inputs)));
        RequireSynchronous("Jvp", value);
        var (outputs, outDef) = Tree.Flatten(value);
        var outTangents = Array.ConvertAll(outputs, o => level.TangentOf(o) ?? Tensor.ZerosLike(o));
        return (value, outDef.Unflatten<TOut>(outTangents));
    }

    /// <summary>
    /// Returns a function computing the scalar <paramref name="loss"/> and its gradient with respect to
    /// every tensor leaf of the parameter tree, in the same tree shape.
    /// </summary>
    /// <remarks>
    /// Called outside any other transform, it gives the intermediates of the loss and of the backward pass back to a
    /// buffer pool when it returns, so a training loop allocates little per step. A tensor computed inside the loss
    /// and kept by a side effect (stored in a captured variable) then throws on use; return it as aux instead.
    /// </remarks>
    public static Func<TParams, (Tensor Value, TParams Grad)> ValueAndGrad<TParams>(Func<TParams, Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return parameters =>
        {
            var (value, grad) = VjpOnce(loss, parameters, ScalarSeed, NothingElse);
            return (value, grad);
        };
    }

    private static Tensor ScalarSeed(Tensor value)
    {
        RequireScalar("ValueAndGrad", value);
        return Tensor.OnesLike(value);
    }

    private static object? NothingElse(Tensor value) => null;

    /// <summary>
    /// Like <see cref="ValueAndGrad{TParams}(Func{TParams, Tensor})"/> for a loss that also returns auxiliary
    /// data (JAX's has_aux): the auxiliary value is passed through and not differentiated.
    /// </summary>
    /// <remarks>The auxiliary value is a result: its tensors are never given back to the pool.</remarks>
    public static Func<TParams, (Tensor Value, TAux Aux, TParams Grad)> ValueAndGrad<TParams, TAux>(Func<TParams, (Tensor Loss, TAux Aux)> loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return parameters =>
        {
            TAux aux = default!;
            var (value, grad) = VjpOnce<TParams, Tensor>(p =>
            {
                var (l, a) = loss(p);
                aux = a;
                return l;
            }, parameters, ScalarSeed, _ => aux);
            return (value, aux, grad);
        };
    }

    /// <summary>
    /// Evaluates <paramref name="f"/> at <paramref name="x"/> with no derivative, as a plain call would, but when no
    /// transform encloses the call, the tensors <paramref name="f"/> allocated that the result does not refer to go back
    /// to the buffer pool when it returns: an inference pass or an optimizer update then reuses the previous call's
    /// buffers instead of leaving them to the garbage collector (PyTorch frees them by reference counting; .NET cannot).
    /// </summary>
    /// <remarks>
    /// As with <see cref="ValueAndGrad{TParams}(Func{TParams, Tensor})"/>, a tensor computed inside <paramref name="f"/>
    /// and kept by a side effect (stored in a captured variable) throws on use afterwards; return it instead. Tensors
    /// that existed before the call, such as <paramref name="x"/>'s leaves, are never touched. Inside a transform this
    /// is a plain call.
    /// </remarks>
    public static TOut Evaluate<TIn, TOut>(Func<TIn, TOut> f, TIn x)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (Interpreter.Current is not null) return f(x);
        var log = AllocationLog.Open();
        TOut value;
        try
        {
            value = log.Record(() => f(x));
            RequireSynchronous("Evaluate", value);
        }
        catch
        {
            log.Close();
            throw;
        }
        Tensor[] kept;
        try
        {
            kept = Tree.Leaves(value);
        }
        catch (NotSupportedException)
        {
            // A result the flattener cannot take apart may hide tensors: keep everything.
            log.Close();
            return value;
        }
        foreach (var t in kept) log.MarkKept(t);
        log.ReleaseAndClose(onlyTraced: false);
        return value;
    }

    /// <summary>The gradient of a scalar function (JAX's grad), in the tree shape of its argument.</summary>
    public static Func<TParams, TParams> Gradient<TParams>(Func<TParams, Tensor> f)
    {
        var valueAndGrad = ValueAndGrad(f);
        return x => valueAndGrad(x).Grad;
    }

    /// <summary>The Jacobian by reverse mode (one pullback per output element): shape output.shape + input.shape.</summary>
    public static Func<Tensor, Tensor> JacobianReverse(Func<Tensor, Tensor> f) => x =>
    {
        var (y, pullback) = Vjp(f, x);
        if (!y.DType.IsFloat())
            throw new ArgumentException($"JacobianReverse: the function returned {y.DType.Name()} {y.ShapeText}, which has no derivative; it must return float32 or float64");
        var rows = new Tensor[y.Size];
        for (var i = 0; i < rows.Length; i++) rows[i] = pullback(Tensor.BasisVector(y, i)).Reshape(-1);
        // No output elements means no rows to stack: the Jacobian is empty, in the dtype the rows would have had.
        if (rows.Length == 0) return Tensor.Zeros(x.DType, [.. y.ShapeArray, .. x.ShapeArray]);
        return Tensor.Stack(rows, axis: 0).Reshape([.. y.ShapeArray, .. x.ShapeArray]);
    };

    /// <summary>The Jacobian by forward mode (one JVP per input element): shape output.shape + input.shape.</summary>
    public static Func<Tensor, Tensor> JacobianForward(Func<Tensor, Tensor> f) => x =>
    {
        if (!x.DType.IsFloat())
            throw new ArgumentException($"JacobianForward: the input is {x.DType.Name()} {x.ShapeText}, which carries no tangent; it must be float32 or float64");
        var columns = new Tensor[x.Size];
        int[] yShape = [];
        for (var j = 0; j < columns.Length; j++)
        {
            var (y, t) = Jvp(f, x, Tensor.BasisVector(x, j));
            yShape = y.ShapeArray;
            columns[j] = t.Reshape(-1);
        }
        if (columns.Length == 0) return Jacobian0(f, x);
        return Tensor.Stack(columns, axis: 1).Reshape([.. yShape, .. x.ShapeArray]);
    };

    private static Tensor Jacobian0(Func<Tensor, Tensor> f, Tensor x)
    {
        var y = f(x);
        return Tensor.Zeros(y.DType, [.. y.ShapeArray, .. x.ShapeArray]);
    }

    /// <summary>The Jacobian (reverse mode, JAX's jacrev).</summary>
    public static Func<Tensor, Tensor> Jacobian(Func<Tensor, Tensor> f) => JacobianReverse(f);

    /// <summary>The Hessian of a scalar function, forward-over-reverse: shape x.shape + x.shape.</summary>
    public static Func<Tensor, Tensor> Hessian(Func<Tensor, Tensor> f) => JacobianForward(Gradient(f));

    /// <summary>H·v for a scalar function without forming H: forward mode over the reverse-mode gradient.</summary>
    public static TParams HessianVectorProduct<TParams>(Func<TParams, Tensor> f, TParams x, TParams v) =>
        Jvp(Gradient(f), x, v).Tangent;

    /// <summary>The same values as <paramref name="x"/>, treated as a constant by every transform.</summary>
    public static Tensor StopGradient(Tensor x) => x.AsConstant();

    /// <summary>
    /// Wraps <paramref name="f"/> so that reverse mode uses <paramref name="vjp"/> instead of differentiating
    /// f's body (JAX's custom_vjp). The rule gets (inputs, output, output cotangent) and returns one cotangent
    /// per input; write it in tensor ops so that higher derivatives work.
    /// </summary>
    public static Func<Tensor[], Tensor> CustomVjp(Func<Tensor[], Tensor> f, Func<Tensor[], Tensor, Tensor, Tensor[]> vjp)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(vjp);
        var p = new CustomVjpParams(f, vjp);
        return x => CustomVjpOp.Instance.Bind(p, x);
    }

    /// <summary>
    /// Throws for a task result. A task is not a tree node, so its tensors would be static data: the pullback would
    /// silently return zeros and the tangent would be the task itself.
    /// </summary>
    private static void RequireSynchronous(string transform, object? value)
    {
        var type = value?.GetType();
        var isTask = value is Task || value is ValueTask
            || (type is { IsGenericType: true } && type.GetGenericTypeDefinition() == typeof(ValueTask<>));
        if (isTask)
            throw new ArgumentException($"{transform}: the function returned a {TypeNames.Of(type!)}, which holds no tensors a transform can see; transforms trace synchronously, so wait for the result inside the function (e.g. .GetAwaiter().GetResult()) and return the tensors");
    }

    private static void RequireScalar(string transform, Tensor value)
    {
        if (value.Rank != 0)
            throw new ArgumentException($"{transform}: the loss must be a scalar (rank 0), but the function returned {value.DType.Name()} {value.ShapeText}; reduce it (e.g. .Sum() or .Mean()) or use Grad.Vjp");
        if (!value.DType.IsFloat())
            throw new ArgumentException($"{transform}: the loss must be float32 or float64, but the function returned {value.DType.Name()}");
    }
}
