/// Convolution and pooling against independent loop definitions, the adjoint identities that tie conv2d,
/// conv_transpose2d and conv2d_weight_grad together, float32 against float64 at sizes past the parallel and
/// GEMM block thresholds, and the errors bad shapes get. Derivatives are checked by the registry properties.
module ConvTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Autodiff
open Numeric

/// One convolution configuration: x [n, c, h, w], weight [o, c/groups, kh, kw].
type Config =
    { N: int; C: int; H: int; W: int; O: int; KH: int; KW: int
      SH: int; SW: int; Pad: Padding2d; DH: int; DW: int; Groups: int }
    member g.OH = (g.H + g.Pad.Top + g.Pad.Bottom - g.DH * (g.KH - 1) - 1) / g.SH + 1
    member g.OW = (g.W + g.Pad.Left + g.Pad.Right - g.DW * (g.KW - 1) - 1) / g.SW + 1
    member g.Apply(x: Tensor, w: Tensor) = x.Conv2d(w, struct (g.SH, g.SW), g.Pad, struct (g.DH, g.DW), g.Groups)

/// A random configuration with an output of at least 1×1, inputs up to `maxSize` on a side.
let private randomConfig (r: Random) maxSize =
    let groups = r.Next(1, 4)
    let kh, kw, dh, dw = r.Next(1, 4), r.Next(1, 4), r.Next(1, 3), r.Next(1, 3)
    let pad = Padding2d(r.Next(0, 3), r.Next(0, 3), r.Next(0, 3), r.Next(0, 3))
    let h = max (r.Next(1, maxSize + 1)) (dh * (kh - 1) + 1 - pad.Top - pad.Bottom)
    let w = max (r.Next(1, maxSize + 1)) (dw * (kw - 1) + 1 - pad.Left - pad.Right)
    { N = r.Next(1, 3); C = groups * r.Next(1, 3); H = h; W = w; O = groups * r.Next(1, 3); KH = kh; KW = kw
      SH = r.Next(1, 4); SW = r.Next(1, 4); Pad = pad; DH = dh; DW = dw; Groups = groups }

/// The definition: y[n, o, a, b] = Σ over o's group's channels c and taps (i, j) of w[o, c, i, j]·x[n, c, a·sh − top + i·dh, b·sw − left + j·dw].
let private naiveConv (g: Config) (x: float[]) (w: float[]) =
    let cg, og = g.C / g.Groups, g.O / g.Groups
    Array.init (g.N * g.O * g.OH * g.OW) (fun index ->
        let b = index % g.OW
        let a = (index / g.OW) % g.OH
        let o = (index / (g.OW * g.OH)) % g.O
        let n = index / (g.OW * g.OH * g.O)
        let group = o / og
        let mutable sum = 0.0
        for c in 0 .. cg - 1 do
            for i in 0 .. g.KH - 1 do
                for j in 0 .. g.KW - 1 do
                    let row = a * g.SH - g.Pad.Top + i * g.DH
                    let col = b * g.SW - g.Pad.Left + j * g.DW
                    if row >= 0 && row < g.H && col >= 0 && col < g.W then
                        let xc = group * cg + c
                        sum <- sum + w.[((o * cg + c) * g.KH + i) * g.KW + j] * x.[((n * g.C + xc) * g.H + row) * g.W + col]
        sum)

let private inputs (g: Config) seed =
    randomTensor seed -1.0 1.0 [| g.N; g.C; g.H; g.W |], randomTensor (seed + 1) -1.0 1.0 [| g.O; g.C / g.Groups; g.KH; g.KW |]

let private seeds = Arb.fromGen (Gen.choose (0, 1_000_000))

let private check count (property: int -> unit) =
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true), Prop.forAll seeds property)

[<Fact>]
let ``conv2d matches the loop definition for random strides, paddings, dilations and groups`` () =
    check 60 (fun seed ->
        let g = randomConfig (Random seed) 7
        let x, w = inputs g seed
        let y = g.Apply(x, w)
        Assert.Equal<int[]>([| g.N; g.O; g.OH; g.OW |], y.Shape)
        assertAllClose 1e-12 1e-12 (sprintf "%A" g) (naiveConv g (doubles x) (doubles w)) (doubles y))

