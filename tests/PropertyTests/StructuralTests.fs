/// Reductions, the softmax family, movement and indexing: derivatives of the composites against finite
/// differences, stability at large inputs, index semantics against their definitions, and error messages.
module StructuralTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Autodiff
open Numeric

let private seeds = Arb.fromGen (Gen.choose (0, Int32.MaxValue - 1))

/// Checks `property` on `n` random seeds; each seed drives a CaseSampler for shapes, axes and values.
let private forSeeds n (property: CaseSampler -> unit) =
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(n).WithQuietOnSuccess(true), Prop.forAll seeds (fun seed -> property (CaseSampler seed)))

let private ints (t: Tensor) = t.ToArray<int>()

let private int32s (shape: int[]) (values: int[]) = Tensor.FromArray(values, shape)

let private float64s (shape: int[]) (values: float[]) = Tensor.FromArray(values, shape)

/// A random non-empty subset of a rank-`rank` tensor's axes, with some given as negative.
let private someAxes (s: CaseSampler) rank =
    let axes = s.Axes rank
    let axes = if axes.Length = 0 then [| s.Int(0, rank - 1) |] else axes
    axes |> Array.map (fun a -> if s.Coin() then a - rank else a)

let private throwsWith<'e when 'e :> exn> (parts: string list) (action: unit -> unit) =
    let e = Assert.ThrowsAny<'e>(action)
    for part in parts do
        Assert.True(e.Message.Contains(part: string), sprintf "expected the message to contain \"%s\": %s" part e.Message)

// ---- derivatives of the composites ----

[<Fact>]
let ``mean, var, std and logsumexp over random axes pass the gradient check`` () =
    forSeeds 40 (fun s ->
        let shape = s.Shape(1, 3)
        let axes = someAxes s shape.Length
        let keep = s.Coin()
        let correction = float (s.Int(0, 1))
        let x = s.Floats(shape, -2.0, 2.0)
        GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].Mean(axes, keep)), x)
        if correction < float (Array.fold (fun n a -> n * shape.[(a + shape.Length) % shape.Length]) 1 axes) then
            GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].Var(axes, keep, correction)), x)
            // std is smooth only away from std = 0, i.e. where the reduced rows have two distinct values
            if (x.Var(axes).Min()).Item<float>() > 1e-3 then
                GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].Std(axes, keep, correction)), x)
        GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].LogSumExp(axes, keep)), x))

[<Fact>]
let ``softmax, log_softmax and min along a random axis pass the gradient check`` () =
    forSeeds 40 (fun s ->
        let shape = s.Shape(1, 3)
        let axis = s.Int(-shape.Length, shape.Length - 1)
        let x = s.DistinctFloats(shape, -3.0, 3.0, 1e-2)
        GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].Softmax(axis)), x)
        GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].LogSoftmax(axis)), x)
        let keep = s.Coin()
        GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].Min([| axis |], keep)), x))

[<Fact>]
let ``index_select, take, squeeze, flatten and numpy slicing pass the gradient check`` () =
    forSeeds 40 (fun s ->
        let shape = Array.append (s.Shape(1, 3)) [| 1 |]
        let axis = s.Int(0, shape.Length - 2)
        let n = shape.[axis]
        let x = s.Floats(shape, -2.0, 2.0)
        let count = s.Int(1, 5)
        let picks = Tensor.FromArray(Array.init count (fun _ -> s.Int(-n, n - 1)), [| count |])
        GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].IndexSelect(axis, picks) * p.[0].IndexSelect(axis, picks)), x)
        GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].Take(picks.Reshape(1, -1), axis).Exp()), x)
        GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].Squeeze().Sin()), x)
        GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].Squeeze(-1).Flatten() * p.[0].Flatten(0, -1)), x)
        let bound () = if s.Coin() then Nullable() else Nullable(s.Int(-5, 5))
        let bounds = struct (bound (), bound (), (if s.Coin() then -1 else 1) * s.Int(1, 3))
        GradCheck.Assert(fn (fun (p: Tensor[]) -> p.[0].Slice(bounds).Cos()), x))

