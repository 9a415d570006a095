/// Regression tests from an adversarial audit: each test states a property that once failed, in the cases
/// the registry's domain samplers never draw (threads inside a transform, caller-owned input arrays, custom VJPs
/// returning stored tensors, async functions, negative and overflowing shapes, zero-sized Jacobians, values that
/// do not fit in int32, primitives bound directly with bad parameters).
module AuditTests

open System
open System.Threading
open Xunit
open Autodiff
open Numeric

let private throwsWith<'e when 'e :> exn> (parts: string list) (action: unit -> unit) =
    let e = Assert.ThrowsAny<'e>(action)
    for part in parts do
        Assert.True(e.Message.Contains(part: string), sprintf "expected the message to contain \"%s\": %s" part e.Message)

// ---- the interpreter stack ----

[<Fact>]
let ``ops bound from parallel workers inside a transform are all differentiated`` () =
    // The stack is an AsyncLocal, so threads started inside the function inherit the transform's level and bind ops on it
    // concurrently: its tape and tangent table must survive concurrent writers and lose no entry.
    let pieces = 2000
    let f (x: Tensor) =
        let parts = Array.zeroCreate<Tensor> pieces
        // Threads of their own: under the test runner, pool tasks may be inlined into the waiting thread.
        let workers = 4
        use start = new Barrier(workers)
        let failures = Collections.Concurrent.ConcurrentQueue<exn>()
        let work w =
            Thread(fun () ->
                start.SignalAndWait()
                try
                    for i in w .. workers .. pieces - 1 do parts.[i] <- ((x * float (i % 3 + 1)).Sin() + x) * x
                with e -> failures.Enqueue e)
        let threads = Array.init workers work
        threads |> Array.iter (fun t -> t.Start())
        threads |> Array.iter (fun t -> t.Join())
        match failures.TryPeek() with
        | true, e -> raise (AggregateException(e))
        | _ -> ()
        Tensor.Stack(parts).Sum()
    let x0 = 0.3
    // d/dx (sin(kx) + x)·x = (k·cos(kx) + 1)·x + sin(kx) + x
    let expected = Seq.sum [ for i in 0 .. pieces - 1 -> let k = float (i % 3 + 1) in (k * Math.Cos(k * x0) + 1.0) * x0 + Math.Sin(k * x0) + x0 ]
    for _ in 1 .. 8 do
        let g = Grad.Gradient(fn f).Invoke(scalar x0).Item<float>()
        let struct (_, t) = Grad.Jvp(fn f, scalar x0, scalar 1.0)
        Assert.Equal(expected, g, 9)
        Assert.Equal(expected, t.Item<float>(), 9)

[<Fact>]
let ``changing the array passed to a variadic op afterwards does not change its derivative`` () =
    // The tape must hold the inputs as they were when the op ran, not the caller's (reusable) array.
    let weights = Tensor.FromArray([| 1.0; 2.0 |], 2)
    let viaConcat (x: Tensor) =
        let buffer = [| x.Reshape(1); x.Reshape(1) |]
        let y = Tensor.Concat(buffer)
        buffer.[0] <- (x * 10.0).Reshape(1)
        (y * weights).Sum()
    Assert.Equal(3.0, Grad.Gradient(fn viaConcat).Invoke(scalar 1.0).Item<float>())
    let product = Grad.CustomVjp(fn (fun (xs: Tensor[]) -> xs.[0] * xs.[1]), Func<Tensor[], Tensor, Tensor, Tensor[]>(fun xs _ gy -> [| gy * xs.[1]; gy * xs.[0] |]))
    let viaCustom (x: Tensor) =
        let args = [| x; scalar 2.0 |]
        let y = product.Invoke(args)
        args.[1] <- scalar 100.0
        y
    Assert.Equal(2.0, Grad.Gradient(fn viaCustom).Invoke(scalar 1.0).Item<float>())

// ---- shapes ----

[<Fact>]
let ``a negative dimension is an error naming the function and the shape, never a tensor`` () =
    // Two negative dimensions multiply to a positive size: Zeros(-2, -3) used to be a 6-element tensor of shape [-2, -3].
    throwsWith<ArgumentException> [ "Full"; "negative dimension"; "[-2, -3]" ] (fun () -> Tensor.Zeros(-2, -3) |> ignore)
    throwsWith<ArgumentException> [ "Full"; "negative dimension"; "[-1]" ] (fun () -> Tensor.Ones(DType.Int32, -1) |> ignore)
    throwsWith<ArgumentException> [ "broadcast_to"; "[-2, -3]" ] (fun () -> Tensor.Ones(1).BroadcastTo(-2, -3) |> ignore)
    throwsWith<ArgumentException> [ "broadcast_to"; "[-1]" ] (fun () -> Tensor.Ones(1).BroadcastTo(-1) |> ignore)