[<Fact>]
let ``conv_transpose2d is the adjoint of conv2d in its input, and conv2d_weight_grad in its weight`` () =
    // <conv(x, w), u> = <x, convT(u, w)> = <w, wgrad(x, u)>: the three are one trilinear form read three ways.
    check 60 (fun seed ->
        let g = randomConfig (Random seed) 7
        let x, w = inputs g seed
        let u = randomTensor (seed + 2) -1.0 1.0 [| g.N; g.O; g.OH; g.OW |]
        let y = g.Apply(x, w)
        // The output padding that makes the transposed conv return x's size (rows the conv never reads add to it).
        let extraH = g.H - ((g.OH - 1) * g.SH - g.Pad.Top - g.Pad.Bottom + g.DH * (g.KH - 1) + 1)
        let extraW = g.W - ((g.OW - 1) * g.SW - g.Pad.Left - g.Pad.Right + g.DW * (g.KW - 1) + 1)
        let z = u.ConvTranspose2d(w, struct (g.SH, g.SW), g.Pad, struct (extraH, extraW), struct (g.DH, g.DW), g.Groups)
        Assert.Equal<int[]>(x.Shape, z.Shape)
        let gw = Grad.Vjp(Func<Tensor[], Tensor>(fun xs -> g.Apply(xs.[0], xs.[1])), [| x; w |]) |> fun struct (_, back) -> back.Invoke u
        let lhs = dot y u
        Assert.True(close 1e-12 1e-12 lhs (dot x z), sprintf "<conv(x,w),u> = %g, <x,convT(u,w)> = %g" lhs (dot x z))
        Assert.True(close 1e-12 1e-12 lhs (dot w gw.[1]), sprintf "<conv(x,w),u> = %g, <w,wgrad(x,u)> = %g" lhs (dot w gw.[1]))
        assertAllClose 1e-12 1e-12 "VJP in x is the transposed conv" (doubles z) (doubles gw.[0]))

[<Fact>]
let ``conv_transpose2d follows PyTorch's output size rule with output padding`` () =
    let x = randomTensor 1 -1.0 1.0 [| 2; 4; 5; 3 |]
    let w = randomTensor 2 -1.0 1.0 [| 4; 3; 3; 2 |]
    let z = x.ConvTranspose2d(w, 2, 1, 1, 1, 1)
    // (H − 1)·s − 2p + d·(k − 1) + 1 + output padding.
    Assert.Equal<int[]>([| 2; 3; (5 - 1) * 2 - 2 + 2 + 1 + 1; (3 - 1) * 2 - 2 + 1 + 1 + 1 |], z.Shape)
    // Grouped: weight [Cin, Cout/groups, ...] gives Cout = groups · weight.Dims[1].
    let zg = x.ConvTranspose2d(randomTensor 3 -1.0 1.0 [| 4; 3; 2; 2 |], groups = 2)
    Assert.Equal<int[]>([| 2; 6; 6; 4 |], zg.Shape)

/// max and mean over each window by loops; `countIncludePad` as PyTorch.
let private naivePool (isMax: bool) countIncludePad (n, c, h, w) (kh, kw) (sh, sw) (pad: Padding2d) (dh, dw) (x: float[]) =
    let oh = (h + pad.Top + pad.Bottom - dh * (kh - 1) - 1) / sh + 1
    let ow = (w + pad.Left + pad.Right - dw * (kw - 1) - 1) / sw + 1
    let y = Array.init (n * c * oh * ow) (fun index ->
        let b = index % ow
        let a = (index / ow) % oh
        let plane = index / (ow * oh)
        let values =
            [ for i in 0 .. kh - 1 do
                for j in 0 .. kw - 1 do
                    let row, col = a * sh - pad.Top + i * dh, b * sw - pad.Left + j * dw
                    if row >= 0 && row < h && col >= 0 && col < w then yield x.[(plane * h + row) * w + col] ]
        if isMax then List.max values
        elif countIncludePad then List.sum values / float (kh * kw)
        else List.sum values / float values.Length)
    y, [| n; c; oh; ow |]

