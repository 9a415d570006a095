/// Elementwise composites (activations, clamp, maximum/minimum, where with broadcasting), saturating
/// functions at extreme inputs, the accuracy of erf, log1p and expm1, casts, comparisons and their errors.
/// The primitives' own derivative rules are covered by the registry-wide properties.
module ElementwiseTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Autodiff
open Numeric

let private grad (f: Tensor -> Tensor) = Grad.Gradient(fn f)

let private seeds = Arb.fromGen (Gen.choose (0, Int32.MaxValue - 1))

/// Runs `property` on `count` random seeds, naming the seed on failure.
let private forSeeds count (property: int -> unit) =
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true), Prop.forAll seeds property)

/// float64 values uniform in [lo, hi], each resampled until at least `gap` away from every kink.
let private awayFrom (kinks: float list) (gap: float) (r: Random) (lo: float) (hi: float) (shape: int[]) =
    let sample () =
        let mutable v = lo + (hi - lo) * r.NextDouble()
        while kinks |> List.exists (fun k -> abs (v - k) < gap) do v <- lo + (hi - lo) * r.NextDouble()
        v
    Tensor.FromArray(Array.init (Array.fold (*) 1 shape) (fun _ -> sample ()), shape)

let private randomShape (r: Random) = Array.init (r.Next(0, 4)) (fun _ -> r.Next(1, 5))

let private bools (r: Random) (shape: int[]) = Tensor.FromArray(Array.init (Array.fold (*) 1 shape) (fun _ -> r.Next(2) = 1), shape)

/// a [3, 4] and b [4] with b[j] 0.1 to 1 away from every a[i, j], on either side: no ties.
let private offTies (r: Random) =
    let b = randomTensor (r.Next()) -2.0 2.0 [| 4 |]
    let bv = doubles b
    let a = Array.init 12 (fun i -> bv.[i % 4] + (if r.Next(2) = 0 then -1.0 else 1.0) * (0.1 + 0.9 * r.NextDouble()))
    Tensor.FromArray(a, [| 3; 4 |]), b

/// Composites with a sampler of inputs kept off their kinks (and off ties), as (name, f, inputs).
let private composites : (string * (Tensor[] -> Tensor) * (Random -> Tensor[])) list =
    [ "leaky_relu", (fun x -> x.[0].LeakyRelu(0.2)), (fun r -> [| awayFrom [ 0.0 ] 0.1 r -3.0 3.0 (randomShape r) |])
      "elu", (fun x -> x.[0].Elu(1.5)), (fun r -> [| awayFrom [ 0.0 ] 0.1 r -3.0 3.0 (randomShape r) |])
      "gelu (erf)", (fun x -> x.[0].Gelu()), (fun r -> [| awayFrom [] 0.0 r -4.0 4.0 (randomShape r) |])
      "gelu (tanh)", (fun x -> x.[0].Gelu(approximate = true)), (fun r -> [| awayFrom [] 0.0 r -4.0 4.0 (randomShape r) |])
      "clamp(-1, 1.5)", (fun x -> x.[0].Clamp(-1.0, 1.5)), (fun r -> [| awayFrom [ -1.0; 1.5 ] 0.1 r -3.0 3.0 (randomShape r) |])
      // Bounds vary by at most 0.05 around -1 and 1.5, x stays 0.2 away: no ties.
      "clamp(x, lo, hi) broadcasting",
      (fun x -> x.[0].Clamp(x.[1], x.[2])),
      (fun r ->
          [| awayFrom [ -1.0; 1.5 ] 0.2 r -3.0 3.0 [| 3; 4 |]
             randomTensor (r.Next()) -1.05 -0.95 [| 4 |]
             randomTensor (r.Next()) 1.45 1.55 [| 3; 1 |] |])
      "maximum broadcasting", (fun x -> Tensor.Maximum(x.[0], x.[1])), (fun r -> let a, b = offTies r in [| a; b |])
      "minimum broadcasting", (fun x -> Tensor.Minimum(x.[1], x.[0])), (fun r -> let a, b = offTies r in [| a; b |])
      "where broadcasting cond [3, 1], a [4], b []",
      (fun x -> Tensor.Where(x.[0], x.[1], x.[2])),
      (fun r -> [| bools r [| 3; 1 |]; randomTensor (r.Next()) -3.0 3.0 [| 4 |]; randomTensor (r.Next()) -3.0 3.0 [||] |])
      "pow broadcasting a [2, 3] ^ b [3]",
      (fun x -> x.[0].Pow(x.[1])),
      (fun r -> [| randomTensor (r.Next()) 0.2 3.0 [| 2; 3 |]; randomTensor (r.Next()) -2.0 2.0 [| 3 |] |]) ]

