namespace Autodiff.FSharp

open Autodiff

/// <summary>
/// camelCase, data-last twins of the methods of <c>Autodiff.Tensor</c>, so that pipelines read
/// <c>x |> Tensor.matmul w |> Tensor.relu |> Tensor.sum</c>. Each function is one line forwarding to C#.
/// </summary>
/// <remarks>
/// Naming and argument order:
/// <list type="bullet">
/// <item>The name is the C# name in camelCase (<c>MatMul</c> is <c>matmul</c>); F# keywords become <c>logicalAnd</c>, <c>logicalOr</c>, <c>logicalNot</c>.</item>
/// <item>Arguments keep C#'s order, except that the tensor the method is called on comes last (<c>x.Sub y</c> is <c>x |> Tensor.sub y</c>),
/// and a static method's tensors (<c>concat</c>, <c>stack</c>, <c>fullLike</c>) come last too.</item>
/// <item>Optional C# parameters take their defaults in the plain form; the <c>…With</c> form takes them all, in C#'s order
/// (<c>elu x</c>, <c>eluWith alpha x</c>; <c>uniform key shape</c>, <c>uniformWith key shape low high dtype</c>), and so does
/// the fuller overload of a creation function (<c>zeros shape</c>, <c>zerosWith dtype shape</c>).</item>
/// <item>Overloads differing in operand type are suffixed: <c>…Scalar</c> takes a float constant for a tensor operand
/// (<c>gt y x</c>, <c>gtScalar 0.0 x</c>); reductions have <c>sum x</c>, <c>sumAxes axes x</c> and <c>sumKeepDims axes x</c>,
/// and an overload taking one axis is <c>…Axis</c> (<c>argMax x</c>, <c>argMaxAxis 1 x</c>, <c>argMaxKeepDims 1 x</c>).</item>
/// </list>
/// Arithmetic uses the C# operators, which F# sees directly: <c>x + y</c>, <c>x * 2.0</c>, <c>2.0 * x</c>, <c>-x</c>.
/// </remarks>
[<RequireQualifiedAccess>]
module Tensor =
    // ---- Creation ----

    /// A float64 tensor holding a copy of `data` in row-major order, of the given shape.
    let fromArray (data: float[]) (shape: int[]) : Tensor = Tensor.FromArray(data, shape)

    /// A float32 tensor holding a copy of `data` in row-major order, of the given shape.
    let fromArrayFloat32 (data: float32[]) (shape: int[]) : Tensor = Tensor.FromArray(data, shape)

    /// An int32 tensor holding a copy of `data` in row-major order, of the given shape.
    let fromArrayInt (data: int[]) (shape: int[]) : Tensor = Tensor.FromArray(data, shape)

    /// A bool tensor holding a copy of `data` in row-major order, of the given shape.
    let fromArrayBool (data: bool[]) (shape: int[]) : Tensor = Tensor.FromArray(data, shape)

    /// A rank-0 float32 tensor holding `value`.
    let scalar (value: float) : Tensor = Tensor.Scalar value

    /// A rank-0 tensor of the given dtype holding `value`.
    let scalarWith (value: float) (dtype: DType) : Tensor = Tensor.Scalar(value, dtype)

    /// A tensor of the given shape and dtype filled with `value`.
    let full (value: float) (dtype: DType) (shape: int[]) : Tensor = Tensor.Full(value, dtype, shape)

    /// A float32 tensor of zeros.
    let zeros (shape: int[]) : Tensor = Tensor.Zeros shape

    /// A tensor of zeros of the given dtype.
    let zerosWith (dtype: DType) (shape: int[]) : Tensor = Tensor.Zeros(dtype, shape)

    /// A float32 tensor of ones.
    let ones (shape: int[]) : Tensor = Tensor.Ones shape

    /// A tensor of ones of the given dtype.
    let onesWith (dtype: DType) (shape: int[]) : Tensor = Tensor.Ones(dtype, shape)

    /// Zeros with the shape and dtype of `like`.
    let zerosLike (like: Tensor) : Tensor = Tensor.ZerosLike like

    /// Ones with the shape and dtype of `like`.
    let onesLike (like: Tensor) : Tensor = Tensor.OnesLike like

    /// `value` with the shape and dtype of `like`.
    let fullLike (value: float) (like: Tensor) : Tensor = Tensor.FullLike(like, value)

    /// The int32 tensor [0, 1, …, stop − 1].
    let arange (stop: int) : Tensor = Tensor.Arange stop

    /// The int32 tensor [start, start + step, …] of the values before `stop` (after it, for a negative step).
    let arangeWith (start: int) (stop: int) (step: int) : Tensor = Tensor.Arange(start, stop, step)

    /// The float32 tensor [start, start + 1, …] of the values before `stop`.
    let arangeFloat (start: float) (stop: float) : Tensor = Tensor.Arange(start, stop)

    /// [start, start + step, …] up to but excluding `stop`, in the given float or int32 dtype.
    let arangeFloatWith (start: float) (stop: float) (step: float) (dtype: DType) : Tensor = Tensor.Arange(start, stop, step, dtype)

    /// `num` evenly spaced float32 values from `start` to `stop`, both included.
    let linspace (start: float) (stop: float) (num: int) : Tensor = Tensor.Linspace(start, stop, num)

    /// `num` evenly spaced values of the given float dtype from `start` to `stop`, both included.
    let linspaceWith (start: float) (stop: float) (num: int) (dtype: DType) : Tensor = Tensor.Linspace(start, stop, num, dtype)

    /// The n×n float32 identity matrix.
    let eye (n: int) : Tensor = Tensor.Eye n

    /// The n×m matrix (m = n when None) of the given dtype with ones on the main diagonal.
    let eyeWith (n: int) (m: int option) (dtype: DType) : Tensor = Tensor.Eye(n, Option.toNullable m, dtype)

    // ---- Random sampling (explicit keys) ----

    /// float32 samples uniform in [0, 1), a pure function of the key.
    let uniform (key: Key) (shape: int[]) : Tensor = Tensor.Uniform(key, shape)

    /// Samples uniform in [low, high) of the given float dtype, a pure function of the key.
    let uniformWith (key: Key) (shape: int[]) (low: float) (high: float) (dtype: DType) : Tensor = Tensor.Uniform(key, shape, low, high, dtype)

    /// Standard normal float32 samples, a pure function of the key.
    let normal (key: Key) (shape: int[]) : Tensor = Tensor.Normal(key, shape)

    /// Normal samples with the given mean, standard deviation and float dtype, a pure function of the key.
    let normalWith (key: Key) (shape: int[]) (mean: float) (std: float) (dtype: DType) : Tensor = Tensor.Normal(key, shape, mean, std, dtype)

    /// A bool tensor whose elements are independently true with probability `p`.
    let bernoulli (key: Key) (shape: int[]) (p: float) : Tensor = Tensor.Bernoulli(key, shape, p)

    /// An int32 tensor of integers drawn uniformly from [low, high).
    let randomInt (key: Key) (shape: int[]) (low: int) (high: int) : Tensor = Tensor.RandomInt(key, shape, low, high)

    /// A random ordering of 0, 1, …, n − 1 as an int32 tensor of shape [n].
    let permutation (key: Key) (n: int) : Tensor = Tensor.Permutation(key, n)

    // ---- Properties and conversion out ----

    /// The dimensions, outermost first (a fresh copy).
    let shape (x: Tensor) : int[] = x.Shape

    /// The number of dimensions; 0 for a scalar.
    let rank (x: Tensor) : int = x.Rank

    /// The number of elements.
    let size (x: Tensor) : int = x.Size

    /// The element type.
    let dtype (x: Tensor) : DType = x.DType

    /// The elements copied out in row-major order, converted to 'T (float, float32, int or bool): `Tensor.toArray<float> x`.
    let toArray<'T> (x: Tensor) : 'T[] = x.ToArray<'T>()

    /// A rank-2 tensor copied out as a rectangular array of 'T.
    let toArray2D<'T> (x: Tensor) : 'T[,] = x.ToArray2D<'T>()

    /// The single element of a one-element tensor, converted to 'T: `Tensor.item<float> loss`.
    let item<'T> (x: Tensor) : 'T = x.Item<'T>()

    /// Whether every |x − reference| ≤ 1e-8 + 1e-5·|reference| (numpy's allclose; shapes must be equal).
    let allClose (reference: Tensor) (x: Tensor) : bool = x.AllClose reference

    /// Whether every |x − reference| ≤ atol + rtol·|reference|; NaNs match each other when `equalNan`.
    let allCloseWith (reference: Tensor) (rtol: float) (atol: float) (equalNan: bool) (x: Tensor) : bool = x.AllClose(reference, rtol, atol, equalNan)

    /// Whether `other` has the same dtype, shape and exactly equal elements.
    let arrayEqual (other: Tensor) (x: Tensor) : bool = x.ArrayEqual other

    /// `x` converted to another dtype; differentiable between float dtypes.
    let cast (dtype: DType) (x: Tensor) : Tensor = x.Cast dtype

    // ---- Arithmetic (also the operators + - * / and unary -) ----

    /// x + other, elementwise with numpy broadcasting.
    let add (other: Tensor) (x: Tensor) : Tensor = x.Add other

    /// x − other, elementwise with numpy broadcasting.
    let sub (other: Tensor) (x: Tensor) : Tensor = x.Sub other

    /// x · other, elementwise with numpy broadcasting.
    let mul (other: Tensor) (x: Tensor) : Tensor = x.Mul other

    /// x / other, elementwise with numpy broadcasting.
    let div (other: Tensor) (x: Tensor) : Tensor = x.Div other

    /// −x, elementwise.
    let neg (x: Tensor) : Tensor = x.Neg()

    /// x ^ exponent, elementwise with numpy broadcasting.
    let pow (exponent: Tensor) (x: Tensor) : Tensor = x.Pow exponent

    /// x ^ exponent for a constant exponent, elementwise.
    let powScalar (exponent: float) (x: Tensor) : Tensor = x.Pow exponent

    /// Elementwise max(a, b) with numpy broadcasting; ties share the gradient.
    let maximum (a: Tensor) (b: Tensor) : Tensor = Tensor.Maximum(a, b)

    /// Elementwise min(a, b) with numpy broadcasting; ties share the gradient.
    let minimum (a: Tensor) (b: Tensor) : Tensor = Tensor.Minimum(a, b)

    /// Elementwise min(max(x, min), max) with tensor bounds, broadcasting all three.
    let clamp (min: Tensor) (max: Tensor) (x: Tensor) : Tensor = x.Clamp(min, max)

    /// Elementwise min(max(x, min), max) with constant bounds.
    let clampScalar (min: float) (max: float) (x: Tensor) : Tensor = x.Clamp(min, max)

    // ---- Elementwise functions ----

    /// |x|, elementwise.
    let abs (x: Tensor) : Tensor = x.Abs()

    /// The sign of x (−1, 0 or 1), elementwise.
    let sign (x: Tensor) : Tensor = x.Sign()

    /// x², elementwise.
    let square (x: Tensor) : Tensor = x.Square()

    /// √x, elementwise.
    let sqrt (x: Tensor) : Tensor = x.Sqrt()

    /// 1/√x, elementwise.
    let rsqrt (x: Tensor) : Tensor = x.Rsqrt()

    /// 1/x, elementwise.
    let reciprocal (x: Tensor) : Tensor = x.Reciprocal()

    /// eˣ, elementwise.
    let exp (x: Tensor) : Tensor = x.Exp()

    /// eˣ − 1, elementwise, accurate near 0.
    let expm1 (x: Tensor) : Tensor = x.Expm1()

    /// ln x, elementwise.
    let log (x: Tensor) : Tensor = x.Log()

    /// ln(1 + x), elementwise, accurate near 0.
    let log1p (x: Tensor) : Tensor = x.Log1p()

    /// sin x, elementwise.
    let sin (x: Tensor) : Tensor = x.Sin()

    /// cos x, elementwise.
    let cos (x: Tensor) : Tensor = x.Cos()

    /// tanh x, elementwise.
    let tanh (x: Tensor) : Tensor = x.Tanh()

    /// The error function, elementwise.
    let erf (x: Tensor) : Tensor = x.Erf()

    // ---- Activations ----

    /// max(x, 0), elementwise.
    let relu (x: Tensor) : Tensor = x.Relu()

    /// 1 / (1 + e⁻ˣ), elementwise.
    let sigmoid (x: Tensor) : Tensor = x.Sigmoid()

    /// ln(1 + eˣ), elementwise.
    let softplus (x: Tensor) : Tensor = x.Softplus()

    /// x for x ≥ 0, 0.01·x otherwise.
    let leakyRelu (x: Tensor) : Tensor = x.LeakyRelu()

    /// x for x ≥ 0, alpha·x otherwise.
    let leakyReluWith (alpha: float) (x: Tensor) : Tensor = x.LeakyRelu alpha

    /// x for x > 0, eˣ − 1 otherwise.
    let elu (x: Tensor) : Tensor = x.Elu()

    /// x for x > 0, alpha·(eˣ − 1) otherwise.
    let eluWith (alpha: float) (x: Tensor) : Tensor = x.Elu alpha

    /// The exact Gaussian error linear unit x·Φ(x).
    let gelu (x: Tensor) : Tensor = x.Gelu()

    /// The Gaussian error linear unit, exact or (when `approximate`) in its tanh form.
    let geluWith (approximate: bool) (x: Tensor) : Tensor = x.Gelu approximate

    // ---- Comparison and logic (bool results) ----

    /// x = other, elementwise with broadcasting.
    let eq (other: Tensor) (x: Tensor) : Tensor = x.Eq other

    /// x = value, elementwise.
    let eqScalar (value: float) (x: Tensor) : Tensor = x.Eq value

    /// x ≠ other, elementwise with broadcasting.
    let ne (other: Tensor) (x: Tensor) : Tensor = x.Ne other

    /// x ≠ value, elementwise.
    let neScalar (value: float) (x: Tensor) : Tensor = x.Ne value

    /// x < other, elementwise with broadcasting.
    let lt (other: Tensor) (x: Tensor) : Tensor = x.Lt other

    /// x < value, elementwise.
    let ltScalar (value: float) (x: Tensor) : Tensor = x.Lt value

    /// x ≤ other, elementwise with broadcasting.
    let le (other: Tensor) (x: Tensor) : Tensor = x.Le other

    /// x ≤ value, elementwise.
    let leScalar (value: float) (x: Tensor) : Tensor = x.Le value

    /// x > other, elementwise with broadcasting.
    let gt (other: Tensor) (x: Tensor) : Tensor = x.Gt other

    /// x > value, elementwise.
    let gtScalar (value: float) (x: Tensor) : Tensor = x.Gt value

    /// x ≥ other, elementwise with broadcasting.
    let ge (other: Tensor) (x: Tensor) : Tensor = x.Ge other

    /// x ≥ value, elementwise.
    let geScalar (value: float) (x: Tensor) : Tensor = x.Ge value

    /// x ∧ other for bool tensors (C# `And`; `and` is an F# keyword).
    let logicalAnd (other: Tensor) (x: Tensor) : Tensor = x.And other

    /// x ∨ other for bool tensors (C# `Or`; `or` is an F# keyword).
    let logicalOr (other: Tensor) (x: Tensor) : Tensor = x.Or other

    /// ¬x for a bool tensor (C# `Not`, named like its siblings).
    let logicalNot (x: Tensor) : Tensor = x.Not()

    /// cond ? a : b elementwise, broadcasting all three; cond is bool.
    let where (cond: Tensor) (a: Tensor) (b: Tensor) : Tensor = Tensor.Where(cond, a, b)

    /// cond ? a : b where `a` is a constant of b's dtype.
    let whereThenScalar (cond: Tensor) (a: float) (b: Tensor) : Tensor = Tensor.Where(cond, a, b)

    /// cond ? a : b where `b` is a constant of a's dtype.
    let whereElseScalar (cond: Tensor) (a: Tensor) (b: float) : Tensor = Tensor.Where(cond, a, b)

    // ---- Reductions ----

    /// The sum of all elements, as a scalar.
    let sum (x: Tensor) : Tensor = x.Sum()

    /// The sum over the given axes, which are removed.
    let sumAxes (axes: int[]) (x: Tensor) : Tensor = x.Sum axes

    /// The sum over the given axes, which are kept with size 1.
    let sumKeepDims (axes: int[]) (x: Tensor) : Tensor = x.Sum(axes, true)

    /// The mean Σx / n of all elements, as a scalar.
    let mean (x: Tensor) : Tensor = x.Mean()

    /// The mean Σx / n over the given axes, which are removed.
    let meanAxes (axes: int[]) (x: Tensor) : Tensor = x.Mean axes

    /// The mean Σx / n over the given axes, which are kept with size 1.
    let meanKeepDims (axes: int[]) (x: Tensor) : Tensor = x.Mean(axes, true)

    /// The product of all elements, as a scalar.
    let prod (x: Tensor) : Tensor = x.Prod()

    /// The product over the given axes, which are removed.
    let prodAxes (axes: int[]) (x: Tensor) : Tensor = x.Prod axes

    /// The product over the given axes, which are kept with size 1.
    let prodKeepDims (axes: int[]) (x: Tensor) : Tensor = x.Prod(axes, true)

    /// The maximum (tied maxima share the gradient) of all elements, as a scalar.
    let max (x: Tensor) : Tensor = x.Max()

    /// The maximum (tied maxima share the gradient) over the given axes, which are removed.
    let maxAxes (axes: int[]) (x: Tensor) : Tensor = x.Max axes

    /// The maximum (tied maxima share the gradient) over the given axes, which are kept with size 1.
    let maxKeepDims (axes: int[]) (x: Tensor) : Tensor = x.Max(axes, true)

    /// The minimum (tied minima share the gradient) of all elements, as a scalar.
    let min (x: Tensor) : Tensor = x.Min()

    /// The minimum (tied minima share the gradient) over the given axes, which are removed.
    let minAxes (axes: int[]) (x: Tensor) : Tensor = x.Min axes

    /// The minimum (tied minima share the gradient) over the given axes, which are kept with size 1.
    let minKeepDims (axes: int[]) (x: Tensor) : Tensor = x.Min(axes, true)

    /// log Σ exp(x), computed stably, of all elements, as a scalar.
    let logSumExp (x: Tensor) : Tensor = x.LogSumExp()

    /// log Σ exp(x), computed stably, over the given axes, which are removed.
    let logSumExpAxes (axes: int[]) (x: Tensor) : Tensor = x.LogSumExp axes

    /// log Σ exp(x), computed stably, over the given axes, which are kept with size 1.
    let logSumExpKeepDims (axes: int[]) (x: Tensor) : Tensor = x.LogSumExp(axes, true)

    /// The population variance Σ(x − mean)² / n of all elements, as a scalar.
    let var (x: Tensor) : Tensor = x.Var()

    /// The population variance Σ(x − mean)² / n over the given axes, which are removed.
    let varAxes (axes: int[]) (x: Tensor) : Tensor = x.Var axes

    /// The population variance Σ(x − mean)² / n over the given axes, which are kept with size 1.
    let varKeepDims (axes: int[]) (x: Tensor) : Tensor = x.Var(axes, true)

    /// The variance Σ(x − mean)² / (n − correction) over the given axes, kept with size 1 when `keepDims` (1 is Bessel's correction).
    let varWith (axes: int[]) (keepDims: bool) (correction: float) (x: Tensor) : Tensor = x.Var(axes, keepDims, correction)

    /// The population standard deviation √(Σ(x − mean)² / n) of all elements, as a scalar.
    let std (x: Tensor) : Tensor = x.Std()

    /// The population standard deviation √(Σ(x − mean)² / n) over the given axes, which are removed.
    let stdAxes (axes: int[]) (x: Tensor) : Tensor = x.Std axes

    /// The population standard deviation √(Σ(x − mean)² / n) over the given axes, which are kept with size 1.
    let stdKeepDims (axes: int[]) (x: Tensor) : Tensor = x.Std(axes, true)

    /// The standard deviation √(Σ(x − mean)² / (n − correction)) over the given axes, kept with size 1 when `keepDims`.
    let stdWith (axes: int[]) (keepDims: bool) (correction: float) (x: Tensor) : Tensor = x.Std(axes, keepDims, correction)

    /// The int32 flat index of the largest element (the first on ties), as a scalar.
    let argMax (x: Tensor) : Tensor = x.ArgMax()

    /// The int32 index of the largest element along `axis` (the first on ties); the axis is removed.
    let argMaxAxis (axis: int) (x: Tensor) : Tensor = x.ArgMax axis

    /// The int32 index of the largest element along `axis` (the first on ties); the axis is kept with size 1.
    let argMaxKeepDims (axis: int) (x: Tensor) : Tensor = x.ArgMax(axis, true)

    /// The int32 flat index of the smallest element (the first on ties), as a scalar.
    let argMin (x: Tensor) : Tensor = x.ArgMin()

    /// The int32 index of the smallest element along `axis` (the first on ties); the axis is removed.
    let argMinAxis (axis: int) (x: Tensor) : Tensor = x.ArgMin axis

    /// The int32 index of the smallest element along `axis` (the first on ties); the axis is kept with size 1.
    let argMinKeepDims (axis: int) (x: Tensor) : Tensor = x.ArgMin(axis, true)

    /// softmax along the last axis: exp(x) / Σ exp(x), computed stably.
    let softmax (x: Tensor) : Tensor = x.Softmax()

    /// softmax along `axis`: exp(x) / Σ exp(x), computed stably.
    let softmaxWith (axis: int) (x: Tensor) : Tensor = x.Softmax axis

    /// log softmax along the last axis: x − log Σ exp(x), computed stably.
    let logSoftmax (x: Tensor) : Tensor = x.LogSoftmax()

    /// log softmax along `axis`: x − log Σ exp(x), computed stably.
    let logSoftmaxWith (axis: int) (x: Tensor) : Tensor = x.LogSoftmax axis

    // ---- Linear algebra ----

    /// The matrix product x·w with numpy's rules (1-D operands promoted, batch axes broadcast).
    let matmul (w: Tensor) (x: Tensor) : Tensor = x.MatMul w

    /// The inner product of two vectors (the matrix product for higher ranks).
    let dot (other: Tensor) (x: Tensor) : Tensor = x.Dot other

    /// The outer product x ⊗ other of two vectors: [m] ⊗ [n] → [m, n].
    let outer (other: Tensor) (x: Tensor) : Tensor = x.Outer other

    // ---- Shape and movement ----

    /// The same elements under another shape of the same size; one dimension may be −1.
    let reshape (shape: int[]) (x: Tensor) : Tensor = x.Reshape shape

    /// Broadcast to `shape` by numpy's rules.
    let broadcastTo (shape: int[]) (x: Tensor) : Tensor = x.BroadcastTo shape

    /// Broadcast to `shape` by numpy's rules (PyTorch's name for `broadcastTo`).
    let expand (shape: int[]) (x: Tensor) : Tensor = x.Expand shape

    /// Sums a broadcast tensor back down to `shape`.
    let sumTo (shape: int[]) (x: Tensor) : Tensor = x.SumTo shape

    /// Reorders axes: result shape[i] = x shape[perm[i]].
    let permute (perm: int[]) (x: Tensor) : Tensor = x.Permute perm

    /// Reverses the axes (a matrix transpose for rank 2).
    let transpose (x: Tensor) : Tensor = x.Transpose()

    /// The matrix transpose of the last two axes, batched (C# property `MT`, PyTorch's `.mT`).
    let mT (x: Tensor) : Tensor = x.MT

    /// Swaps two axes.
    let swapAxes (axis1: int) (axis2: int) (x: Tensor) : Tensor = x.SwapAxes(axis1, axis2)

    /// Inserts a size-1 axis at `axis` (negative counts from the end of the result).
    let unsqueeze (axis: int) (x: Tensor) : Tensor = x.Unsqueeze axis

    /// Removes every size-1 axis.
    let squeeze (x: Tensor) : Tensor = x.Squeeze()

    /// Removes the given axes, each of which must have size 1.
    let squeezeAxes (axes: int[]) (x: Tensor) : Tensor = x.Squeeze axes

    /// The elements as a vector (a scalar becomes a 1-vector).
    let flatten (x: Tensor) : Tensor = x.Flatten()

    /// Merges axes startAxis to endAxis (inclusive; negative counts from the end) into one.
    let flattenAxes (startAxis: int) (endAxis: int) (x: Tensor) : Tensor = x.Flatten(startAxis, endAxis)

    /// Reverses the order of elements along every axis.
    let flip (x: Tensor) : Tensor = x.Flip()

    /// Reverses the order of elements along the given axes.
    let flipAxes (axes: int[]) (x: Tensor) : Tensor = x.Flip axes

    /// Elements start to stop (exclusive) along `axis`, Python's rules for negative and out-of-range indices.
    let slice (axis: int) (start: int) (stop: int) (x: Tensor) : Tensor = x.Slice(axis, start, stop)

    /// Elements start to stop (exclusive; None for the end) every `step` along `axis`.
    let sliceWith (axis: int) (start: int) (stop: int option) (step: int) (x: Tensor) : Tensor = x.Slice(axis, start, Option.toNullable stop, step)

    /// numpy's x[start:stop:step, ...]: one (start, stop, step) per leading axis, None for a default bound, negative steps walk backwards.
    let sliceAxes (perAxis: seq<int option * int option * int>) (x: Tensor) : Tensor = x.Slice(perAxis |> Seq.map (fun (start, stop, step) -> struct (Option.toNullable start, Option.toNullable stop, step)) |> Seq.toArray)

    /// Pads every axis with (before, after) zeros.
    let pad (widths: seq<int * int>) (x: Tensor) : Tensor = x.Pad(widths |> Seq.map (fun (before, after) -> struct (before, after)) |> Seq.toArray)

    /// Pads every axis with (before, after) copies of `value`.
    let padWith (widths: seq<int * int>) (value: float) (x: Tensor) : Tensor = x.Pad(widths |> Seq.map (fun (before, after) -> struct (before, after)) |> Seq.toArray, value)

    /// Joins tensors along axis 0; the other dimensions must agree.
    let concat (tensors: seq<Tensor>) : Tensor = Tensor.Concat(Seq.toArray tensors)

    /// Joins tensors along `axis`; the other dimensions must agree.
    let concatWith (axis: int) (tensors: seq<Tensor>) : Tensor = Tensor.Concat(Seq.toArray tensors, axis)

    /// Joins tensors of one shape along a new axis 0.
    let stack (tensors: seq<Tensor>) : Tensor = Tensor.Stack(Seq.toArray tensors)

    /// Joins tensors of one shape along a new axis `axis`.
    let stackWith (axis: int) (tensors: seq<Tensor>) : Tensor = Tensor.Stack(Seq.toArray tensors, axis)

    /// Splits into `sections` equal pieces along axis 0.
    let split (sections: int) (x: Tensor) : Tensor[] = x.Split sections

    /// Splits into `sections` equal pieces along `axis`.
    let splitWith (sections: int) (axis: int) (x: Tensor) : Tensor[] = x.Split(sections, axis)

    /// Splits into pieces of the given sizes along axis 0.
    let splitSizes (sizes: int[]) (x: Tensor) : Tensor[] = x.Split sizes

    /// Splits into pieces of the given sizes along `axis`.
    let splitSizesWith (sizes: int[]) (axis: int) (x: Tensor) : Tensor[] = x.Split(sizes, axis)

    // ---- Indexing ----

    /// The elements of the flattened tensor at int32 `indices`, shaped like the indices (numpy's take without an axis).
    let take (indices: Tensor) (x: Tensor) : Tensor = x.Take indices

    /// numpy's take along `axis`: the indices (of any shape) replace that axis.
    let takeAxis (indices: Tensor) (axis: int) (x: Tensor) : Tensor = x.Take(indices, axis)

    /// numpy's take_along_axis: int32 `indices` of x's rank pick entries along `axis`.
    let takeAlongAxis (indices: Tensor) (axis: int) (x: Tensor) : Tensor = x.TakeAlongAxis(indices, axis)

    /// The entries at 1-D int32 `indices` along `axis`, in their order, repeats allowed (PyTorch's index_select).
    let indexSelect (axis: int) (indices: Tensor) (x: Tensor) : Tensor = x.IndexSelect(axis, indices)

    /// x plus `updates` added at int32 `indices` along `axis`, repeats accumulating (PyTorch's scatter_add).
    let scatterAdd (axis: int) (indices: Tensor) (updates: Tensor) (x: Tensor) : Tensor = x.ScatterAdd(axis, indices, updates)

    /// float32 one-hot rows: shape labels.shape + [classes], 1 at each int32 label.
    let oneHot (classes: int) (labels: Tensor) : Tensor = Tensor.OneHot(labels, classes)

    /// One-hot rows of the given dtype: shape labels.shape + [classes], 1 at each int32 label.
    let oneHotWith (classes: int) (dtype: DType) (labels: Tensor) : Tensor = Tensor.OneHot(labels, classes, dtype)

    /// Per-example softmax cross-entropy of logits [..., C] against int32 `labels` [...], fused and stable.
    let softmaxCrossEntropy (labels: Tensor) (logits: Tensor) : Tensor = logits.SoftmaxCrossEntropy labels

    /// Per-example softmax cross-entropy with PyTorch's label smoothing ε: targets (1 − ε)·onehot + ε/C.
    let softmaxCrossEntropyWith (labels: Tensor) (labelSmoothing: float) (logits: Tensor) : Tensor = logits.SoftmaxCrossEntropy(labels, labelSmoothing)
    // ---- Convolution and pooling (x is [N, C, H, W]; the …PerAxis forms take (height, width) pairs and per-side padding) ----

    /// 2-D convolution (cross-correlation) with `weight` [O, C/groups, KH, KW], stride 1, no padding.
    let conv2d (weight: Tensor) (x: Tensor) : Tensor = x.Conv2d weight

    /// 2-D convolution with the same stride, zero padding and dilation on both axes, and channel groups.
    let conv2dWith (weight: Tensor) (stride: int) (padding: int) (dilation: int) (groups: int) (x: Tensor) : Tensor = x.Conv2d(weight, stride, padding, dilation, groups)

    /// 2-D convolution with (height, width) stride and dilation and per-side padding.
    let conv2dPerAxis (weight: Tensor) (stride: int * int) (padding: Padding2d) (dilation: int * int) (groups: int) (x: Tensor) : Tensor = x.Conv2d(weight, struct (fst stride, snd stride), padding, struct (fst dilation, snd dilation), groups)

    /// Transposed 2-D convolution (the input-gradient of conv2d) with `weight` [Cin, Cout/groups, KH, KW], stride 1, no padding.
    let convTranspose2d (weight: Tensor) (x: Tensor) : Tensor = x.ConvTranspose2d weight

    /// Transposed 2-D convolution with the same stride, padding, output padding and dilation on both axes, and channel groups.
    let convTranspose2dWith (weight: Tensor) (stride: int) (padding: int) (outputPadding: int) (dilation: int) (groups: int) (x: Tensor) : Tensor = x.ConvTranspose2d(weight, stride, padding, outputPadding, dilation, groups)

    /// Transposed 2-D convolution with (height, width) stride, output padding and dilation and per-side padding.
    let convTranspose2dPerAxis (weight: Tensor) (stride: int * int) (padding: Padding2d) (outputPadding: int * int) (dilation: int * int) (groups: int) (x: Tensor) : Tensor = x.ConvTranspose2d(weight, struct (fst stride, snd stride), padding, struct (fst outputPadding, snd outputPadding), struct (fst dilation, snd dilation), groups)

    /// Max pooling over kernel×kernel windows with stride = kernel; tied maxima share the gradient.
    let maxPool2d (kernel: int) (x: Tensor) : Tensor = x.MaxPool2d kernel

    /// Max pooling with a stride (None: the kernel) and −∞ padding.
    let maxPool2dWith (kernel: int) (stride: int option) (padding: int) (x: Tensor) : Tensor = x.MaxPool2d(kernel, Option.toNullable stride, padding)

    /// Max pooling with (height, width) window, stride and dilation and per-side −∞ padding.
    let maxPool2dPerAxis (kernel: int * int) (stride: int * int) (padding: Padding2d) (dilation: int * int) (x: Tensor) : Tensor = x.MaxPool2d(struct (fst kernel, snd kernel), struct (fst stride, snd stride), padding, struct (fst dilation, snd dilation))

    /// Average pooling over kernel×kernel windows with stride = kernel.
    let avgPool2d (kernel: int) (x: Tensor) : Tensor = x.AvgPool2d kernel

    /// Average pooling with a stride (None: the kernel), zero padding, and whether padded zeros count in the average.
    let avgPool2dWith (kernel: int) (stride: int option) (padding: int) (countIncludePad: bool) (x: Tensor) : Tensor = x.AvgPool2d(kernel, Option.toNullable stride, padding, countIncludePad)

    /// Average pooling with (height, width) window and stride and per-side zero padding.
    let avgPool2dPerAxis (kernel: int * int) (stride: int * int) (padding: Padding2d) (countIncludePad: bool) (x: Tensor) : Tensor = x.AvgPool2d(struct (fst kernel, snd kernel), struct (fst stride, snd stride), padding, countIncludePad)

    /// The mean over the spatial axes: [N, C, H, W] → [N, C].
    let globalAvgPool2d (x: Tensor) : Tensor = x.GlobalAvgPool2d()