[<Fact>]
let ``max_pool2d and avg_pool2d match loop definitions`` () =
    check 60 (fun seed ->
        let r = Random seed
        let kh, kw, dh, dw = r.Next(1, 4), r.Next(1, 4), r.Next(1, 3), r.Next(1, 3)
        let pad = Padding2d(r.Next(0, kh / 2 + 1), r.Next(0, kh / 2 + 1), r.Next(0, kw / 2 + 1), r.Next(0, kw / 2 + 1))
        let sh, sw = r.Next(1, 4), r.Next(1, 4)
        let n, c = r.Next(1, 3), r.Next(1, 4)
        let h, w = r.Next(dh * (kh - 1) + 1, 9), r.Next(dw * (kw - 1) + 1, 9)
        let x = randomTensor seed -1.0 1.0 [| n; c; h; w |]
        let expected, shape = naivePool true true (n, c, h, w) (kh, kw) (sh, sw) pad (dh, dw) (doubles x)
        let y = x.MaxPool2d(struct (kh, kw), struct (sh, sw), pad, struct (dh, dw))
        Assert.Equal<int[]>(shape, y.Shape)
        assertAllClose 0.0 0.0 "max_pool2d" expected (doubles y)
        for countIncludePad in [ true; false ] do
            let expected, shape = naivePool false countIncludePad (n, c, h, w) (kh, kw) (sh, sw) pad (1, 1) (doubles x)
            let y = x.AvgPool2d(struct (kh, kw), struct (sh, sw), pad, countIncludePad)
            Assert.Equal<int[]>(shape, y.Shape)
            assertAllClose 1e-12 1e-12 (sprintf "avg_pool2d countIncludePad=%b" countIncludePad) expected (doubles y))

[<Fact>]
let ``max_pool2d splits the gradient equally among tied maxima and gives none to padding`` () =
    // A window of four equal zeros (as after relu) next to padding: each zero gets a quarter, the padding nothing.
    let x = Tensor.FromArray([| 0.0; 0.0; 0.0; 0.0 |], [| 1; 1; 2; 2 |])
    let g = Grad.Gradient<Tensor>(fun t -> t.MaxPool2d(2, 2, 1).Sum()).Invoke x
    // padding 1 with stride 2 gives four windows, each holding exactly one real zero: each gets 1.
    assertAllClose 0.0 0.0 "padded" [| 1.0; 1.0; 1.0; 1.0 |] (doubles g)
    let g2 = Grad.Gradient<Tensor>(fun t -> t.MaxPool2d(2).Sum()).Invoke x
    assertAllClose 0.0 0.0 "tied" [| 0.25; 0.25; 0.25; 0.25 |] (doubles g2)
    // Second derivative of a max pool composed with a square: d²/dx² Σ maxpool(x)² is 2 on the maxima, 0 elsewhere.
    let x3 = Tensor.FromArray([| 1.0; 3.0; 2.0; -1.0 |], [| 1; 1; 2; 2 |])
    let h = Grad.Hessian(fun (t: Tensor) -> t.MaxPool2d(2).Square().Sum()).Invoke x3
    Assert.Equal(2.0, (doubles h).[1 * 4 + 1])
    Assert.Equal(2.0, (doubles h) |> Array.sum)

[<Fact>]
let ``with ties, max pooling's VJP is the transpose of its JVP and float32 agrees with float64`` () =
    // Values rounded to a few levels make many tied maxima (as relu's zeros do); <gy, J·t> = <Jᵀ·gy, t> must still hold.
    check 20 (fun seed ->
        let r = Random seed
        let shape = [| r.Next(1, 4); r.Next(1, 40); r.Next(4, 30); r.Next(4, 30) |]
        let x = Tensor.FromArray((randomTensor seed -2.0 2.0 shape).ToArray<float>() |> Array.map Math.Round, shape)
        let t = randomTensor (seed + 1) -1.0 1.0 shape
        let pool (x: Tensor) = x.MaxPool2d(struct (2, 3), struct (2, 2), Padding2d(1, 0, 1, 1), struct (1, 1))
        let u = randomTensor (seed + 2) -1.0 1.0 (pool x).Shape
        let struct (_, jt) = Grad.Jvp(Func<Tensor, Tensor>(pool), x, t)
        let struct (_, back) = Grad.Vjp(Func<Tensor, Tensor>(pool), x)
        let gx = back.Invoke u
        Assert.True(close 1e-12 1e-12 (dot u jt) (dot gx t), sprintf "<u, Jt> = %g, <J^T u, t> = %g" (dot u jt) (dot gx t))
        let struct (_, back32) = Grad.Vjp(Func<Tensor, Tensor>(pool), x.Cast(DType.Float32))
        assertAllClose 0.0 1e-6 "float32 VJP" (doubles gx) (doubles (back32.Invoke(u.Cast(DType.Float32)))))