[<Fact>]
let ``VJP and JVP of every composite match central finite differences off kinks and ties`` () =
    for name, f, sample in composites do
        forSeeds 20 (fun seed ->
            let inputs = sample (Random seed)
            try GradCheck.Assert(fn f, inputs)
            with e -> failwithf "%s, seed %d: %s" name seed e.Message)

[<Fact>]
let ``maximum and minimum split the gradient evenly at ties, as JAX does`` () =
    let a = Tensor.FromArray([| -1.0; 0.0; 2.5 |], [| 3 |])
    for op in [ Tensor.Maximum; Tensor.Minimum ] do
        let struct (y, pullback) = Grad.Vjp(fn (fun (xs: Tensor[]) -> op (xs.[0], xs.[1])), [| a; a |])
        assertAllClose 0.0 0.0 "value at ties" (doubles a) (doubles y)
        let g = pullback.Invoke(Tensor.OnesLike y)
        assertAllClose 0.0 0.0 "share of a" [| 0.5; 0.5; 0.5 |] (doubles g.[0])
        assertAllClose 0.0 0.0 "share of b" [| 0.5; 0.5; 0.5 |] (doubles g.[1])

[<Fact>]
let ``at 0 leaky_relu and abs have slope 1, elu slope alpha and relu slope 0, as in JAX`` () =
    let zero = Tensor.Zeros(DType.Float64, 2)
    assertAllClose 0.0 0.0 "abs'(0)" [| 1.0; 1.0 |] (doubles ((grad (fun x -> x.Abs().Sum())).Invoke zero))
    assertAllClose 0.0 0.0 "leaky_relu'(0)" [| 1.0; 1.0 |] (doubles ((grad (fun x -> x.LeakyRelu(0.3).Sum())).Invoke zero))
    assertAllClose 0.0 0.0 "elu'(0)" [| 1.5; 1.5 |] (doubles ((grad (fun x -> x.Elu(1.5).Sum())).Invoke zero))
    assertAllClose 0.0 0.0 "relu'(0)" [| 0.0; 0.0 |] (doubles ((grad (fun x -> x.Relu().Sum())).Invoke zero))

[<Fact>]
let ``masks are constants: the second derivatives of relu, abs, leaky_relu and clamp are zero`` () =
    let x = Tensor.FromArray([| -2.0; -0.5; 0.7; 3.0 |], [| 4 |])
    for name, f in [ "relu", (fun (t: Tensor) -> t.Relu()); "abs", (fun t -> t.Abs()); "leaky_relu", (fun t -> t.LeakyRelu())
                     "clamp", (fun t -> t.Clamp(-1.0, 1.0)) ] do
        let h = Grad.Hessian(fn (fun (t: Tensor) -> (f t).Sum())).Invoke(x)
        assertAllClose 0.0 0.0 (name + " Hessian") (Array.zeroCreate 16) (doubles h)

[<Fact>]
let ``elu's gradient stays finite where e to the x overflows`` () =
    let x = Tensor.FromArray([| 1000.0; -1000.0 |], [| 2 |])
    assertAllClose 0.0 0.0 "elu'" [| 1.0; 0.0 |] (doubles ((grad (fun t -> t.Elu().Sum())).Invoke x))

