/// Laws of the function transforms: nesting, forward/reverse agreement, trees, isolation between calls.
module TransformTests

open System
open System.Threading
open Xunit
open Autodiff
open Numeric

let private grad (f: Tensor -> Tensor) = Grad.Gradient(fn f)

[<Fact>]
let ``d/dx of x times (d/dy of x + y) is 1 at any x: no perturbation confusion`` () =
    for x0 in [ -2.0; 0.0; 0.5; 3.0 ] do
        let outer (x: Tensor) =
            let inner = grad (fun y -> x + y)
            x * inner.Invoke(scalar 1.7)
        let d = (grad outer).Invoke(scalar x0)
        Assert.Equal(1.0, d.Item<float>())

[<Fact>]
let ``nested gradients of x cubed give 3x², 6x and 6`` () =
    let f (x: Tensor) = x * x * x
    let g1 = grad f
    let g2 = grad (fun x -> g1.Invoke x)
    let g3 = grad (fun x -> g2.Invoke x)
    for x0 in [ -1.5; 0.25; 2.0 ] do
        Assert.Equal(3.0 * x0 * x0, (g1.Invoke(scalar x0)).Item<float>(), 12)
        Assert.Equal(6.0 * x0, (g2.Invoke(scalar x0)).Item<float>(), 12)
        Assert.Equal(6.0, (g3.Invoke(scalar x0)).Item<float>(), 12)

[<Fact>]
let ``forward-mode and reverse-mode Jacobians agree`` () =
    let f (x: Tensor) = (x.Sin() * x.Reshape(1, -1).MatMul(x.Reshape(-1, 1)).Reshape()).Exp()
    let x = randomTensor 3 -1.0 1.0 [| 4 |]
    let jf = Grad.JacobianForward(fn f).Invoke(x)
    let jr = Grad.JacobianReverse(fn f).Invoke(x)
    Assert.Equal<int[]>([| 4; 4 |], jf.Shape)
    assertAllClose 1e-12 1e-14 "jacobian" (doubles jf) (doubles jr)

[<Fact>]
let ``Jvp pushes a tangent in one forward pass and agrees with the pullback's transpose`` () =
    let f (x: Tensor) = (x * x).Sin().Sum([| 1 |])
    let x = randomTensor 5 -2.0 2.0 [| 3; 4 |]
    let v = randomTensor 6 -1.0 1.0 [| 3; 4 |]
    let u = randomTensor 7 -1.0 1.0 [| 3 |]
    let struct (y1, jv) = Grad.Jvp(fn f, x, v)
    let struct (y2, pullback) = Grad.Vjp(fn f, x)
    assertAllClose 0.0 0.0 "value" (doubles y1) (doubles y2)
    Assert.Equal(dot u jv, dot (pullback.Invoke u) v, 12)

[<Fact>]
let ``Hessian of a scalar function matches finite differences of its gradient`` () =
    let f (x: Tensor) = (x.Sin() * x.Exp()).Sum() + (x * x).Sum() * x.Sum()
    let x = randomTensor 11 -1.0 1.0 [| 3 |]
    let h = Grad.Hessian(fn f).Invoke(x)
    let g = grad f
    let step = 1e-5
    for j in 0 .. 2 do
        let shifted s = Tensor.FromArray(doubles x |> Array.mapi (fun i v -> if i = j then v + s else v), [| 3 |])
        let column = Array.map2 (fun a b -> (a - b) / (2.0 * step)) (doubles (g.Invoke(shifted step))) (doubles (g.Invoke(shifted -step)))
        let actual = doubles h |> Array.chunkBySize 3 |> Array.map (fun row -> row.[j])
        assertAllClose 1e-6 1e-7 (sprintf "Hessian column %d" j) column actual