[<Fact>]
let ``2x2 stride-2 max pooling (its unrolled kernel) agrees exactly with the general kernel, ties and NaN included`` () =
    // Bottom/right padding of 1 on an even-sized input gives the same windows (none reaches the padding) but goes
    // through the general window loop, so the two kernels must agree bit for bit in value, JVP and VJP.
    check 20 (fun seed ->
        let r = Random seed
        let shape = [| r.Next(1, 3); r.Next(1, 5); 2 * r.Next(1, 8); 2 * r.Next(1, 13) |] // widths past two vectors: the vector path and its overlap
        let values = (randomTensor seed -2.0 2.0 shape).ToArray<float>() |> Array.map Math.Round
        if r.Next 2 = 0 then values.[r.Next values.Length] <- nan
        for dtype in [ DType.Float64; DType.Float32 ] do
            let x = Tensor.FromArray(values, shape).Cast dtype
            let t = (randomTensor (seed + 1) -1.0 1.0 shape).Cast dtype
            let fast (x: Tensor) = x.MaxPool2d 2
            let general (x: Tensor) = x.MaxPool2d(struct (2, 2), struct (2, 2), Padding2d(0, 1, 0, 1), struct (1, 1))
            let u = (randomTensor (seed + 2) -1.0 1.0 (fast x).Shape).Cast dtype
            let run (f: Tensor -> Tensor) =
                let struct (y, jt) = Grad.Jvp(Func<Tensor, Tensor>(f), x, t)
                let struct (_, back) = Grad.Vjp(Func<Tensor, Tensor>(f), x)
                doubles y, doubles jt, doubles (back.Invoke u)
            let y1, jt1, g1 = run fast
            let y2, jt2, g2 = run general
            let same (a: float[]) (b: float[]) = a.Length = b.Length && Array.forall2 (fun (p: float) q -> p.Equals q) a b
            Assert.True(same y1 y2 && same jt1 jt2 && same g1 g2, sprintf "seed %d %A" seed dtype)
        // Odd sizes: the last row and column belong to no window (floor), as in the loop definition.
        let odd = randomTensor seed -1.0 1.0 [| 1; 2; 5; 7 |]
        let expected, _ = naivePool true true (1, 2, 5, 7) (2, 2) (2, 2) (Padding2d(0, 0, 0, 0)) (1, 1) (doubles odd)
        assertAllClose 0.0 0.0 "odd" expected (doubles (odd.MaxPool2d 2)))

[<Fact>]
let ``a batch convolved at once equals its images convolved one by one, value and both VJPs`` () =
    // Enough images for the kernels to split the batch across threads, each summing its own weight-gradient partials:
    // the batch must still give each image's values and the sum of the per-image weight gradients.
    let n, c, o, h = 20, 16, 8, 64
    let x = randomTensor 31 -1.0 1.0 [| n; c; h; h |]
    let w = randomTensor 32 -1.0 1.0 [| o; c; 3; 3 |]
    let conv (xw: Tensor[]) = xw.[0].Conv2d(xw.[1], padding = 1)
    let struct (y, back) = Grad.Vjp(Func<Tensor[], Tensor>(conv), [| x; w |])
    let gy = randomTensor 33 -1.0 1.0 y.Shape
    let g = back.Invoke gy
    let mutable gwSum = Tensor.Zeros(DType.Float64, o, c, 3, 3)
    for i in 0 .. n - 1 do
        let xi = x.Slice(0, i, i + 1)
        let struct (yi, backi) = Grad.Vjp(Func<Tensor[], Tensor>(conv), [| xi; w |])
        let gi = backi.Invoke(gy.Slice(0, i, i + 1))
        assertAllClose 1e-12 1e-12 (sprintf "y of image %d" i) (doubles yi) (doubles (y.Slice(0, i, i + 1)))
        assertAllClose 1e-12 1e-12 (sprintf "gx of image %d" i) (doubles gi.[0]) (doubles (g.[0].Slice(0, i, i + 1)))
        gwSum <- gwSum + gi.[1]
    assertAllClose 1e-10 1e-10 "gw" (doubles gwSum) (doubles g.[1])