[<Fact>]
let ``softplus, sigmoid, tanh and erf reach their limits with finite gradients at plus and minus 1e4`` () =
    // The true values differ from the limits by less than e^-1e4: zero in both dtypes.
    let cases =
        [ "softplus", (fun (t: Tensor) -> t.Softplus()), [| 1e4; 0.0 |], [| 1.0; 0.0 |]
          "sigmoid", (fun t -> t.Sigmoid()), [| 1.0; 0.0 |], [| 0.0; 0.0 |]
          "tanh", (fun t -> t.Tanh()), [| 1.0; -1.0 |], [| 0.0; 0.0 |]
          "erf", (fun t -> t.Erf()), [| 1.0; -1.0 |], [| 0.0; 0.0 |] ]
    for dtype in [ DType.Float64; DType.Float32 ] do
        let x = Tensor.FromArray([| 1e4; -1e4 |], [| 2 |]).Cast(dtype)
        for name, f, value, slope in cases do
            let what = sprintf "%s in %s" name (dtype.Name())
            let y = f x
            Assert.Equal(dtype, y.DType)
            assertAllClose 0.0 0.0 what value (doubles y)
            assertAllClose 0.0 0.0 (what + " gradient") slope (doubles ((grad (fun t -> (f t).Sum())).Invoke x))

[<Fact>]
let ``softplus(x) minus softplus(-x) is x, with no overflow for large x`` () =
    forSeeds 50 (fun seed ->
        let x = randomTensor seed -800.0 800.0 [| 16 |]
        let d = x.Softplus() - (-x).Softplus()
        assertAllClose 1e-15 1e-15 "softplus(x) - softplus(-x)" (doubles x) (doubles d))

// ---- erf -------------------------------------------------------------------------------------------

let private erf (xs: float[]) = doubles (Tensor.FromArray(xs, [| xs.Length |]).Erf())

/// 2/√π ∫₀ˣ e^(−t²) dt by Romberg integration (6 halvings, Richardson-extrapolated) on panels of width ≤ ¼:
/// the definition of erf, to about 6e-16 relative accuracy, independently of the kernel's series and fraction.
let private erfByQuadrature (x: float) =
    let f t = exp (-t * t)
    let romberg (a: float) (b: float) =
        let levels = 6
        let r = Array2D.zeroCreate (levels + 1) (levels + 1)
        r.[0, 0] <- 0.5 * (b - a) * (f a + f b)
        for k in 1 .. levels do
            let n = 1 <<< (k - 1)
            let h = (b - a) / float (2 * n)
            let midpoints = Seq.sum (seq { for i in 1 .. n -> f (a + float (2 * i - 1) * h) })
            r.[k, 0] <- 0.5 * r.[k - 1, 0] + h * midpoints
            for j in 1 .. k do
                r.[k, j] <- r.[k, j - 1] + (r.[k, j - 1] - r.[k - 1, j - 1]) / (4.0 ** float j - 1.0)
        r.[levels, levels]
    let panels = max 1 (int (ceil (x / 0.25)))
    let w = x / float panels
    2.0 / sqrt Math.PI * Seq.sum (seq { for i in 0 .. panels - 1 -> romberg (float i * w) (float (i + 1) * w) })

[<Fact>]
let ``erf matches the quadrature of its definition to 2e-15 relative on (0, 6]`` () =
    let xs = Array.append [| 1e-300; 1e-10; 1e-5; 1e-3 |] (Array.init 600 (fun i -> 0.01 * float (i + 1)))
    let expected = xs |> Array.map erfByQuadrature
    assertAllClose 2e-15 0.0 "erf" expected (erf xs)

[<Fact>]
let ``erf is odd, zero at zero, and one from six on and at infinity`` () =
    forSeeds 50 (fun seed ->
        let x = doubles (randomTensor seed -8.0 8.0 [| 32 |])
        assertAllClose 0.0 0.0 "erf(-x)" (erf x |> Array.map (fun v -> -v)) (erf (x |> Array.map (fun v -> -v))))
    Assert.Equal(0.0, (erf [| 0.0 |]).[0])
    Assert.True(Double.IsNegative((erf [| -0.0 |]).[0]), "erf(-0) is -0")
    // 1 − erf(6) < 3e-17 is below half an ulp of 1.
    assertAllClose 0.0 0.0 "erf at 6 and beyond" [| 1.0; 1.0; 1.0; -1.0 |] (erf [| 6.0; 27.0; infinity; -infinity |])
    Assert.True(Double.IsNaN((erf [| nan |]).[0]), "erf(NaN) is NaN")