[<Fact>]
let ``Hessian-vector products of composite functions match finite differences of gradients`` () =
    let functions : (string * (Tensor[] -> Tensor)) list =
        [ "sum sin(x)·y²", fun p -> (p.[0].Sin() * p.[1] * p.[1]).Sum()
          "exp of a quadratic form", fun p -> (p.[0].Reshape(1, -1).MatMul(p.[1].Reshape(-1, 1)).Reshape() * 0.3).Exp()
          "log of sum of squares", fun p -> ((p.[0] * p.[0]).Sum() + (p.[1] * p.[1]).Sum() + 1.0).Log()
          "reciprocal of a shifted product", fun p -> ((p.[0] * p.[1]).Sum() + 5.0).Reciprocal() ]
    for name, f in functions do
        let x = [| randomTensor 1 -1.0 1.0 [| 4 |]; randomTensor 2 -1.0 1.0 [| 4 |] |]
        let v = [| randomTensor 3 -1.0 1.0 [| 4 |]; randomTensor 4 -1.0 1.0 [| 4 |] |]
        let hv = Grad.HessianVectorProduct(fn f, x, v)
        let g = Grad.Gradient(fn f)
        let step = 1e-5
        let at s = g.Invoke(Array.map2 (fun (xi: Tensor) (vi: Tensor) -> xi + vi * s) x v)
        let (plus, minus) = (at step, at -step)
        for i in 0 .. 1 do
            let fd = Array.map2 (fun a b -> (a - b) / (2.0 * step)) (doubles plus.[i]) (doubles minus.[i])
            assertAllClose 1e-6 1e-7 (sprintf "%s, input %d" name i) fd (doubles hv.[i])

[<Fact>]
let ``differentiating through a function that itself takes a gradient`` () =
    // f(x) = Σ x · ∇(Σ sin(x·y))|_y=x  →  analytic derivative checked by finite differences.
    let f (x: Tensor) =
        let inner = Grad.Gradient(fn (fun (y: Tensor) -> (x * y).Sin().Sum()))
        (x * inner.Invoke(x)).Sum()
    GradCheck.Assert(Func<Tensor[], Tensor>(fun xs -> f xs.[0]), randomTensor 8 -1.0 1.0 [| 3 |])

[<Fact>]
let ``ValueAndGrad rejects a non-scalar loss with a clear message`` () =
    let vg = Grad.ValueAndGrad(fn (fun (x: Tensor) -> x * 2.0))
    let e = Assert.Throws<ArgumentException>(fun () -> vg.Invoke(randomTensor 1 0.0 1.0 [| 2; 3 |]) |> ignore)
    Assert.Contains("scalar", e.Message)
    Assert.Contains("[2, 3]", e.Message)

[<Fact>]
let ``ValueAndGrad with auxiliary data passes the auxiliary value through`` () =
    let loss (x: Tensor) = struct ((x * x).Sum(), x.Sum())
    let struct (value, aux, g) = Grad.ValueAndGrad(Func<Tensor, struct (Tensor * Tensor)>(loss)).Invoke(randomTensor 2 -1.0 1.0 [| 3 |])
    let x = randomTensor 2 -1.0 1.0 [| 3 |]
    Assert.Equal((doubles x |> Array.sumBy (fun v -> v * v)), value.Item<float>(), 12)
    Assert.Equal((doubles x |> Array.sum), aux.Item<float>(), 12)
    assertAllClose 1e-15 0.0 "grad" (doubles x |> Array.map (fun v -> 2.0 * v)) (doubles g)

[<Fact>]
let ``a function that ignores its input has a zero gradient of the input's shape`` () =
    let g = (grad (fun _ -> scalar 3.0)).Invoke(randomTensor 1 0.0 1.0 [| 2; 2 |])
    Assert.Equal<int[]>([| 2; 2 |], g.Shape)
    Assert.All(doubles g, fun v -> Assert.Equal(0.0, v))