[<Fact>]
let ``a shape with more elements than an array holds is an error even when its product overflows 64 bits`` () =
    // 65536⁴ = 2⁶⁴ wrapped to 0 in a long: the shape passed for an empty tensor.
    throwsWith<ArgumentException> [ "Full"; "[65536, 65536, 65536, 65536]"; "18446744073709551616 elements" ]
        (fun () -> Tensor.Zeros(65536, 65536, 65536, 65536) |> ignore)
    throwsWith<ArgumentException> [ "pad"; "more than an array can hold" ]
        (fun () -> Tensor.Ones(2).Pad([| struct (Int32.MaxValue, 1) |]) |> ignore)
    // A zero dimension empties the shape however large the others are.
    let empty = Tensor.Zeros(0, Int32.MaxValue, Int32.MaxValue, Int32.MaxValue)
    Assert.Equal(0, empty.Size)
    Assert.Equal<int[]>([| 0; Int32.MaxValue; Int32.MaxValue; Int32.MaxValue |], empty.Shape)

[<Fact>]
let ``SumTo accepts only shapes that broadcast to the tensor's shape`` () =
    let x = Tensor.Arange(0.0, 6.0, 1.0, DType.Float64).Reshape(2, 3)
    // No axis of [3, 2] is a broadcast axis of [2, 3], so SumTo used to return x reshaped to [3, 2].
    throwsWith<ArgumentException> [ "sum_to"; "[2, 3]"; "[3, 2]" ] (fun () -> x.SumTo(3, 2) |> ignore)
    throwsWith<ArgumentException> [ "sum_to"; "[1, 2, 3]" ] (fun () -> x.SumTo(1, 2, 3) |> ignore)
    throwsWith<ArgumentException> [ "sum_to"; "[6]" ] (fun () -> x.SumTo(6) |> ignore)
    throwsWith<ArgumentException> [ "sum_to"; "[-1]" ] (fun () -> x.SumTo(-1) |> ignore)
    Assert.Equal<float[]>([| 3.0; 5.0; 7.0 |], doubles (x.SumTo(3)))
    Assert.Equal<float[]>([| 3.0; 12.0 |], doubles (x.SumTo(2, 1)))
    Assert.Equal<float[]>([| 15.0 |], doubles (x.SumTo(1, 1)))
    Assert.Equal(15.0, x.SumTo().Item<float>())

// ---- transforms ----

[<Fact>]
let ``Jacobians of functions with empty inputs or outputs are empty, in both modes`` () =
    let empty = Tensor.Zeros(DType.Float64, 0)
    let x = randomTensor 1 -1.0 1.0 [| 2 |]
    let cases : (string * (Tensor -> Tensor) * Tensor * int[]) list =
        [ "[0] -> [0]", (fun t -> t * t), empty, [| 0; 0 |]
          "[2] -> [0]", (fun t -> t.Slice(0, 0, Nullable 0)), x, [| 0; 2 |]
          "[0] -> [3]", (fun t -> t.Sum() * Tensor.Ones(DType.Float64, 3)), empty, [| 3; 0 |]
          "[0] -> []", (fun t -> t.Sum()), empty, [| 0 |] ]
    let modes : (string * (Func<Tensor, Tensor> -> Func<Tensor, Tensor>)) list =
        [ "reverse", Grad.JacobianReverse; "forward", Grad.JacobianForward; "default", Grad.Jacobian ]
    for name, f, input, expected in cases do
        for mode, jacobian in modes do
            let j = (jacobian (fn f)).Invoke(input)
            Assert.True((expected = j.Shape), sprintf "%s Jacobian of %s has shape %s" mode name j.ShapeText)
    Assert.Equal<int[]>([| 0; 0 |], Grad.Hessian(fn (fun (t: Tensor) -> (t * t).Sum())).Invoke(empty).Shape)

[<Fact>]
let ``a Jacobian of an int output or with respect to an int input names the transform`` () =
    let ints = Tensor.FromArray([| 1; 2 |], 2)
    throwsWith<ArgumentException> [ "JacobianReverse"; "int32 [2]" ]
        (fun () -> Grad.JacobianReverse(fn (fun (t: Tensor) -> t.Cast(DType.Int32))).Invoke(randomTensor 1 -1.0 1.0 [| 2 |]) |> ignore)
    throwsWith<ArgumentException> [ "JacobianForward"; "int32 [2]" ]
        (fun () -> Grad.JacobianForward(fn (fun (t: Tensor) -> t.Cast(DType.Float64))).Invoke(ints) |> ignore)