[<Fact>]
let ``erf is increasing and its derivative matches central differences on [-6, 6]`` () =
    let xs = Array.init 241 (fun i -> -6.0 + 0.05 * float i)
    let ys = erf xs
    for i in 1 .. ys.Length - 1 do Assert.True(ys.[i] >= ys.[i - 1], sprintf "erf(%g) < erf(%g)" xs.[i] xs.[i - 1])
    GradCheck.Assert(fn (fun (x: Tensor[]) -> x.[0].Erf()), Tensor.FromArray(xs, [| xs.Length |]))

// ---- log1p and expm1 -------------------------------------------------------------------------------

/// The unit roundoff of float64, 2⁻⁵³.
let private eps = Math.Pow(2.0, -53.0)

[<Fact>]
let ``log1p and expm1 are within 5 units of roundoff for tiny x`` () =
    // Taylor: ln(1+x) = x − x²/2 + x³/3 − …, eˣ − 1 = x + x²/2 + x³/6 + …; for |x| ≤ 1e-6 the omitted terms are
    // below 1e-24·|x|. Comparing (result − x), exact by Sterbenz, with the tail keeps the reference's own
    // rounding out of the error. 5ε is Goldberg's bound for the ln(u)·x/(u − 1) formula (and Kahan's expm1 twin).
    forSeeds 50 (fun seed ->
        let x = doubles (randomTensor seed -1e-6 1e-6 [| 16 |])
        let t = Tensor.FromArray(x, [| 16 |])
        let check what (actual: float[]) (tail: float -> float) =
            for i in 0 .. x.Length - 1 do
                let err = abs ((actual.[i] - x.[i]) - tail x.[i])
                if err > 5.0 * eps * abs x.[i] then
                    failwithf "%s(%.17g) = %.17g is off by %.2g units of roundoff" what x.[i] actual.[i] (err / (eps * abs x.[i]))
        check "log1p" (doubles (t.Log1p())) (fun v -> -v * v / 2.0 + v * v * v / 3.0)
        check "expm1" (doubles (t.Expm1())) (fun v -> v * v / 2.0 + v * v * v / 6.0))

[<Fact>]
let ``expm1 inverts log1p`` () =
    // Budget: ≤ 5ε from each function, the first amplified by expm1's condition number y·eʸ/(eʸ − 1) ≤ 2.2 here.
    forSeeds 50 (fun seed ->
        let x = randomTensor seed -0.99 5.0 [| 16 |]
        assertAllClose (5.0 * eps * 3.2) 0.0 "expm1(log1p(x))" (doubles x) (doubles (x.Log1p().Expm1())))

// ---- cast ------------------------------------------------------------------------------------------

[<Fact>]
let ``a float cast passes tangents and cotangents through, converted to the other dtype`` () =
    let x = randomTensor 1 -3.0 3.0 [| 2; 3 |]
    let u = Tensor.FromArray(Array.init 6 (fun i -> float32 i - 2.5f), [| 2; 3 |])
    let struct (y, pullback) = Grad.Vjp(fn (fun (t: Tensor) -> t.Cast(DType.Float32)), x)
    Assert.Equal(DType.Float32, y.DType)
    let g = pullback.Invoke u
    Assert.Equal(DType.Float64, g.DType)
    assertAllClose 0.0 0.0 "cotangent" (doubles u) (doubles g)
    let v = randomTensor 2 -1.0 1.0 [| 2; 3 |]
    let struct (_, tangent) = Grad.Jvp(fn (fun (t: Tensor) -> t.Cast(DType.Float32)), x, v)
    Assert.Equal(DType.Float32, tangent.DType)
    assertAllClose 0.0 0.0 "tangent" (v.ToArray<float32>() |> Array.map float) (doubles tangent)