[<Fact>]
let ``StopGradient blocks the derivative but keeps the value`` () =
    let f (x: Tensor) = x * Grad.StopGradient(x)
    let x = scalar 3.0
    Assert.Equal(9.0, ((fn f).Invoke x).Item<float>())
    Assert.Equal(3.0, ((grad f).Invoke x).Item<float>())

[<Fact>]
let ``a custom VJP replaces the derivative of the wrapped function`` () =
    // Straight-through estimator: forward rounds to ±1 via x/|x|, backward passes the cotangent unchanged.
    let sign = Grad.CustomVjp(Func<Tensor[], Tensor>(fun xs -> xs.[0] / (xs.[0] * xs.[0]).Log().Exp().Log().Exp()),
                              Func<Tensor[], Tensor, Tensor, Tensor[]>(fun _ _ gy -> [| gy |]))
    let f (x: Tensor) = (sign.Invoke([| x |]) * 3.0).Sum()
    let g = (grad f).Invoke(Tensor.FromArray([| 0.5; -2.0 |], 2))
    assertAllClose 0.0 0.0 "straight-through gradient" [| 3.0; 3.0 |] (doubles g)

[<Fact>]
let ``an exception anywhere inside nested transforms leaves the interpreter stack as it was`` () =
    let failing (x: Tensor) = x.Reshape(7)
    let failingRule = Grad.CustomVjp(Func<Tensor[], Tensor>(fun xs -> xs.[0] * 2.0), Func<Tensor[], Tensor, Tensor, Tensor[]>(fun _ _ _ -> failwith "rule"))
    let attempts : (string * (unit -> unit)) list =
        [ "in ValueAndGrad", fun () -> Grad.ValueAndGrad(fn (fun (x: Tensor) -> (failing x).Sum())).Invoke(scalar 1.0) |> ignore
          "three levels deep", fun () ->
              (grad (fun x -> let struct (_, t) = Grad.Jvp(fn (fun y -> (grad (fun z -> (failing (z * y)).Sum())).Invoke y), x, x) in t.Sum())).Invoke(scalar 1.0) |> ignore
          "in a custom VJP rule under Jvp", fun () ->
              Grad.HessianVectorProduct(fn (fun (x: Tensor) -> failingRule.Invoke([| x |]).Sum()), scalar 1.0, scalar 1.0) |> ignore ]
    for name, attempt in attempts do
        Assert.ThrowsAny<exn>(attempt) |> ignore
        Assert.True(isNull Interpreter.Current, sprintf "a level was left on the stack after the failure %s" name)
        Assert.Equal(6.0, (scalar 2.0 * scalar 3.0).Item<float>())
    // Caught inside the traced function, the failure leaves the enclosing level on top and the gradient intact.
    let f (x: Tensor) =
        let before = Interpreter.Current
        (try Grad.Jvp(fn failing, x, x) |> ignore with _ -> ())
        Assert.Same(before, Interpreter.Current)
        (x * x).Sum()
    Assert.Equal(6.0, (grad f).Invoke(scalar 3.0).Item<float>())

[<Fact>]
let ``a chain of 100000 ops differentiates without overflowing the stack`` () =
    let f (x: Tensor) =
        let mutable y = x
        for _ in 1 .. 100000 do y <- y * 1.0000001
        y
    // Run on a thread with a small stack so that recursion proportional to depth would fail.
    let mutable result = nan
    let thread = Thread((fun () -> result <- ((grad f).Invoke(scalar 1.0)).Item<float>()), 256 * 1024)
    thread.Start()
    thread.Join()
    Assert.Equal(Math.Pow(1.0000001, 100000.0), result, 9)

[<Fact>]
let ``nothing of the traced graph is retained after a transform returns`` () =
    let mutable weak = WeakReference(null)
    let run () =
        let f (x: Tensor) =
            let big = x * Tensor.Ones(DType.Float64, 1000, 1000)
            weak <- WeakReference(big)
            big.Sum()
        (Grad.ValueAndGrad(fn f)).Invoke(scalar 2.0) |> ignore
    // A separate non-inlined frame so no local keeps the intermediate alive.
    let runner = Action(run)
    runner.Invoke()
    GC.Collect()
    GC.WaitForPendingFinalizers()
    GC.Collect()
    Assert.False(weak.IsAlive, "an intermediate of the traced function is still reachable")