// ---- the softmax family at large inputs ----

[<Fact>]
let ``softmax and log_softmax of ±1e4 are finite, with finite gradients, in float32 and float64`` () =
    let values = [| 1e4; -1e4; 0.0; 1e4; -1e4 + 1.0 |]
    for x in [ float64s [| 5 |] values; Tensor.FromArray(Array.map float32 values, [| 5 |]) ] do
        let weights = [| 0.25; -1.0; 2.0; 0.5; 1.5 |]
        let w = if x.DType = DType.Float32 then Tensor.FromArray(Array.map float32 weights, [| 5 |]) else float64s [| 5 |] weights
        for f in [ (fun (x: Tensor) -> x.Softmax()); (fun (x: Tensor) -> x.LogSoftmax()); (fun (x: Tensor) -> x.LogSumExp([| 0 |], true)) ] do
            let y = f x
            let g = Grad.Gradient(fn (fun (x: Tensor) -> (f x * w).Sum())).Invoke(x)
            Assert.All(doubles y, fun v -> Assert.True(Double.IsFinite v, sprintf "value %g for %s" v x.ShapeText))
            Assert.All(doubles g, fun v -> Assert.True(Double.IsFinite v, sprintf "gradient %g for %s" v x.ShapeText))

[<Fact>]
let ``softmax is shift-invariant: at 1e4 it equals the direct formula at the shifted inputs`` () =
    forSeeds 30 (fun s ->
        let shape = s.Shape(1, 3)
        let axis = s.Int(0, shape.Length - 1)
        let small = s.Floats(shape, -3.0, 3.0)
        let large = small + 1e4
        let direct = small.Exp() / small.Exp().Sum([| axis |], true)
        assertAllClose 1e-9 1e-12 "softmax" (doubles direct) (doubles (large.Softmax(axis)))
        assertAllClose 1e-9 1e-9 "log_softmax" (doubles (direct.Log())) (doubles (large.LogSoftmax(axis)))
        assertAllClose 1e-12 0.0 "logsumexp" (doubles (small.Exp().Sum([| axis |]).Log() + 1e4)) (doubles (large.LogSumExp(axis))))

[<Fact>]
let ``logsumexp treats −∞ as exp = 0: a row of −∞ gives −∞, not NaN`` () =
    let x = float64s [| 2; 2 |] [| -infinity; -infinity; -infinity; 0.0 |]
    Assert.Equal<float[]>([| -infinity; 0.0 |], doubles (x.LogSumExp(1)))

// ---- reductions: values by their definitions ----

[<Fact>]
let ``argmax and argmin pick the first extreme along an axis`` () =
    // rows: [1 5 5 2] ties at 1 and 2; [-1 0 -1 7] ties for the min at 0 and 2
    let x = float64s [| 2; 4 |] [| 1.0; 5.0; 5.0; 2.0; -1.0; 0.0; -1.0; 7.0 |]
    Assert.Equal<int[]>([| 1; 3 |], ints (x.ArgMax(1)))
    Assert.Equal<int[]>([| 0; 0 |], ints (x.ArgMin(-1)))
    Assert.Equal<int[]>([| 0; 0; 0; 1 |], ints (x.ArgMax(0)))
    Assert.Equal<int[]>([| 1; 1; 1; 0 |], ints (x.ArgMin(0)))
    Assert.Equal<int[]>([| 2; 1 |], (x.ArgMax(1, keepDims = true)).Shape)
    Assert.Equal(7, (x.ArgMax()).Item<int>())
    Assert.Equal(DType.Int32, (x.ArgMax()).DType)
    Assert.Equal(1, (float64s [| 3 |] [| 1.0; nan; 3.0 |]).ArgMax().Item<int>())