[<Fact>]
let ``a round trip through int32 or bool is a constant to both modes`` () =
    let f (t: Tensor) = t.Cast(DType.Int32).Cast(DType.Float64) * t + t.Gt(0.0).Cast(DType.Float64)
    let x = Tensor.FromArray([| -2.5; -0.5; 1.5; 3.7 |], [| 4 |])
    let truncated = [| -2.0; 0.0; 1.0; 3.0 |]
    assertAllClose 0.0 0.0 "reverse" truncated (doubles ((grad (fun t -> (f t).Sum())).Invoke x))
    let struct (_, tangent) = Grad.Jvp(fn f, x, Tensor.OnesLike x)
    assertAllClose 0.0 0.0 "forward" truncated (doubles tangent)

[<Fact>]
let ``casts truncate toward zero and saturate to int32, map nonzero to true, and bools to 0 and 1`` () =
    let x = Tensor.FromArray([| 2.7; -2.7; 1e10; -1e10; nan; 0.0 |], [| 6 |])
    Assert.Equal<int[]>([| 2; -2; Int32.MaxValue; Int32.MinValue; 0; 0 |], x.Cast(DType.Int32).ToArray<int>())
    Assert.Equal<bool[]>([| true; true; true; true; true; false |], x.Cast(DType.Bool).ToArray<bool>())
    Assert.Equal<float[]>([| 1.0; 0.0 |], Tensor.FromArray([| true; false |], [| 2 |]).Cast(DType.Float64).ToArray<float>())
    Assert.Same(x, x.Cast(DType.Float64))

// ---- comparisons and logic -------------------------------------------------------------------------

[<Fact>]
let ``comparisons are consistent: gt is not le, lt is not ge, ne is not eq, ge is gt or eq`` () =
    forSeeds 50 (fun seed ->
        let r = Random seed
        let shape = randomShape r
        let a = randomTensor (r.Next()) -2.0 2.0 shape
        // About half the pairs tie exactly.
        let b = Tensor.Where(bools r shape, a, randomTensor (r.Next()) -2.0 2.0 shape)
        let same (what: string) (p: Tensor) (q: Tensor) = Assert.True((p.ToArray<bool>() = q.ToArray<bool>()), what)
        same "gt = not le" (a.Gt b) ((a.Le b).Not())
        same "lt = not ge" (a.Lt b) ((a.Ge b).Not())
        same "ne = not eq" (a.Ne b) ((a.Eq b).Not())
        same "ge = gt or eq" (a.Ge b) ((a.Gt b).Or(a.Eq b))
        same "le = lt or eq" (a.Le b) ((a.Lt b).Or(a.Eq b))
        same "gt and lt never" (Tensor.Zeros(DType.Bool, shape)) ((a.Gt b).And(a.Lt b)))

[<Fact>]
let ``every comparison with NaN is false except not-equal`` () =
    let a = Tensor.FromArray([| nan; 1.0; nan |], [| 3 |])
    let b = Tensor.FromArray([| 1.0; nan; nan |], [| 3 |])
    for name, cmp, expected in [ "gt", (fun (p: Tensor) (q: Tensor) -> p.Gt q), false; "ge", (fun p q -> p.Ge q), false
                                 "lt", (fun p q -> p.Lt q), false; "le", (fun p q -> p.Le q), false
                                 "eq", (fun p q -> p.Eq q), false; "ne", (fun p q -> p.Ne q), true ] do
        Assert.True((cmp a b).ToArray<bool>() |> Array.forall ((=) expected), name)

[<Fact>]
let ``comparisons broadcast, accept int32 and compare with constants in the tensor's dtype`` () =
    let n = Tensor.FromArray([| 1; 2; 3 |], [| 3 |])
    Assert.Equal<bool[]>([| false; false; true |], n.Gt(2.0).ToArray<bool>())
    let m = Tensor.FromArray([| 1.0; 2.0 |], [| 2; 1 |]).Le(Tensor.FromArray([| 0.5; 1.5; 2.5 |], [| 3 |]))
    Assert.Equal<int[]>([| 2; 3 |], m.Shape)
    Assert.Equal<bool[]>([| false; true; true; false; false; true |], m.ToArray<bool>())