[<Fact>]
let ``global average pooling is the mean over height and width`` () =
    let x = randomTensor 5 -1.0 1.0 [| 2; 3; 4; 5 |]
    let y = x.GlobalAvgPool2d()
    Assert.Equal<int[]>([| 2; 3 |], y.Shape)
    let xs = doubles x
    assertAllClose 1e-12 1e-12 "gap" (Array.init 6 (fun p -> Array.sub xs (p * 20) 20 |> Array.average)) (doubles y)

[<Fact>]
let ``float32 conv forward and both VJPs agree with float64 past the parallel and GEMM block sizes`` () =
    // 40 channels·3·3 = 360 rows of im2col (past the 256-deep GEMM panel), 100 output channels (past a 96-row block),
    // 4 images of 18×18 (past the parallel threshold), with groups 2 and stride/padding on one case.
    for g in [ { N = 4; C = 40; H = 18; W = 18; O = 100; KH = 3; KW = 3; SH = 1; SW = 1; Pad = Padding2d(1, 1, 1, 1); DH = 1; DW = 1; Groups = 1 }
               { N = 3; C = 64; H = 15; W = 13; O = 98; KH = 3; KW = 2; SH = 2; SW = 1; Pad = Padding2d(0, 2, 1, 0); DH = 1; DW = 2; Groups = 2 }
               { N = 2; C = 300; H = 6; W = 7; O = 8; KH = 1; KW = 1; SH = 1; SW = 1; Pad = Padding2d(0, 0, 0, 0); DH = 1; DW = 1; Groups = 1 } ] do
        let x, w = inputs g 11
        let u = randomTensor 13 -1.0 1.0 [| g.N; g.O; g.OH; g.OW |]
        let f32 (t: Tensor) = t.Cast(DType.Float32)
        let run (x: Tensor, w: Tensor, u: Tensor) =
            let struct (y, back) = Grad.Vjp(Func<Tensor[], Tensor>(fun xs -> g.Apply(xs.[0], xs.[1])), [| x; w |])
            let grads = back.Invoke u
            y, grads.[0], grads.[1]
        let y64, gx64, gw64 = run (x, w, u)
        let y32, gx32, gw32 = run (f32 x, f32 w, f32 u)
        assertAllClose 1e-12 1e-11 "float64 forward vs loops" (naiveConv g (doubles x) (doubles w)) (doubles y64)
        Assert.True(close 1e-11 1e-9 (dot y64 u) (dot x gx64), "<conv(x,w),u> = <x, gx>")
        Assert.True(close 1e-11 1e-9 (dot y64 u) (dot w gw64), "<conv(x,w),u> = <w, gw>")
        for name, a, b in [ "y", y64, y32; "gx", gx64, gx32; "gw", gw64, gw32 ] do
            Assert.Equal(DType.Float32, b.DType)
            let scale = doubles a |> Array.map abs |> Array.max
            assertAllClose 0.0 (1e-5 * scale) name (doubles a) (doubles b)

let private throwsWith (words: string list) (action: unit -> Tensor) =
    let e = Assert.ThrowsAny<ArgumentException>(Action(fun () -> action () |> ignore))
    for w in words do Assert.Contains(w, e.Message)