[<Fact>]
let ``taking the argmax along its axis gives the max, and its gradient has no int part`` () =
    forSeeds 30 (fun s ->
        let shape = s.Shape(1, 3)
        let axis = s.Int(0, shape.Length - 1)
        let x = s.Floats(shape, -3.0, 3.0)
        assertAllClose 0.0 0.0 "max" (doubles (x.Max([| axis |], true))) (doubles (x.TakeAlongAxis(x.ArgMax(axis, true), axis)))
        assertAllClose 0.0 0.0 "min" (doubles (x.Min([| axis |], true))) (doubles (x.TakeAlongAxis(x.ArgMin(axis, true), axis))))

[<Fact>]
let ``tied maxima and minima share the gradient equally`` () =
    let x = float64s [| 2; 4 |] [| 1.0; 5.0; 5.0; 2.0; -1.0; 0.0; -1.0; 7.0 |]
    let gMax = Grad.Gradient(fn (fun (x: Tensor) -> x.Max(1).Sum())).Invoke(x)
    Assert.Equal<float[]>([| 0.0; 0.5; 0.5; 0.0; 0.0; 0.0; 0.0; 1.0 |], doubles gMax)
    let gMin = Grad.Gradient(fn (fun (x: Tensor) -> x.Min(1).Sum())).Invoke(x)
    Assert.Equal<float[]>([| 1.0; 0.0; 0.0; 0.0; 0.5; 0.0; 0.5; 0.0 |], doubles gMin)

[<Fact>]
let ``var is the mean of squares minus the square of the mean, rescaled by the correction, and std squared`` () =
    forSeeds 30 (fun s ->
        let shape = s.Shape(1, 3)
        let axes = someAxes s shape.Length
        let x = s.Floats(shape, -2.0, 2.0)
        let n = float (x.Size / (x.Sum(axes, true)).Size)
        let population = (x * x).Mean(axes) - x.Mean(axes) * x.Mean(axes)
        assertAllClose 1e-9 1e-12 "var" (doubles population) (doubles (x.Var(axes)))
        assertAllClose 1e-12 0.0 "std²" (doubles (x.Var(axes, true))) (doubles (x.Std(axes, true).Square()))
        if n > 1.0 then
            assertAllClose 1e-9 1e-12 "var, correction 1" (doubles (population * (n / (n - 1.0)))) (doubles (x.Var(axes, false, 1.0))))

// ---- movement and indexing ----

[<Fact>]
let ``gather and scatter_add are adjoint: <gather(x), u> = <x, scatter_add(u)>, repeats included`` () =
    forSeeds 40 (fun s ->
        let shape = s.Shape(1, 3)
        let axis = s.Int(0, shape.Length - 1)
        let indexShape = Array.copy shape
        indexShape.[axis] <- s.Int(1, 6)
        let indices = s.Indices(indexShape, shape.[axis])
        let x = s.Floats(shape, -1.0, 1.0)
        let u = s.Floats(indexShape, -1.0, 1.0)
        let gathered = x.TakeAlongAxis(indices, axis)
        let scattered = Tensor.Zeros(DType.Float64, shape).ScatterAdd(axis, indices, u)
        Assert.Equal<int[]>(indexShape, gathered.Shape)
        Assert.Equal(dot gathered u, dot x scattered, 12)
        // scatter_add moves every update somewhere: the totals along the axis agree
        assertAllClose 1e-12 1e-12 "mass" (doubles (u.Sum([| axis |]))) (doubles (scattered.Sum([| axis |]))))

[<Fact>]
let ``scattering a gather by a permutation restores the tensor`` () =
    forSeeds 30 (fun s ->
        let shape = s.Shape(1, 3)
        let axis = s.Int(0, shape.Length - 1)
        let n = shape.[axis]
        let perm = s.Permutation n
        let column = Array.init shape.Length (fun d -> if d = axis then n else 1)
        let indices = Tensor.FromArray(perm, column).BroadcastTo(shape)
        let x = s.Floats(shape, -1.0, 1.0)
        let roundTrip = Tensor.Zeros(DType.Float64, shape).ScatterAdd(axis, indices, x.TakeAlongAxis(indices, axis))
        assertAllClose 0.0 0.0 "round trip" (doubles x) (doubles roundTrip))