// ---- errors ----------------------------------------------------------------------------------------

let private throwsMentioning (words: string list) (action: unit -> Tensor) =
    let e = Assert.ThrowsAny<ArgumentException>(Action(fun () -> action () |> ignore))
    for w in words do Assert.Contains(w, e.Message)

[<Fact>]
let ``comparing float32 with float64 throws naming the comparison and both dtypes`` () =
    let a = Tensor.FromArray([| 1.0f; 2.0f |], [| 2 |])
    let b = Tensor.FromArray([| 1.0; 2.0 |], [| 2 |])
    for name, cmp in [ "greater", (fun (p: Tensor) (q: Tensor) -> p.Gt q); "greater_equal", (fun p q -> p.Ge q)
                       "less", (fun p q -> p.Lt q); "less_equal", (fun p q -> p.Le q)
                       "equal", (fun p q -> p.Eq q); "not_equal", (fun p q -> p.Ne q) ] do
        throwsMentioning [ name; "float32"; "float64" ] (fun () -> cmp a b)

[<Fact>]
let ``elementwise misuse throws naming the op, the dtypes and the shapes`` () =
    let x = Tensor.FromArray([| 1.0; 2.0 |], [| 2 |])
    let n = Tensor.FromArray([| 1; 2 |], [| 2 |])
    throwsMentioning [ "greater"; "0.5"; "int32" ] (fun () -> n.Gt 0.5)
    throwsMentioning [ "where"; "float64"; "[2]" ] (fun () -> Tensor.Where(x, x, x))
    throwsMentioning [ "where"; "[3]"; "[2]" ] (fun () -> Tensor.Where(Tensor.FromArray([| true; false; true |], [| 3 |]), x, x))
    throwsMentioning [ "logical_and"; "float64" ] (fun () -> x.And x)
    throwsMentioning [ "sqrt"; "int32" ] (fun () -> n.Sqrt())
    throwsMentioning [ "maximum"; "float64"; "int32" ] (fun () -> Tensor.Maximum(x, n))
    throwsMentioning [ "clamp"; "2"; "1" ] (fun () -> x.Clamp(2.0, 1.0))

[<Fact>]
let ``a scalar operand gives bitwise the values of its broadcast copy, in both positions, dtypes and past the parallel threshold`` () =
    let ops : (string * (Tensor -> Tensor -> Tensor)) list =
        [ "add", (+); "sub", (-); "mul", (*); "div", (/); "pow", (fun a b -> a.Pow(b)) ]
    for dtype in [ DType.Float32; DType.Float64 ] do
        for size in [ 1; 7; 300_001 ] do
            let r = Random(size)
            let x = Tensor.FromArray(Array.init size (fun _ -> 0.2 + 2.0 * r.NextDouble()), size).Cast(dtype)
            let c = Tensor.Scalar(1.3, dtype)
            let cFull = c.BroadcastTo(size)
            for name, op in ops do
                Assert.Equal<float[]>(doubles (op x cFull), doubles (op x c))
                Assert.Equal<float[]>(doubles (op cFull x), doubles (op c x))
                // A [1] operand is a scalar too, whichever side it is on.
                Assert.Equal<float[]>(doubles (op x cFull), doubles (op x (c.Reshape(1))))
                Assert.True((op x c).Shape = [| size |], name)

[<Fact>]
let ``binary primitives refuse operands of different shapes unless one is a scalar, naming both`` () =
    let a = Tensor.Zeros(DType.Float64, 2, 3)
    let b = Tensor.Zeros(DType.Float64, 3)
    let e = Assert.Throws<ArgumentException>(fun () -> MulOp.Instance.Bind(OpParams.None, a, b) |> ignore)
    Assert.Contains("mul", e.Message)
    Assert.Contains("[2, 3]", e.Message)
    Assert.Contains("[3]", e.Message)
    // Through the operator the same operands broadcast.
    Assert.Equal<int[]>([| 2; 3 |], (a * b).Shape)