[<Fact>]
let ``two threads computing gradients at once each get their own answer`` () =
    let gradientOf (scale: float) =
        let f (x: Tensor) =
            let mutable y = x
            for _ in 1 .. 2000 do y <- (y * scale).Sin() + y
            y.Sum()
        grad f
    let x = randomTensor 4 -1.0 1.0 [| 16 |]
    let expectedA = (gradientOf 0.3).Invoke(x) |> doubles
    let expectedB = (gradientOf 0.7).Invoke(x) |> doubles
    let results = Array.zeroCreate 2
    use barrier = new Barrier(2)
    let worker i scale = Thread(fun () -> barrier.SignalAndWait(); results.[i] <- (gradientOf scale).Invoke(x) |> doubles)
    let threads = [| worker 0 0.3; worker 1 0.7 |]
    threads |> Array.iter (fun t -> t.Start())
    threads |> Array.iter (fun t -> t.Join())
    assertAllClose 0.0 0.0 "thread A" expectedA results.[0]
    assertAllClose 0.0 0.0 "thread B" expectedB results.[1]

/// Two shapes that broadcast to a random shape: each is a random suffix of it with random dims set to 1.
let private broadcastPair (r: Random) =
    let target = Array.init (r.Next(0, 4)) (fun _ -> r.Next(1, 4))
    let operand () =
        let keep = r.Next(0, target.Length + 1)
        target.[target.Length - keep ..] |> Array.map (fun d -> if r.Next(2) = 0 then 1 else d)
    operand (), operand ()

[<Fact>]
let ``binary operators broadcast by numpy's rules and sum gradients back to each operand's shape`` () =
    let ops : (string * (Tensor -> Tensor -> Tensor)) list =
        [ "+", (+); "-", (-); "*", (*); "/", (fun a b -> a / (b * b + 1.0)); "(a+b)(a-b)", (fun a b -> (a + b) * (a - b)) ]
    let property seed =
        let r = Random(seed)
        let (sa, sb) = broadcastPair r
        for name, op in ops do
            let a = randomTensor (seed + 1) -1.0 1.0 sa
            let b = randomTensor (seed + 2) -1.0 1.0 sb
            let y = op a b
            // The result has the broadcast shape, and every element equals the op on the broadcast elements.
            let expected = Array.init (max sa.Length sb.Length) (fun i ->
                let pick (s: int[]) = let j = i - (max sa.Length sb.Length - s.Length) in if j < 0 then 1 else s.[j]
                max (pick sa) (pick sb))
            Assert.Equal<int[]>(expected, y.Shape)
            try GradCheck.Assert(Func<Tensor[], Tensor>(fun xs -> op xs.[0] xs.[1]), a, b)
            with e -> failwithf "%s on %A and %A: %s" name sa sb e.Message
    FsCheck.Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(60).WithQuietOnSuccess(true),
                      FsCheck.FSharp.Prop.forAll (FsCheck.FSharp.Arb.fromGen (FsCheck.FSharp.Gen.choose (0, 1000000))) property)

[<Fact>]
let ``mismatched broadcast names the op, shapes and dtypes`` () =
    let a = randomTensor 1 0.0 1.0 [| 2; 3 |]
    let b = randomTensor 1 0.0 1.0 [| 4 |]
    let e = Assert.Throws<ArgumentException>(fun () -> a + b |> ignore)
    Assert.Contains("add", e.Message)
    Assert.Contains("[2, 3]", e.Message)
    Assert.Contains("[4]", e.Message)
    Assert.Contains("float64", e.Message)