[<Fact>]
let ``index_select picks x[..., i, ...] for each index i, counting negatives from the end`` () =
    let x = float64s [| 2; 3 |] [| 0.0; 1.0; 2.0; 10.0; 11.0; 12.0 |]
    let picked = x.IndexSelect(1, int32s [| 4 |] [| 2; 0; -1; 0 |])
    Assert.Equal<int[]>([| 2; 4 |], picked.Shape)
    Assert.Equal<float[]>([| 2.0; 0.0; 2.0; 0.0; 12.0; 10.0; 12.0; 10.0 |], doubles picked)
    let taken = x.Take(int32s [| 2; 2 |] [| 5; 0; -2; 1 |])
    Assert.Equal<int[]>([| 2; 2 |], taken.Shape)
    Assert.Equal<float[]>([| 12.0; 0.0; 11.0; 1.0 |], doubles taken)
    Assert.Equal<int[]>([| 2; 2; 2 |], (x.Take(int32s [| 2; 2 |] [| 1; 0; 0; 1 |], 1)).Shape)

[<Fact>]
let ``one_hot rows hold a single 1 at the label, so their argmax is the label`` () =
    forSeeds 30 (fun s ->
        let shape = s.Shape(0, 2)
        let classes = s.Int(1, 5)
        let labels = s.Indices(shape, classes)
        let hot = Tensor.OneHot(labels, classes)
        Assert.Equal<int[]>(Array.append shape [| classes |], hot.Shape)
        Assert.Equal<int[]>(ints labels, ints (hot.ArgMax(-1)))
        Assert.All(doubles (hot.Sum([| -1 |])), fun v -> Assert.Equal(1.0, v)))

[<Fact>]
let ``numpy-style slicing of a vector picks the indices of Python's range for the bounds`` () =
    forSeeds 200 (fun s ->
        let n = s.Int(0, 6)
        let bound () = if s.Int(0, 2) = 0 then None else Some(s.Int(-8, 8))
        let start, stop = bound (), bound ()
        let step = (if s.Coin() then -1 else 1) * s.Int(1, 3)
        // Python's rules, stated directly: resolve negatives, clamp into the walk's range, then walk.
        let resolve b dflt =
            match b with
            | None -> dflt
            | Some b ->
                let b = if b < 0 then b + n else b
                if step > 0 then min (max b 0) n else min (max b -1) (n - 1)
        let first = resolve start (if step > 0 then 0 else n - 1)
        let last = resolve stop (if step > 0 then n else -1)
        let expected = if step > 0 then [| first .. step .. last - 1 |] else [| first .. step .. last + 1 |]
        let toNullable = Option.toNullable
        let v = Tensor.FromArray(Array.init n float, [| n |])
        let actual = v.Slice(struct (toNullable start, toNullable stop, step))
        Assert.Equal<float[]>(Array.map float expected, doubles actual))

[<Fact>]
let ``flip reverses the chosen axes and is its own inverse`` () =
    let x = float64s [| 2; 3 |] [| 0.0; 1.0; 2.0; 3.0; 4.0; 5.0 |]
    Assert.Equal<float[]>([| 2.0; 1.0; 0.0; 5.0; 4.0; 3.0 |], doubles (x.Flip(1)))
    Assert.Equal<float[]>([| 5.0; 4.0; 3.0; 2.0; 1.0; 0.0 |], doubles (x.Flip()))
    Assert.Equal<float[]>(doubles x, doubles (x.Flip(-2).Flip(0)))
    Assert.Equal<float[]>([| 4.0; 3.0; 1.0; 0.0 |], doubles (x.Slice(struct (Nullable(), Nullable(), -1), struct (Nullable 1, Nullable(), -1))))