[<Fact>]
let ``a pullback given a cotangent of the wrong shape or dtype names Vjp, the leaf and both shapes`` () =
    // It used to report "identity: seed cotangent rule returned ...": an op and a rule the caller never wrote.
    let struct (_, pullback) = Grad.Vjp(fn (fun (a: Tensor) -> struct (a * a, a.Sum())), randomTensor 1 -1.0 1.0 [| 3 |])
    let one = Tensor.Scalar(1.0, DType.Float64)
    throwsWith<ArgumentException> [ "Vjp pullback"; "cotangent leaf 0"; "float64 [2]"; "float64 [3]" ]
        (fun () -> pullback.Invoke(struct (Tensor.Ones(DType.Float64, 2), one)) |> ignore)
    throwsWith<ArgumentException> [ "Vjp pullback"; "cotangent leaf 1"; "float32 []"; "float64 []" ]
        (fun () -> pullback.Invoke(struct (Tensor.Ones(DType.Float64, 3), Tensor.Scalar(1.0))) |> ignore)

// ---- conversions to int32 ----

[<Fact>]
let ``a value that does not fit in int32 is an error naming the function, not a bare overflow`` () =
    throwsWith<ArgumentException> [ "Full"; "NaN"; "int32" ] (fun () -> Tensor.Full(nan, DType.Int32, 2) |> ignore)
    throwsWith<ArgumentException> [ "Full"; "10000000000"; "int32" ] (fun () -> Tensor.Scalar(1e10, DType.Int32) |> ignore)
    throwsWith<ArgumentException> [ "Arange"; "element 3"; "3000000000"; "int32" ] (fun () -> Tensor.Arange(0.0, 5e9, 1e9, DType.Int32) |> ignore)
    let x = Tensor.FromArray([| 1.5; nan; -3e9 |], 3)
    throwsWith<OverflowException> [ "ToArray"; "element 1"; "float64 [3]"; "NaN" ] (fun () -> x.ToArray<int>() |> ignore)
    throwsWith<OverflowException> [ "Item"; "float32 []"; "Infinity" ] (fun () -> Tensor.Scalar(infinity).Item<int>() |> ignore)
    // In range, conversion truncates toward zero, as a C# cast does.
    Assert.Equal<int[]>([| 2; -2; Int32.MaxValue; Int32.MinValue |], Tensor.FromArray([| 2.9; -2.9; 2147483647.5; -2147483648.5 |], 4).ToArray<int>())
    Assert.Equal<int[]>([| -7; -7 |], Tensor.Full(-7.9, DType.Int32, 2).ToArray<int>())

[<Fact>]
let ``numpy slicing with a step of int.MinValue picks one element, as Python does`` () =
    // x[::-2**31] and x[1::-2**31]: Math.Abs(int.MinValue) used to throw an OverflowException.
    let x = Tensor.Arange(5)
    let step (start: int option) = x.Slice([| struct (Option.toNullable start, Nullable(), Int32.MinValue) |]).ToArray<int>()
    Assert.Equal<int[]>([| 4 |], step None)
    Assert.Equal<int[]>([| 1 |], step (Some 1))
    Assert.Equal<int[]>([| 0 |], x.Slice([| struct (Nullable(), Nullable(), Int32.MaxValue) |]).ToArray<int>())

[<Fact>]
let ``a custom VJP whose function returns a stored tensor does not mix up calls or tag the stored tensor`` () =
    // A lookup returns the same tensor object on every call. Transforms key derivatives by object, so unless the op
    // returns a fresh object, two calls share one cotangent and the stored constant picks up a tangent.
    let table = Tensor.FromArray([| 1.0; 2.0 |], 2)
    let lookup =
        Grad.CustomVjp(fn (fun (_: Tensor[]) -> table),
                       Func<Tensor[], Tensor, Tensor, Tensor[]>(fun xs _ gy -> [| gy.Sum() * Tensor.OnesLike(xs.[0]) |]))
    let f (struct (a: Tensor, b: Tensor)) = (lookup.Invoke([| a |]) + lookup.Invoke([| b |])).Sum()
    let struct (ga, gb) = Grad.Gradient(fn f).Invoke(struct (scalar 1.0, scalar 1.0))
    Assert.Equal<float[]>([| 2.0 |], doubles ga)
    Assert.Equal<float[]>([| 2.0 |], doubles gb)
    // The table itself is a constant: only the custom op's own output carries the tangent.
    let struct (_, t) = Grad.Jvp(fn (fun (a: Tensor) -> lookup.Invoke([| a |]) * 0.0 + table), scalar 1.0, scalar 1.0)
    Assert.Equal<float[]>([| 0.0; 0.0 |], doubles t)