[<Fact>]
let ``bad convolution and pooling inputs are rejected with the op, shapes and dtypes named`` () =
    let x = Tensor.Zeros [| 2; 4; 5; 5 |]
    throwsWith [ "conv2d"; "[4, 5, 5]"; "rank 4" ] (fun () -> Tensor.Zeros([| 4; 5; 5 |]).Conv2d(Tensor.Zeros [| 3; 4; 3; 3 |]))
    throwsWith [ "conv2d"; "[2, 4, 5, 5]"; "[3, 3, 3, 3]"; "4 channels" ] (fun () -> x.Conv2d(Tensor.Zeros [| 3; 3; 3; 3 |]))
    throwsWith [ "conv2d"; "groups = 3"; "divide" ] (fun () -> x.Conv2d(Tensor.Zeros [| 3; 1; 3; 3 |], groups = 3))
    throwsWith [ "conv2d"; "larger than the padded 5×5" ] (fun () -> x.Conv2d(Tensor.Zeros [| 3; 4; 7; 7 |]))
    throwsWith [ "conv2d"; "float32"; "float64" ] (fun () -> x.Conv2d(Tensor.Zeros(DType.Float64, [| 3; 4; 3; 3 |])))
    throwsWith [ "conv2d"; "int32" ] (fun () -> Tensor.Zeros(DType.Int32, [| 2; 4; 5; 5 |]).Conv2d(Tensor.Zeros(DType.Int32, [| 3; 4; 3; 3 |])))
    throwsWith [ "conv2d"; "stride" ] (fun () -> x.Conv2d(Tensor.Zeros [| 3; 4; 3; 3 |], stride = 0))
    throwsWith [ "conv_transpose2d"; "[2, 4, 5, 5]"; "[3, 2, 3, 3]"; "4 channels" ] (fun () -> x.ConvTranspose2d(Tensor.Zeros [| 3; 2; 3; 3 |]))
    throwsWith [ "conv_transpose2d"; "output padding" ] (fun () -> x.ConvTranspose2d(Tensor.Zeros [| 4; 2; 3; 3 |], stride = 2, outputPadding = 2))
    throwsWith [ "max_pool2d"; "[2, 4, 5, 5]"; "padding"; "half" ] (fun () -> x.MaxPool2d(2, padding = 2))
    throwsWith [ "max_pool2d"; "rank 4" ] (fun () -> Tensor.Zeros([| 5; 5 |]).MaxPool2d 2)
    throwsWith [ "max_pool2d"; "larger than the padded 5×5" ] (fun () -> x.MaxPool2d 6)
    throwsWith [ "avg_pool2d"; "rank 4" ] (fun () -> Tensor.Zeros([| 5; 5 |]).AvgPool2d 2)
    throwsWith [ "avg_pool2d"; "5×5" ] (fun () -> x.AvgPool2d 6)

[<Fact>]
let ``the conv family's domains reach strides, dilations, padding and groups`` () =
    // The registry properties check derivatives only on what the domains draw; make sure that is not only the plain case.
    for name in [ "conv2d"; "conv_transpose2d"; "conv2d_weight_grad"; "max_pool2d"; "max_pool2d_gather"; "max_pool2d_scatter" ] do
        let op = PrimitiveRegistry.Get name
        let domain = match op.Domain with null -> failwithf "%s has no domain" name | d -> d
        let cases = [ for seed in 0 .. 199 -> domain.Sample.Invoke(CaseSampler seed) ]
        let conv (p: OpParams) =
            match p with
            | :? Conv2dParams as c -> c
            | :? ConvTranspose2dParams as t -> t.Conv
            | :? Conv2dWeightGradParams as w -> w.Conv
            | :? MaxPool2dParams as m -> m.Window
            | p -> failwithf "%s: unexpected params %O" name p
        let ps = cases |> List.map (fun c -> conv c.Params)
        Assert.Contains(ps, fun p -> p.StrideHeight > 1 && p.StrideWidth > 1)
        Assert.Contains(ps, fun p -> p.DilationHeight > 1)
        Assert.Contains(ps, fun p -> p.Padding.Top <> p.Padding.Bottom)
        if not (name.StartsWith "max_pool2d") then Assert.Contains(ps, fun p -> p.Groups > 1)
        for c in cases do Assert.True(c.Inputs |> Array.forall (fun t -> t.Size <= 2 * 6 * 6 * 6), sprintf "%s: case too large for finite differences" name)

[<Fact>]
let ``convolution gradients match finite differences on images that span several GEMM depth panels`` () =
    // 20×20 and 23×19 outputs (400 and 437 positions) are cut into two depth panels by the weight gradient's GEMM,
    // whose left operand im2col writes straight into the packed layout; small channel counts keep the check quick.
    let cases =
        [ [| 1; 2; 20; 20 |], 1, 1; [| 2; 1; 23; 19 |], 1, 1; [| 1; 2; 40; 40 |], 2, 1; [| 1; 2; 22; 24 |], 1, 2 ]
    for shape, stride, dilation in cases do
        let x = randomTensor (shape.[2] + stride) -1.0 1.0 shape
        let w = randomTensor (shape.[3] + dilation) -1.0 1.0 [| 3; shape.[1]; 3; 3 |]
        GradCheck.Assert(fn (fun (xw: Tensor[]) -> xw.[0].Conv2d(xw.[1], stride = stride, padding = 1, dilation = dilation)), x, w)