[<Fact>]
let ``squeeze and flatten give the documented shapes`` () =
    let x = Tensor.Zeros(1, 3, 1, 2)
    Assert.Equal<int[]>([| 3; 2 |], x.Squeeze().Shape)
    Assert.Equal<int[]>([| 1; 3; 2 |], x.Squeeze(-2).Shape)
    Assert.Equal<int[]>([| 6 |], x.Flatten().Shape)
    Assert.Equal<int[]>([| 1; 3; 2 |], x.Flatten(1, 2).Shape)
    Assert.Equal<int[]>([| 1 |], Tensor.Scalar(2.0).Flatten().Shape)

// ---- errors name the op, the offending value and the shape ----

[<Fact>]
let ``an axis out of range is an error naming the op and the shape`` () =
    let x = Tensor.Zeros(2, 3)
    throwsWith<ArgumentException> [ "max"; "axis 2"; "[2, 3]" ] (fun () -> x.Max(2) |> ignore)
    throwsWith<ArgumentException> [ "argmin"; "axis -3"; "[2, 3]" ] (fun () -> x.ArgMin(-3) |> ignore)
    throwsWith<ArgumentException> [ "log_softmax"; "axis 5"; "[2, 3]" ] (fun () -> x.LogSoftmax(5) |> ignore)
    throwsWith<ArgumentException> [ "mean"; "axis 3"; "[2, 3]" ] (fun () -> x.Mean(3) |> ignore)
    throwsWith<ArgumentException> [ "flip"; "repeated"; "[2, 3]" ] (fun () -> x.Flip(1, -1) |> ignore)

[<Fact>]
let ``an index out of range is an error naming the op, the index, the axis and the shape`` () =
    let x = Tensor.Zeros(2, 3)
    throwsWith<IndexOutOfRangeException> [ "gather"; "index 3"; "axis 1"; "[2, 3]" ]
        (fun () -> x.TakeAlongAxis(int32s [| 2; 1 |] [| 0; 3 |], 1) |> ignore)
    throwsWith<IndexOutOfRangeException> [ "gather"; "index -3"; "axis 0"; "[2, 3]" ]
        (fun () -> x.TakeAlongAxis(int32s [| 1; 3 |] [| 0; -3; 1 |], 0) |> ignore)
    throwsWith<IndexOutOfRangeException> [ "scatter_add"; "index 2"; "axis 0"; "[2, 3]" ]
        (fun () -> x.ScatterAdd(0, int32s [| 1; 3 |] [| 2; 0; 0 |], Tensor.Ones(1, 3)) |> ignore)
    throwsWith<IndexOutOfRangeException> [ "index_select"; "index 3"; "axis 1"; "[2, 3]" ]
        (fun () -> x.IndexSelect(1, int32s [| 2 |] [| 0; 3 |]) |> ignore)
    throwsWith<ArgumentException> [ "one_hot"; "label 4"; "[0, 4)"; "[3]" ]
        (fun () -> Tensor.OneHot(int32s [| 3 |] [| 0; 4; 1 |], 4) |> ignore)

[<Fact>]
let ``squeezing an axis that is not size 1 is an error naming the axis and the shape`` () =
    throwsWith<ArgumentException> [ "squeeze"; "axis 1"; "size 3"; "[1, 3, 1]" ] (fun () -> Tensor.Zeros(1, 3, 1).Squeeze(1) |> ignore)

[<Fact>]
let ``reducing zero elements with max, min or argmax is an error, summing them is 0 and prod 1`` () =
    let empty = Tensor.Zeros(0, 3)
    throwsWith<ArgumentException> [ "max"; "zero elements"; "[0, 3]" ] (fun () -> empty.Max(0) |> ignore)
    throwsWith<ArgumentException> [ "min"; "zero elements"; "[0, 3]" ] (fun () -> empty.Min(0) |> ignore)
    throwsWith<ArgumentException> [ "argmax"; "empty"; "[0, 3]" ] (fun () -> empty.ArgMax(0) |> ignore)
    Assert.Equal<float[]>([| 0.0; 0.0; 0.0 |], doubles (empty.Sum(0)))
    Assert.Equal<float[]>([| 1.0; 1.0; 1.0 |], doubles (empty.Prod(0)))