[<Fact>]
let ``mixing dtypes without a cast is an error`` () =
    let a = Tensor.FromArray([| 1.0f; 2.0f |], 2)
    let b = Tensor.FromArray([| 1.0; 2.0 |], 2)
    let e = Assert.Throws<ArgumentException>(fun () -> a * b |> ignore)
    Assert.Contains("float32", e.Message)
    Assert.Contains("float64", e.Message)

[<Fact>]
let ``matmul with mismatched inner dimensions names both shapes`` () =
    let e = Assert.Throws<ArgumentException>(fun () -> (randomTensor 1 0.0 1.0 [| 2; 3 |]).MatMul(randomTensor 1 0.0 1.0 [| 4; 5 |]) |> ignore)
    Assert.Contains("matmul", e.Message)
    Assert.Contains("[2, 3]", e.Message)
    Assert.Contains("[4, 5]", e.Message)

[<Fact>]
let ``reshape to a different size and an out-of-range axis are errors naming the op`` () =
    let x = randomTensor 1 0.0 1.0 [| 2; 3 |]
    let e1 = Assert.Throws<ArgumentException>(fun () -> x.Reshape(4, 2) |> ignore)
    Assert.Contains("reshape", e1.Message)
    Assert.Contains("[2, 3]", e1.Message)
    let e2 = Assert.Throws<ArgumentOutOfRangeException>(fun () -> x.Sum([| 2 |]) |> ignore)
    Assert.Contains("sum", e2.Message)
    Assert.Contains("axis 2", e2.Message)

[<Fact>]
let ``FromArray rejects data that does not fill the shape`` () =
    let e = Assert.Throws<ArgumentException>(fun () -> Tensor.FromArray([| 1.0; 2.0; 3.0 |], 2, 2) |> ignore)
    Assert.Contains("[2, 2]", e.Message)

[<Fact>]
let ``matmul follows numpy's rules for vectors and broadcast batches`` () =
    let a = randomTensor 1 -1.0 1.0 [| 2; 1; 3; 4 |]
    let b = randomTensor 2 -1.0 1.0 [| 5; 4; 2 |]
    Assert.Equal<int[]>([| 2; 5; 3; 2 |], a.MatMul(b).Shape)
    let v = randomTensor 3 -1.0 1.0 [| 4 |]
    Assert.Equal<int[]>([| 2; 1; 3 |], a.MatMul(v).Shape)
    Assert.Equal<int[]>([||], v.MatMul(v).Shape)
    Assert.Equal(dot v v, v.Dot(v).Item<float>(), 12)
    for shapes in [ [| [| 3; 4 |]; [| 4 |] |]; [| [| 4 |]; [| 4; 2 |] |]; [| [| 2; 1; 3; 4 |]; [| 5; 4; 2 |] |]; [| [| 4 |]; [| 4 |] |] ] do
        GradCheck.Assert(Func<Tensor[], Tensor>(fun xs -> xs.[0].MatMul(xs.[1])), randomTensor 5 -1.0 1.0 shapes.[0], randomTensor 6 -1.0 1.0 shapes.[1])

[<Fact>]
let ``a matmul operand that is a constant gets no cotangent work, and the other operand's gradient is unchanged`` () =
    let x = randomTensor 1 -1.0 1.0 [| 5; 4 |]
    let w = randomTensor 2 -1.0 1.0 [| 4; 3 |]
    let both = Grad.Gradient(fn (fun (p: Tensor[]) -> (p.[0].MatMul(p.[1]).Sin()).Sum())).Invoke([| x; w |])
    let onlyW = (grad (fun w -> (x.MatMul(w).Sin()).Sum())).Invoke(w)
    let onlyX = (grad (fun x -> (x.MatMul(w).Sin()).Sum())).Invoke(x)
    assertAllClose 0.0 0.0 "gradient for w alone" (doubles both.[1]) (doubles onlyW)
    assertAllClose 0.0 0.0 "gradient for x alone" (doubles both.[0]) (doubles onlyX)