// ---- primitives bound directly (Primitive.Bind and the op instances are public) ----

[<Fact>]
let ``primitives bound directly check their axes and permutations and name themselves`` () =
    let x = Tensor.Ones(2, 3)
    // A short permutation used to drop axes silently: permute [0] of a [2, 3] tensor gave a [2] tensor.
    throwsWith<ArgumentException> [ "permute"; "[0]"; "[2, 3]" ] (fun () -> PermuteOp.Instance.Bind(PermParams([| 0 |]), x) |> ignore)
    throwsWith<ArgumentException> [ "permute"; "[0, 0]"; "[2, 3]" ] (fun () -> PermuteOp.Instance.Bind(PermParams([| 0; 0 |]), x) |> ignore)
    // These used to fail with IndexOutOfRangeException or ArgumentOutOfRangeException from inside the kernels.
    throwsWith<ArgumentException> [ "sum"; "[5]"; "[2, 3]" ] (fun () -> SumOp.Instance.Bind(ReduceParams([| 5 |], false), x) |> ignore)
    throwsWith<ArgumentException> [ "max"; "[1, 0]"; "[2, 3]" ] (fun () -> MaxOp.Instance.Bind(ReduceParams([| 1; 0 |], false), x) |> ignore)
    throwsWith<ArgumentException> [ "argmax"; "[-1]"; "[2, 3]" ] (fun () -> ArgMaxOp.Instance.Bind(ReduceParams([| -1 |], false), x) |> ignore)
    throwsWith<ArgumentException> [ "concat"; "axis 2"; "[2, 3]" ] (fun () -> ConcatOp.Instance.Bind(AxisParams(2), x, x) |> ignore)

[<Fact>]
let ``transforming a function that returns a task is an error, not a zero derivative`` () =
    // Tasks are not tree nodes: the pullback of an async function used to return zeros, its tangent the task itself.
    let asTask (x: Tensor) = Tasks.Task.FromResult(x * x)
    let asValueTask (x: Tensor) = Tasks.ValueTask<Tensor>(x * x)
    throwsWith<ArgumentException> [ "Vjp"; "Task<Tensor>" ] (fun () -> Grad.Vjp(fn asTask, scalar 1.0) |> ignore)
    throwsWith<ArgumentException> [ "Jvp"; "Task<Tensor>" ] (fun () -> Grad.Jvp(fn asTask, scalar 1.0, scalar 1.0) |> ignore)
    throwsWith<ArgumentException> [ "Vjp"; "ValueTask<Tensor>" ] (fun () -> Grad.Vjp(fn asValueTask, scalar 1.0) |> ignore)
    // Waiting inside the function works: the task's continuation runs at the transform's level.
    let waited (x: Tensor) = (Tasks.Task.Run(fun () -> x * x)).GetAwaiter().GetResult()
    Assert.Equal(6.0, Grad.Gradient(fn waited).Invoke(scalar 3.0).Item<float>())

[<Fact>]
let ``null arrays and null tensors in concat, stack, split and pad are named errors, not null dereferences`` () =
    let x = Tensor.FromArray([| 1.0; 2.0 |], 2)
    let e1 = Assert.Throws<ArgumentNullException>(fun () -> Tensor.Concat([| Unchecked.defaultof<Tensor>; x |]) |> ignore)
    Assert.Contains("concat: tensor 0 of 2 is null", e1.Message)
    let e2 = Assert.Throws<ArgumentNullException>(fun () -> Tensor.Stack([| x; Unchecked.defaultof<Tensor> |]) |> ignore)
    Assert.Contains("stack: tensor 1 of 2 is null", e2.Message)
    Assert.Throws<ArgumentNullException>(fun () -> x.Split(Unchecked.defaultof<int[]>, 0) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> x.Pad(Unchecked.defaultof<struct (int * int)[]>) |> ignore) |> ignore

[<Fact>]
let ``binding a primitive with parameters of the wrong type names the op and both types`` () =
    let x = Tensor.FromArray([| 1.0; 2.0 |], 2)
    let e = Assert.Throws<ArgumentException>(fun () -> SumOp.Instance.Bind(OpParams.None, x) |> ignore)
    Assert.Contains("sum: takes parameters of type ReduceParams, got OpParams", e.Message)
    let e2 = Assert.Throws<ArgumentException>(fun () -> ReshapeOp.Instance.Bind(AxisParams(0), x) |> ignore)
    Assert.Contains("reshape", e2.Message)
    Assert.Contains("ShapeParams", e2.Message)
