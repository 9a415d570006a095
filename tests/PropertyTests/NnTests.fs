/// Layers, initialisers and losses of Autodiff.Nn against formulas written out independently here, statistics of the
/// initialisers with tolerances from their sample sizes, and gradient checks through whole models in float64.
module NnTests

open System
open Xunit
open Autodiff
open Autodiff.Nn
open Numeric

let private throwsWith<'e when 'e :> exn> (parts: string list) (action: unit -> unit) =
    let e = Assert.ThrowsAny<'e>(action)
    for part in parts do
        Assert.True(e.Message.Contains(part: string), sprintf "expected the message to contain \"%s\": %s" part e.Message)

let private key (seed: int) = Key.Create(int64 seed)

/// An optional parameter (a bias, γ, β) that the test expects to be there.
let private present (t: Tensor | null) : Tensor =
    match t with
    | null -> failwith "expected the parameter to be present"
    | t -> t

let private mean (xs: float[]) = Array.average xs

/// The population standard deviation.
let private std (xs: float[]) = let m = mean xs in sqrt (xs |> Array.averageBy (fun x -> (x - m) ** 2.0))

/// Row-major element (i, j) of a [rows, cols] array.
let private at (a: float[]) (cols: int) (i: int) (j: int) = a.[i * cols + j]

/// log Σ exp(row), with the max subtracted so that it is exact for large entries.
let private logSumExp (row: float[]) = let m = Array.max row in m + log (row |> Array.sumBy (fun z -> exp (z - m)))

// ---- initialisers ----

/// Checks that `xs` look like draws with the given mean and standard deviation. The sample mean has standard error
/// σ/√n and the sample standard deviation about σ·√((κ − 1)/(4n)) (κ the kurtosis: 3 normal, 1.8 uniform); 6 standard
/// errors make a false failure rarer than one in 10^8.
let private assertMoments (what: string) (kurtosis: float) (expectedMean: float) (expectedStd: float) (xs: float[]) =
    let n = float xs.Length
    let meanTolerance = 6.0 * expectedStd / sqrt n
    let stdTolerance = 6.0 * expectedStd * sqrt ((kurtosis - 1.0) / (4.0 * n))
    let m, s = mean xs, std xs
    Assert.True(abs (m - expectedMean) <= meanTolerance, sprintf "%s: mean %g, expected %g ± %g" what m expectedMean meanTolerance)
    Assert.True(abs (s - expectedStd) <= stdTolerance, sprintf "%s: std %g, expected %g ± %g" what s expectedStd stdTolerance)

/// Uniform draws on (−b, b): all inside, the extremes near both ends, and the moments of U(−b, b) (std b/√3).
let private assertUniform (what: string) (bound: float) (xs: float[]) =
    Assert.True(xs |> Array.forall (fun x -> abs x <= bound), sprintf "%s: a value exceeds the bound %g" what bound)
    // P(max < 0.99·b) = 0.995^n, negligible for n in the thousands.
    Assert.True(Array.max xs > 0.99 * bound && Array.min xs < -0.99 * bound, sprintf "%s: the values do not reach ±%g" what bound)
    assertMoments what 1.8 0.0 (bound / sqrt 3.0) xs

[<Fact>]
let ``uniform and normal initialisers have the requested moments and bounds`` () =
    let shape = [| 200; 150 |]
    let u = Init.Uniform(key 1, shape, DType.Float64, -2.0, 3.0) |> doubles
    Assert.True(u |> Array.forall (fun x -> x >= -2.0 && x < 3.0))
    assertMoments "Uniform(-2, 3)" 1.8 0.5 (5.0 / sqrt 12.0) u
    assertMoments "Normal(1, 0.5)" 3.0 1.0 0.5 (Init.Normal(key 2, shape, DType.Float64, 1.0, 0.5) |> doubles)
    Assert.True(Init.Zeros(key 3, shape).ToArray<float>() |> Array.forall ((=) 0.0))
    Assert.True(Init.Ones(key 3, shape, DType.Float64).ToArray<float>() |> Array.forall ((=) 1.0))
    Assert.Equal(DType.Float32, Init.Normal(key 2, shape).DType)
    Assert.Equal<int[]>(shape, Init.Normal(key 2, shape).Shape)

[<Fact>]
let ``xavier and kaiming initialisers follow their formulas for matrices and kernels`` () =
    // A matrix is [in, out]; a kernel is [out, in, kh, kw] with fans in·kh·kw and out·kh·kw.
    let matrix, kernel = [| 120; 300 |], [| 64; 32; 3; 3 |]
    Assert.Equal(struct (120, 300), Init.Fans matrix)
    Assert.Equal(struct (32 * 9, 64 * 9), Init.Fans kernel)
    for shape in [ matrix; kernel ] do
        let struct (fanIn, fanOut) = Init.Fans shape
        let name = sprintf "%A" shape
        assertUniform ("XavierUniform " + name) (1.5 * sqrt (6.0 / float (fanIn + fanOut))) (Init.XavierUniform(key 4, shape, DType.Float64, 1.5) |> doubles)
        assertMoments ("XavierNormal " + name) 3.0 0.0 (sqrt (2.0 / float (fanIn + fanOut))) (Init.XavierNormal(key 5, shape, DType.Float64) |> doubles)
        // ReLU's gain √2 with fan in; leaky ReLU's √(2 / (1 + a²)) with fan out.
        assertUniform ("KaimingUniform relu " + name) (sqrt 3.0 * sqrt 2.0 / sqrt (float fanIn))
            (Init.KaimingUniform(key 6, shape, DType.Float64, nonlinearity = Nonlinearity.Relu) |> doubles)
        assertMoments ("KaimingNormal leaky fan out " + name) 3.0 0.0 (sqrt (2.0 / (1.0 + 0.2 * 0.2)) / sqrt (float fanOut))
            (Init.KaimingNormal(key 7, shape, DType.Float64, a = 0.2, mode = FanMode.FanOut) |> doubles)
    Assert.Equal(5.0 / 3.0, Init.Gain(Nonlinearity.Tanh))
    Assert.Equal(1.0, Init.Gain(Nonlinearity.Sigmoid))
    throwsWith<ArgumentException> [ "KaimingUniform"; "rank ≥ 2"; "[5]" ] (fun () -> Init.KaimingUniform(key 1, [| 5 |]) |> ignore)

[<Fact>]
let ``layers are initialised with PyTorch's defaults`` () =
    // nn.Linear and nn.Conv2d: Kaiming uniform with a = √5 for the weight, i.e. U(±1/√fan in), and the bias U(±1/√fan in).
    let inF, outF = 60, 80
    let linear = Linear.Create(inF, outF, key 8, dtype = DType.Float64)
    Assert.Equal<int[]>([| inF; outF |], linear.Weight.Shape)
    Assert.Equal<int[]>([| outF |], (present linear.Bias).Shape)
    assertUniform "Linear weight" (1.0 / sqrt (float inF)) (doubles linear.Weight)
    Assert.True(doubles (present linear.Bias) |> Array.forall (fun b -> abs b <= 1.0 / sqrt (float inF)))
    Assert.True(isNull (Linear.Create(3, 2, key 8, bias = false).Bias))
    // nn.Embedding: N(0, 1); LayerNorm and BatchNorm: γ = 1, β = 0.
    assertMoments "Embedding" 3.0 0.0 1.0 (doubles (Embedding.Create(100, 64, key 9, DType.Float64).Weight))
    let ln = LayerNorm.Create([| 4; 5 |])
    Assert.True(doubles (present ln.Weight) |> Array.forall ((=) 1.0) && doubles (present ln.Bias) |> Array.forall ((=) 0.0))
    let bn = BatchNorm.Create(6)
    Assert.True(doubles (present bn.Weight) |> Array.forall ((=) 1.0) && doubles (present bn.Bias) |> Array.forall ((=) 0.0))
    let state = bn.InitialState()
    Assert.True(state.RunningMean.ToArray<float>() |> Array.forall ((=) 0.0) && state.RunningVar.ToArray<float>() |> Array.forall ((=) 1.0))

// ---- layers ----

[<Fact>]
let ``Linear is x·W + b over any leading axes`` () =
    let w, b = randomTensor 1 -1.0 1.0 [| 3; 4 |], randomTensor 2 -1.0 1.0 [| 4 |]
    let x = randomTensor 3 -2.0 2.0 [| 2; 5; 3 |]
    let y = Linear(w, b).Apply(x)
    Assert.Equal<int[]>([| 2; 5; 4 |], y.Shape)
    let xs, ws, bs = doubles x, doubles w, doubles b
    let expected = Array.init 40 (fun k -> let row, j = k / 4, k % 4 in bs.[j] + Seq.sum (seq { for i in 0 .. 2 -> xs.[row * 3 + i] * at ws 4 i j }))
    assertAllClose 1e-12 1e-12 "Linear" expected (doubles y)
    let withoutBias = Array.init 40 (fun k -> let row, j = k / 4, k % 4 in Seq.sum (seq { for i in 0 .. 2 -> xs.[row * 3 + i] * at ws 4 i j }))
    assertAllClose 1e-12 1e-12 "Linear without bias" withoutBias (doubles (Linear(w, null).Apply x))
    throwsWith<ArgumentException> [ "Linear"; "3 features"; "[2, 5]" ] (fun () -> Linear(w, b).Apply(Tensor.Zeros(DType.Float64, 2, 5)) |> ignore)

[<Fact>]
let ``activation layers compute their formulas`` () =
    let x = randomTensor 4 -3.0 3.0 [| 2; 5 |]
    let xs = doubles x
    let erf (v: float) = (Tensor.Scalar(v, DType.Float64).Erf()).Item<float>()
    let cases : (string * IStatelessLayer * (float -> float)) list =
        [ "Relu", Relu(), (fun v -> max v 0.0)
          "Tanh", Tanh(), tanh
          "Sigmoid", Sigmoid(), (fun v -> 1.0 / (1.0 + exp -v))
          "LeakyRelu", LeakyRelu(0.2), (fun v -> if v >= 0.0 then v else 0.2 * v)
          "Elu", Elu(0.7), (fun v -> if v > 0.0 then v else 0.7 * (exp v - 1.0))
          "Gelu", Gelu(), (fun v -> 0.5 * v * (1.0 + erf (v / sqrt 2.0))) ]
    for name, layer, f in cases do assertAllClose 1e-12 1e-14 name (Array.map f xs) (doubles (layer.Apply x))
    let softmaxRows = Array.init 2 (fun r -> let row = xs.[r * 5 .. r * 5 + 4] in row |> Array.map (fun v -> exp (v - logSumExp row))) |> Array.concat
    assertAllClose 1e-12 1e-14 "Softmax" softmaxRows (doubles (Softmax().Apply x))
    assertAllClose 1e-12 1e-14 "LogSoftmax" (Array.map log softmaxRows) (doubles (LogSoftmax(1).Apply x))
    let images = randomTensor 5 -1.0 1.0 [| 2; 3; 4; 5 |]
    let flat = Flatten().Apply images
    Assert.Equal<int[]>([| 2; 60 |], flat.Shape)
    Assert.Equal<float[]>(doubles images, doubles flat)

[<Fact>]
let ``Embedding picks rows of its table and rejects indices out of range`` () =
    let table = randomTensor 6 -1.0 1.0 [| 5; 3 |]
    let indices = Tensor.FromArray([| 4; 0; 4; 2 |], 2, 2)
    let y = Embedding(table).Apply(indices)
    Assert.Equal<int[]>([| 2; 2; 3 |], y.Shape)
    let t = doubles table
    Assert.Equal<float[]>([| 4; 0; 4; 2 |] |> Array.collect (fun i -> t.[i * 3 .. i * 3 + 2]), doubles y)
    throwsWith<ArgumentOutOfRangeException> [ "Embedding"; "index 5"; "[0, 5)" ] (fun () -> Embedding(table).Apply(Tensor.FromArray([| 5 |], 1)) |> ignore)
    throwsWith<ArgumentOutOfRangeException> [ "Embedding"; "index -1" ] (fun () -> Embedding(table).Apply(Tensor.FromArray([| -1 |], 1)) |> ignore)
    throwsWith<ArgumentException> [ "Embedding"; "int32"; "float64 [1]" ] (fun () -> Embedding(table).Apply(Tensor.FromArray([| 1.0 |], 1)) |> ignore)

[<Fact>]
let ``Dropout is the identity in inference and drops a fraction p scaling survivors by 1 over 1 - p in training`` () =
    let n, p = 100_000, 0.3
    let x = Tensor.Ones(DType.Float64, n)
    let dropout = Dropout(p)
    Assert.Equal<float[]>(doubles x, doubles (dropout.Apply(x, Mode.Inference)))
    let y = doubles (dropout.Apply(x, Mode.Train(key 10)))
    // The dropped fraction has standard error √(p(1 − p)/n) ≈ 0.0014; 6 of them bound a false failure below 10^-8.
    let dropped = float (y |> Array.filter ((=) 0.0) |> Array.length) / float n
    Assert.True(abs (dropped - p) <= 6.0 * sqrt (p * (1.0 - p) / float n), sprintf "dropped %g, expected %g" dropped p)
    Assert.True(y |> Array.forall (fun v -> v = 0.0 || abs (v - 1.0 / (1.0 - p)) < 1e-15), "survivors are scaled by 1/(1-p)")
    Assert.Equal<float[]>(y, doubles (dropout.Apply(x, Mode.Train(key 10))))
    Assert.NotEqual<float[]>(y, doubles (dropout.Apply(x, Mode.Train(key 11))))
    // The same mask whatever the values: survivors keep their own value, scaled.
    let z = randomTensor 12 1.0 2.0 [| n |]
    let zy = doubles (dropout.Apply(z, Mode.Train(key 10)))
    let zs = doubles z
    for i in 0 .. n - 1 do
        if y.[i] = 0.0 then Assert.Equal(0.0, zy.[i])
        elif not (close 1e-15 0.0 (zs.[i] / (1.0 - p)) zy.[i]) then failwithf "element %d: %g, expected %g" i zy.[i] (zs.[i] / (1.0 - p))
    Assert.True(doubles (Dropout(1.0).Apply(z, Mode.Train(key 1))) |> Array.forall ((=) 0.0))
    throwsWith<ArgumentException> [ "Dropout"; "key" ] (fun () -> dropout.Apply(x, Mode.TrainWithoutKey) |> ignore)
    throwsWith<ArgumentOutOfRangeException> [ "Dropout"; "1.5" ] (fun () -> Dropout(1.5) |> ignore)

[<Fact>]
let ``LayerNorm normalises each example over its trailing axes with the biased variance`` () =
    let x = randomTensor 13 -3.0 3.0 [| 3; 2; 4 |]
    let gamma, beta = randomTensor 14 0.5 1.5 [| 2; 4 |], randomTensor 15 -1.0 1.0 [| 2; 4 |]
    let eps = 1e-3
    let y = LayerNorm(gamma, beta, [| 2; 4 |], eps).Apply(x)
    let xs, g, b = doubles x, doubles gamma, doubles beta
    let expected =
        Array.init 3 (fun e ->
            let row = xs.[e * 8 .. e * 8 + 7]
            let m = mean row
            let v = row |> Array.averageBy (fun r -> (r - m) ** 2.0)
            Array.init 8 (fun k -> (row.[k] - m) / sqrt (v + eps) * g.[k] + b.[k])) |> Array.concat
    assertAllClose 1e-12 1e-12 "LayerNorm" expected (doubles y)
    let plain = LayerNorm.Create([| 4 |], dtype = DType.Float64)
    let rows = doubles (plain.Apply x)
    for r in 0 .. 5 do
        let row = rows.[r * 4 .. r * 4 + 3]
        Assert.True(abs (mean row) < 1e-12 && abs (std row - 1.0) < 1e-3)
    throwsWith<ArgumentException> [ "LayerNorm"; "[2, 4]"; "[3, 4, 2]" ] (fun () -> LayerNorm(gamma, beta, [| 2; 4 |]).Apply(randomTensor 1 0.0 1.0 [| 3; 4; 2 |]) |> ignore)

/// BatchNorm by its definition, channel c over every other axis of x [N, C, rest]: (output, running mean, running var).
let private batchNormByHand (x: float[]) (n: int) (c: int) (rest: int) (g: float[]) (b: float[]) (rm: float[]) (rv: float[]) eps momentum =
    let channel ch = [| for i in 0 .. n - 1 do for k in 0 .. rest - 1 -> x.[(i * c + ch) * rest + k] |]
    let stats = Array.init c (fun ch -> let v = channel ch in mean v, (std v) ** 2.0)
    let y = x |> Array.mapi (fun idx v -> let ch = idx / rest % c in let m, var = stats.[ch] in (v - m) / sqrt (var + eps) * g.[ch] + b.[ch])
    let count = float (n * rest)
    let newMean = Array.init c (fun ch -> (1.0 - momentum) * rm.[ch] + momentum * fst stats.[ch])
    let newVar = Array.init c (fun ch -> (1.0 - momentum) * rv.[ch] + momentum * snd stats.[ch] * count / (count - 1.0))
    y, newMean, newVar

[<Fact>]
let ``BatchNorm in training normalises with batch statistics and returns PyTorch's running statistics`` () =
    for shape in [ [| 6; 3 |]; [| 4; 3; 2; 5 |] ] do
        let n, c = shape.[0], shape.[1]
        let rest = Array.fold (*) 1 shape / (n * c)
        let x = randomTensor 16 -2.0 4.0 shape
        let gamma, beta = randomTensor 17 0.5 1.5 [| c |], randomTensor 18 -1.0 1.0 [| c |]
        let state = BatchNormState(randomTensor 19 -1.0 1.0 [| c |], randomTensor 20 0.5 2.0 [| c |])
        let bn = BatchNorm(gamma, beta, c, 1e-3, 0.2)
        let struct (y, next) = bn.Apply(x, state, true)
        let ey, em, ev = batchNormByHand (doubles x) n c rest (doubles gamma) (doubles beta) (doubles state.RunningMean) (doubles state.RunningVar) 1e-3 0.2
        assertAllClose 1e-10 1e-12 (sprintf "BatchNorm %A output" shape) ey (doubles y)
        assertAllClose 1e-12 1e-14 (sprintf "BatchNorm %A running mean" shape) em (doubles next.RunningMean)
        assertAllClose 1e-12 1e-14 (sprintf "BatchNorm %A running var" shape) ev (doubles next.RunningVar)
        // The state passed in is a value: untouched.
        Assert.NotEqual<float[]>(doubles state.RunningMean, doubles next.RunningMean)
        // Inference reads the running statistics and returns them unchanged.
        let struct (yi, same) = bn.Apply(x, next, false)
        Assert.Same(next, same)
        let rm, rv, g, b = doubles next.RunningMean, doubles next.RunningVar, doubles gamma, doubles beta
        let expected = doubles x |> Array.mapi (fun idx v -> let ch = idx / rest % c in (v - rm.[ch]) / sqrt (rv.[ch] + 1e-3) * g.[ch] + b.[ch])
        assertAllClose 1e-12 1e-12 (sprintf "BatchNorm %A inference" shape) expected (doubles yi)
    let bn = BatchNorm.Create(3, dtype = DType.Float64)
    throwsWith<ArgumentException> [ "BatchNorm"; "3 features on axis 1"; "[2, 4]" ] (fun () -> bn.Apply(Tensor.Zeros(DType.Float64, 2, 4), bn.InitialState(), true) |> ignore)
    throwsWith<ArgumentException> [ "BatchNorm"; "more than one value per channel" ] (fun () -> bn.Apply(Tensor.Zeros(DType.Float64, 1, 3), bn.InitialState(), true) |> ignore)

// ---- models ----

/// A small float64 model with every kind of layer: stateless, random (dropout) and stateful (batch norm).
let private smallModel () =
    let k = key 21
    Sequential(
        Linear.Create(4, 6, k.FoldIn 0, dtype = DType.Float64),
        Tanh(),
        LayerNorm(randomTensor 22 0.5 1.5 [| 6 |], randomTensor 23 -0.5 0.5 [| 6 |], [| 6 |]),
        BatchNorm(randomTensor 24 0.5 1.5 [| 6 |], randomTensor 25 -0.5 0.5 [| 6 |], 6),
        Dropout(0.25),
        Gelu(),
        Linear.Create(6, 3, k.FoldIn 1, dtype = DType.Float64))

[<Fact>]
let ``gradients through a whole Sequential in training mode match finite differences in float64`` () =
    let model = smallModel ()
    let x = randomTensor 26 -1.0 1.0 [| 5; 4 |]
    let labels = Tensor.FromArray([| 0; 2; 1; 1; 0 |], 5)
    let state = model.InitialState()
    let mode = Mode.Train(key 27)
    let struct (leaves, def) = Tree.Flatten model
    // Parameters only: 2 linears × 2 + layer norm 2 + batch norm 2; the running statistics are not among them.
    Assert.Equal(8, leaves.Length)
    let loss (parameters: Tensor[]) =
        let m = Tree.Unflatten<Sequential>(def, parameters)
        let struct (logits, _) = m.Apply(x, state, mode)
        Losses.SoftmaxCrossEntropy(logits, labels, 0.1)
    GradCheck.Assert(Func<Tensor[], Tensor> loss, leaves)
    // And with respect to the input, through every layer.
    GradCheck.Assert(Func<Tensor[], Tensor>(fun xs -> let struct (y, _) = model.Apply(xs.[0], state, mode) in (y * y).Sum()), [| x |])
    // ValueAndGrad on the model itself gives a gradient shaped like the model.
    let struct (value, grad) = Grad.ValueAndGrad(Func<Sequential, Tensor>(fun m -> let struct (y, _) = m.Apply(x, state, mode) in Losses.SoftmaxCrossEntropy(y, labels, 0.1)))
                                   .Invoke(model)
    Assert.True(Tree.SameStructure(model, grad))
    Assert.Equal(loss(leaves).Item<float>(), value.Item<float>(), 12)

[<Fact>]
let ``a Sequential threads per-layer state and keys deterministically`` () =
    let model = smallModel ()
    let x = randomTensor 28 -1.0 1.0 [| 8; 4 |]
    let state = model.InitialState()
    Assert.Equal(7, state.Length)
    Assert.IsType<BatchNormState>(state.[3]) |> ignore
    Assert.True(state |> Array.indexed |> Array.forall (fun (i, s) -> (i = 3) = not (isNull s)))
    let struct (y1, s1) = model.Apply(x, state, Mode.Train(key 29))
    let struct (y2, _) = model.Apply(x, state, Mode.Train(key 29))
    let struct (y3, _) = model.Apply(x, state, Mode.Train(key 30))
    Assert.Equal<float[]>(doubles y1, doubles y2)
    Assert.NotEqual<float[]>(doubles y1, doubles y3)
    // The new state has the structure of the old one and is a tree of its own (for a checkpoint).
    Assert.True(Tree.SameStructure(state, s1))
    let struct (stateLeaves, stateDef) = Tree.Flatten s1
    Assert.Equal(2, stateLeaves.Length)
    let restored = Tree.Unflatten<obj[]>(stateDef, stateLeaves |> Array.map (fun t -> Tensor.FromArray(t.ToArray<float>(), t.Shape)))
    let struct (a, _) = model.Apply(x, s1, Mode.Inference)
    let struct (b, _) = model.Apply(x, restored, Mode.Inference)
    Assert.Equal<float[]>(doubles a, doubles b)
    // Inference is deterministic and ignores any key.
    let struct (c, sameState) = model.Apply(x, s1, Mode(false, Nullable(key 1)))
    Assert.Equal<float[]>(doubles a, doubles c)
    Assert.Same(s1.[3], sameState.[3])
    throwsWith<InvalidOperationException> [ "Sequential"; "layer 3"; "BatchNorm"; "Apply(x, state, mode)" ] (fun () -> model.Apply x |> ignore)
    throwsWith<ArgumentException> [ "Sequential"; "3 entries for 7 layers" ] (fun () -> model.Apply(x, Array.zeroCreate 3, Mode.Inference) |> ignore)

[<Fact>]
let ``a stateless model is one call, and two dropout layers in one Sequential draw different masks`` () =
    let model = Sequential(Linear.Create(3, 4, key 31, dtype = DType.Float64), Relu(), Linear.Create(4, 2, key 32, dtype = DType.Float64))
    let x = randomTensor 33 -1.0 1.0 [| 5; 3 |]
    let l1, l2 = model.Layers.[0] :?> Linear, model.Layers.[2] :?> Linear
    let expected = ((x.MatMul(l1.Weight) + present l1.Bias).Relu()).MatMul(l2.Weight) + present l2.Bias
    Assert.Equal<float[]>(doubles expected, doubles (model.Apply x))
    let dropoutsOnly = Sequential(Dropout(0.5), Dropout(0.0), Dropout(0.5))
    let ones = Tensor.Ones(DType.Float64, 1000)
    let masks = Sequential(Dropout(0.5), Dropout(0.5))
    let first = doubles ((masks.Layers.[0] :?> Dropout).Apply(ones, Mode.Train(key 34).ForLayer 0))
    let second = doubles ((masks.Layers.[1] :?> Dropout).Apply(ones, Mode.Train(key 34).ForLayer 1))
    Assert.NotEqual<float[]>(first, second)
    let both = doubles (masks.Apply(ones, Mode.Train(key 34)))
    Assert.Equal<float[]>(Array.map2 (fun a b -> a * b) first second, both)
    Assert.Equal<float[]>(doubles ones, doubles (dropoutsOnly.Apply ones))

/// A model written as plain code: an F# record of layers; its batch-norm state is kept beside it, not in it.
type private Classifier = { Hidden: Linear; Norm: BatchNorm; Output: Linear }

[<Fact>]
let ``a record of layers is a parameter tree, and the batch-norm state comes back as auxiliary output, not gradient`` () =
    let model =
        { Hidden = Linear.Create(3, 5, key 70, dtype = DType.Float64)
          Norm = BatchNorm.Create(5, dtype = DType.Float64)
          Output = Linear.Create(5, 2, key 71, dtype = DType.Float64) }
    let x = randomTensor 72 -1.0 1.0 [| 6; 3 |]
    let labels = Tensor.FromArray([| 0; 1; 1; 0; 1; 0 |], 6)
    let state = model.Norm.InitialState()
    let forward (m: Classifier) =
        let struct (h, next) = m.Norm.Apply(m.Hidden.Apply x, state, true)
        struct (Losses.SoftmaxCrossEntropy(m.Output.Apply(h.Tanh()), labels), next)
    let struct (value, next, grad) = Grad.ValueAndGrad(Func<Classifier, struct (Tensor * BatchNormState)> forward).Invoke(model)
    // Six parameters (two weights, two biases, γ and β); the running statistics are not among them.
    Assert.Equal(6, (Tree.Leaves grad).Length)
    Assert.True(Tree.SameStructure(model, grad))
    let struct (directValue, direct) = forward model
    Assert.Equal(directValue.Item<float>(), value.Item<float>())
    Assert.Equal<float[]>(doubles direct.RunningMean, doubles next.RunningMean)
    Assert.Equal<float[]>(doubles direct.RunningVar, doubles next.RunningVar)
    let struct (leaves, def) = Tree.Flatten model
    GradCheck.Assert(Func<Tensor[], Tensor>(fun ps -> let struct (l, _) = forward (Tree.Unflatten<Classifier>(def, ps)) in l), leaves)

// ---- losses ----

/// Softmax cross-entropy of one row by its definition, with PyTorch's label smoothing.
let private crossEntropyByHand (row: float[]) (label: int) (smoothing: float) =
    let c = float row.Length
    let lse = logSumExp row
    row |> Array.mapi (fun k z -> let q = (if k = label then 1.0 - smoothing else 0.0) + smoothing / c in -q * (z - lse)) |> Array.sum

[<Fact>]
let ``softmax cross-entropy matches its definition with label smoothing and every reduction`` () =
    let logits = randomTensor 35 -4.0 4.0 [| 6; 5 |]
    let labels = Tensor.FromArray([| 0; 4; 2; 2; 1; 3 |], 6)
    let z, y = doubles logits, labels.ToArray<int>()
    for smoothing in [ 0.0; 0.1; 0.35 ] do
        let expected = Array.init 6 (fun r -> crossEntropyByHand z.[r * 5 .. r * 5 + 4] y.[r] smoothing)
        assertAllClose 1e-12 1e-14 "none" expected (doubles (Losses.SoftmaxCrossEntropy(logits, labels, smoothing, Reduction.None)))
        Assert.Equal(Array.sum expected, Losses.SoftmaxCrossEntropy(logits, labels, smoothing, Reduction.Sum).Item<float>(), 12)
        Assert.Equal(mean expected, Losses.SoftmaxCrossEntropy(logits, labels, smoothing).Item<float>(), 12)
        // The gradient of the sum is softmax(z) − q row by row.
        let g = Grad.Gradient(Func<Tensor, Tensor>(fun l -> Losses.SoftmaxCrossEntropy(l, labels, smoothing, Reduction.Sum))).Invoke(logits)
        let expectedGrad =
            Array.init 30 (fun k -> let r, c = k / 5, k % 5 in exp (z.[k] - logSumExp z.[r * 5 .. r * 5 + 4]) - ((if c = y.[r] then 1.0 - smoothing else 0.0) + smoothing / 5.0))
        assertAllClose 1e-12 1e-14 "gradient" expectedGrad (doubles g)
    // Leading axes are batch axes; float32 computes in float32.
    let batched = Losses.SoftmaxCrossEntropy(logits.Reshape(2, 3, 5), labels.Reshape(2, 3), reduction = Reduction.None)
    Assert.Equal<int[]>([| 2; 3 |], batched.Shape)
    Assert.Equal(DType.Float32, Losses.SoftmaxCrossEntropy(logits.Cast(DType.Float32), labels).DType)

[<Fact>]
let ``softmax cross-entropy and its gradient stay finite and exact at logits of 1e4`` () =
    let logits = Tensor.FromArray([| 1e4; -1e4; 0.0; -1e4; 1e4; 1e4 |], 2, 3)
    let labels = Tensor.FromArray([| 0; 0 |], 2)
    let loss = doubles (Losses.SoftmaxCrossEntropy(logits, labels, reduction = Reduction.None))
    // Row 0: the label has the only large logit, so the loss is log(1 + e^-1e4 + e^-2e4) = 0 in double.
    // Row 1: log(e^-1e4 + 2e^1e4) + 1e4 = 2e4 + log 2.
    Assert.Equal(0.0, loss.[0])
    Assert.Equal(2e4 + log 2.0, loss.[1], 9)
    let g = Grad.Gradient(Func<Tensor, Tensor>(fun l -> Losses.SoftmaxCrossEntropy(l, labels, 0.1))).Invoke(logits) |> doubles
    Assert.True(g |> Array.forall Double.IsFinite)
    for f32 in [ true; false ] do
        let l = if f32 then logits.Cast(DType.Float32) else logits
        Assert.True(doubles (Losses.SoftmaxCrossEntropy(l, labels, 0.2, Reduction.None)) |> Array.forall Double.IsFinite)
        Assert.True(doubles (Losses.BinaryCrossEntropyWithLogits(l, Tensor.FullLike(l, 0.5), Reduction.None)) |> Array.forall Double.IsFinite)

[<Fact>]
let ``the classification losses name the op for a label out of range or a shape mismatch`` () =
    let logits = randomTensor 36 -1.0 1.0 [| 2; 3 |]
    throwsWith<ArgumentOutOfRangeException> [ "softmax_cross_entropy"; "label 3"; "[0, 3)" ] (fun () -> Losses.SoftmaxCrossEntropy(logits, Tensor.FromArray([| 0; 3 |], 2)) |> ignore)
    throwsWith<ArgumentOutOfRangeException> [ "softmax_cross_entropy"; "label -1" ] (fun () -> Losses.SoftmaxCrossEntropy(logits, Tensor.FromArray([| -1; 0 |], 2)) |> ignore)
    throwsWith<ArgumentException> [ "softmax_cross_entropy"; "float64 [2, 3]"; "int32 [3]" ] (fun () -> Losses.SoftmaxCrossEntropy(logits, Tensor.FromArray([| 0; 1; 2 |], 3)) |> ignore)
    throwsWith<ArgumentException> [ "softmax_cross_entropy"; "int32 labels" ] (fun () -> Losses.SoftmaxCrossEntropy(logits, Tensor.FromArray([| 0.0; 1.0 |], 2)) |> ignore)
    throwsWith<ArgumentOutOfRangeException> [ "softmax_cross_entropy"; "smoothing 1.5" ] (fun () -> Losses.SoftmaxCrossEntropy(logits, Tensor.FromArray([| 0; 1 |], 2), 1.5) |> ignore)
    throwsWith<ArgumentOutOfRangeException> [ "nll_loss"; "label 7" ] (fun () -> Losses.Nll(logits, Tensor.FromArray([| 7; 1 |], 2)) |> ignore)
    throwsWith<ArgumentException> [ "nll_loss"; "[2, 3]"; "[2, 1]" ] (fun () -> Losses.Nll(logits, Tensor.FromArray([| 0; 1 |], 2, 1)) |> ignore)
    throwsWith<ArgumentOutOfRangeException> [ "accuracy"; "label 3" ] (fun () -> Losses.Accuracy(logits, Tensor.FromArray([| 3; 1 |], 2)) |> ignore)
    throwsWith<ArgumentException> [ "mse_loss"; "[2, 3]"; "[3, 2]" ] (fun () -> Losses.Mse(logits, logits.Reshape(3, 2)) |> ignore)
    throwsWith<ArgumentException> [ "l1_loss"; "[2, 3]"; "[3]" ] (fun () -> Losses.L1(logits, logits.Slice(0, 0, Nullable 1).Reshape(3)) |> ignore)
    throwsWith<ArgumentException> [ "binary_cross_entropy_with_logits"; "float32" ] (fun () -> Losses.BinaryCrossEntropyWithLogits(logits, logits.Cast(DType.Float32)) |> ignore)

[<Fact>]
let ``NLL, MSE, L1, binary cross-entropy and accuracy match their definitions`` () =
    let a, b = randomTensor 37 -3.0 3.0 [| 4; 3 |], randomTensor 38 -3.0 3.0 [| 4; 3 |]
    let xs, ys = doubles a, doubles b
    Assert.Equal(Array.map2 (fun x y -> (x - y) ** 2.0) xs ys |> mean, Losses.Mse(a, b).Item<float>(), 12)
    Assert.Equal(Array.map2 (fun x y -> abs (x - y)) xs ys |> Array.sum, Losses.L1(a, b, Reduction.Sum).Item<float>(), 12)
    let t = randomTensor 39 0.0 1.0 [| 4; 3 |]
    let ts = doubles t
    let sigmoid x = 1.0 / (1.0 + exp -x)
    let bce = Array.map2 (fun x t -> -t * log (sigmoid x) - (1.0 - t) * log (1.0 - sigmoid x)) xs ts
    assertAllClose 1e-12 1e-14 "binary cross-entropy" bce (doubles (Losses.BinaryCrossEntropyWithLogits(a, t, Reduction.None)))
    // Large logits: BCE(x, t) = softplus(x) − t·x exactly, e.g. 1e4·(1 − t) for x = 1e4 and 1e4·t for x = −1e4.
    let big = doubles (Losses.BinaryCrossEntropyWithLogits(Tensor.FromArray([| 1e4; -1e4 |], 2), Tensor.FromArray([| 0.25; 0.25 |], 2), Reduction.None))
    Assert.Equal<float[]>([| 7500.0; 2500.0 |], big)
    let labels = Tensor.FromArray([| 2; 0; 1; 1 |], 4)
    let logp = a.LogSoftmax(-1)
    let lp = doubles logp
    Assert.Equal(-(Array.mapi (fun r l -> lp.[r * 3 + l]) [| 2; 0; 1; 1 |] |> mean), Losses.Nll(logp, labels).Item<float>(), 12)
    // NLL of a log softmax is cross-entropy.
    Assert.Equal(Losses.SoftmaxCrossEntropy(a, labels).Item<float>(), Losses.Nll(logp, labels).Item<float>(), 12)
    let argmax r = [| 0 .. 2 |] |> Array.maxBy (fun c -> xs.[r * 3 + c])
    let correct = [| 2; 0; 1; 1 |] |> Array.mapi (fun r l -> if argmax r = l then 1.0 else 0.0) |> mean
    Assert.Equal(correct, Losses.Accuracy(a, labels).Item<float>(), 6)

// ---- training ----

[<Fact>]
let ``an MLP trained by plain gradient descent learns a synthetic three-class problem`` () =
    // Three Gaussian blobs in the plane around the corners of a triangle; the label is the blob.
    let perClass = 60
    let centres = [| (2.0, 0.0); (-1.0, 1.7); (-1.0, -1.7) |]
    let noise = Init.Normal(key 40, [| 3 * perClass; 2 |], DType.Float32, 0.0, 0.7) |> doubles
    let points = Array.init (3 * perClass * 2) (fun k -> let i, d = k / 2, k % 2 in let cx, cy = centres.[i / perClass] in (if d = 0 then cx else cy) + noise.[k])
    let x = Tensor.FromArray(points |> Array.map float32, 3 * perClass, 2)
    let labels = Tensor.FromArray(Array.init (3 * perClass) (fun i -> i / perClass), 3 * perClass)
    let model0 = Sequential(Linear.Create(2, 16, key 41), Relu(), Linear.Create(16, 3, key 42))
    let loss (m: Sequential) = Losses.SoftmaxCrossEntropy(m.Apply x, labels)
    let initialLoss = (loss model0).Item<float32>()
    let step (m: Sequential) _ =
        let struct (_, g) = Grad.ValueAndGrad(Func<Sequential, Tensor> loss).Invoke(m)
        Tree.Map(m, g, Func<Tensor, Tensor, Tensor>(fun p dp -> p - 0.3 * dp))
    let trained = Seq.fold step model0 [ 1 .. 150 ]
    let finalLoss = (loss trained).Item<float32>()
    let accuracy = Losses.Accuracy(trained.Apply x, labels).Item<float32>()
    Assert.True(finalLoss < 0.25f && finalLoss < initialLoss / 3.0f, sprintf "loss went from %g to %g" initialLoss finalLoss)
    Assert.True(accuracy > 0.9f, sprintf "accuracy %g" accuracy)

[<Fact>]
let ``a model with batch norm and dropout trains with AdamW while its running statistics are threaded beside it`` () =
    // Two interleaved half-moons would need more steps; two offset Gaussian blobs in 4-D suffice to exercise the loop.
    let n = 128
    let labels = Tensor.FromArray(Array.init n (fun i -> i % 2), n)
    let offsets = Tensor.FromArray(Array.init (n * 4) (fun k -> if (k / 4) % 2 = 0 then 1.0f else -1.0f), n, 4)
    let x = offsets + Init.Normal(key 80, [| n; 4 |])
    let model0 = Sequential(Linear.Create(4, 16, key 81), BatchNorm.Create(16), Relu(), Dropout(0.2), Linear.Create(16, 2, key 82))
    let opt = Autodiff.Optimizers.Optim.AdamW(Autodiff.Optimizers.Schedule.Constant 0.02, weightDecay = 0.01)
    let step (model: Sequential, state: (obj | null)[], optState) (i: int) =
        let loss (m: Sequential) =
            let struct (logits, next) = m.Apply(x, state, Mode.Train(key(83).FoldIn i))
            struct (Losses.SoftmaxCrossEntropy(logits, labels), next)
        let struct (_, next, grads) = Grad.ValueAndGrad(Func<Sequential, struct (Tensor * (obj | null)[])> loss).Invoke(model)
        let struct (updated, nextOpt) = opt.Update(grads, optState, model)
        updated, next, nextOpt
    let model, state, _ = Seq.fold step (model0, model0.InitialState(), opt.Init model0) [ 0 .. 59 ]
    let stats = match state.[1] with :? BatchNormState as s -> s | other -> failwithf "layer 1 state is %A" other
    // The running mean moved towards the batch means of the hidden layer (it starts at zero).
    Assert.True(doubles stats.RunningMean |> Array.exists (fun m -> abs m > 1e-3))
    let struct (logits, _) = model.Apply(x, state, Mode.Inference)
    let accuracy = Losses.Accuracy(logits, labels).Item<float32>()
    Assert.True(accuracy > 0.9f, sprintf "inference accuracy %g" accuracy)

// ---- the F# skin ----

[<Fact>]
let ``the F# Nn functions forward to the C# layers and losses`` () =
    let linear = Autodiff.FSharp.Layer.linear 3 2 (key 43)
    let x = Tensor.Ones(3)
    Assert.Equal<float[]>(doubles (linear.Apply x), doubles (x |> Autodiff.FSharp.Layer.apply linear))
    let bn = Autodiff.FSharp.Layer.batchNorm 2
    let y, state = Tensor.Ones(4, 2) |> Autodiff.FSharp.Layer.applyWith bn (Autodiff.FSharp.Layer.initialState bn) (Autodiff.FSharp.Mode.train (key 1))
    Assert.Equal<int[]>([| 4; 2 |], y.Shape)
    Assert.IsType<BatchNormState>(state) |> ignore
    let logits, labels = Tensor.Ones(2, 3), Tensor.FromArray([| 0; 2 |], 2)
    Assert.Equal(log 3.0, (logits |> Autodiff.FSharp.Losses.softmaxCrossEntropy labels).Item<float>(), 6)
    Assert.Equal(log 3.0, (logits |> Autodiff.FSharp.Tensor.softmaxCrossEntropy labels |> Autodiff.FSharp.Tensor.mean).Item<float>(), 6)
    Assert.Equal(struct (6, 4) |> (fun struct (a, b) -> a, b), Autodiff.FSharp.Init.fans [| 6; 4 |])

// ---- convolution and pooling layers ----

/// conv2d by its definition: y[n, o, i, j] = Σ_{c, p, q} x[n, g·Cg + c, i·s − pad + p·d, j·s − pad + q·d]·w[o, c, p, q] (zero outside).
let private conv2dByHand (x: float[]) (n, c, h, w) (wt: float[]) (o, cg, kh, kw) stride pad dil groups =
    let oh, ow = (h + 2 * pad - dil * (kh - 1) - 1) / stride + 1, (w + 2 * pad - dil * (kw - 1) - 1) / stride + 1
    let values =
        Array.init (n * o * oh * ow) (fun idx ->
            let ni, oi, i, j = idx / (o * oh * ow), idx / (oh * ow) % o, idx / ow % oh, idx % ow
            let g = oi / (o / groups)
            seq {
                for ci in 0 .. cg - 1 do
                    for p in 0 .. kh - 1 do
                        for q in 0 .. kw - 1 do
                            let hi, wi = i * stride - pad + p * dil, j * stride - pad + q * dil
                            if hi >= 0 && hi < h && wi >= 0 && wi < w then
                                yield x.[((ni * c + g * cg + ci) * h + hi) * w + wi] * wt.[((oi * cg + ci) * kh + p) * kw + q]
            } |> Seq.sum)
    values, [| n; o; oh; ow |]

[<Fact>]
let ``Conv2d is the convolution sum plus a bias per channel, initialised as PyTorch's`` () =
    let x = randomTensor 50 -1.0 1.0 [| 2; 4; 6; 5 |]
    let wt, b = randomTensor 51 -1.0 1.0 [| 6; 2; 3; 2 |], randomTensor 52 -1.0 1.0 [| 6 |]
    let layer = Conv2d(wt, b, Stride = 2, Padding = 1, Dilation = 2, Groups = 2)
    let expected, shape = conv2dByHand (doubles x) (2, 4, 6, 5) (doubles wt) (6, 2, 3, 2) 2 1 2 2
    let y = layer.Apply x
    Assert.Equal<int[]>(shape, y.Shape)
    let plane = shape.[2] * shape.[3]
    let bs = doubles b
    assertAllClose 1e-12 1e-12 "Conv2d" (expected |> Array.mapi (fun k v -> v + bs.[k / plane % 6])) (doubles y)
    assertAllClose 1e-12 1e-12 "Conv2d without bias" expected (doubles (Conv2d(wt, null, Stride = 2, Padding = 1, Dilation = 2, Groups = 2).Apply x))
    // nn.Conv2d's default: U(±1/√fan in) for weight and bias, fan in = in/groups·k².
    let created = Conv2d.Create(32, 32, 3, key 53, groups = 2, dtype = DType.Float64)
    Assert.Equal<int[]>([| 32; 16; 3; 3 |], created.Weight.Shape)
    assertUniform "Conv2d weight" (1.0 / sqrt 144.0) (doubles created.Weight)
    Assert.True(doubles (present created.Bias) |> Array.forall (fun v -> abs v <= 1.0 / 12.0))
    throwsWith<ArgumentException> [ "Conv2d"; "divisible by 3 groups" ] (fun () -> Conv2d.Create(4, 6, 3, key 1, groups = 3) |> ignore)

[<Fact>]
let ``ConvTranspose2d is the adjoint of the convolution with its weight, plus a bias`` () =
    // ⟨conv(z, W), y⟩ = ⟨z, convᵀ(y, W)⟩ with W [Cin, Cout, k, k] read as a convolution from Cout channels to Cin.
    let layer = ConvTranspose2d.Create(3, 2, 3, key 54, stride = 2, padding = 1, outputPadding = 1, dtype = DType.Float64)
    let y = randomTensor 55 -1.0 1.0 [| 2; 3; 3; 4 |]
    let out = layer.Apply y
    Assert.Equal<int[]>([| 2; 2; 6; 8 |], out.Shape)
    let bias = doubles (present layer.Bias)
    let withoutBias = doubles out |> Array.mapi (fun k v -> v - bias.[k / 48 % 2])
    let z = randomTensor 56 -1.0 1.0 [| 2; 2; 6; 8 |]
    let convZ, convShape = conv2dByHand (doubles z) (2, 2, 6, 8) (doubles layer.Weight) (3, 2, 3, 3) 2 1 1 1
    Assert.Equal<int[]>(y.Shape, convShape)
    let lhs = Array.fold2 (fun acc a b -> acc + a * b) 0.0 convZ (doubles y)
    let rhs = Array.fold2 (fun acc a b -> acc + a * b) 0.0 (doubles z) withoutBias
    Assert.Equal(lhs, rhs, 10)
    // PyTorch takes the fan in of the [in, out/groups, k, k] weight as out/groups·k².
    let big = ConvTranspose2d.Create(16, 32, 3, key 57, dtype = DType.Float64)
    assertUniform "ConvTranspose2d weight" (1.0 / sqrt (32.0 * 9.0)) (doubles big.Weight)

[<Fact>]
let ``pooling layers take the max or mean of each window`` () =
    let x = randomTensor 58 -1.0 1.0 [| 2; 3; 5; 6 |]
    let xs = doubles x
    let windows (k: int) (s: int) (pad: int) (f: float list -> int -> float) =
        let oh, ow = (5 + 2 * pad - k) / s + 1, (6 + 2 * pad - k) / s + 1
        Array.init (6 * oh * ow) (fun idx ->
            let plane, i, j = idx / (oh * ow), idx / ow % oh, idx % ow
            let inside =
                [ for p in 0 .. k - 1 do
                      for q in 0 .. k - 1 do
                          let hi, wi = i * s - pad + p, j * s - pad + q
                          if hi >= 0 && hi < 5 && wi >= 0 && wi < 6 then yield xs.[(plane * 5 + hi) * 6 + wi] ]
            f inside (k * k)), [| 2; 3; oh; ow |]
    let maxExpected, maxShape = windows 3 2 1 (fun v _ -> List.max v)
    let maxY = MaxPool2d(3, 2, 1).Apply x
    Assert.Equal<int[]>(maxShape, maxY.Shape)
    Assert.Equal<float[]>(maxExpected, doubles maxY)
    let avgExpected, avgShape = windows 2 2 0 (fun v k -> List.sum v / float k)
    let avgY = AvgPool2d(2).Apply x
    Assert.Equal<int[]>(avgShape, avgY.Shape)
    assertAllClose 1e-12 1e-14 "AvgPool2d" avgExpected (doubles avgY)
    let padded, _ = windows 3 1 1 (fun v k -> List.sum v / float k)
    assertAllClose 1e-12 1e-14 "AvgPool2d counting padding" padded (doubles (AvgPool2d(3, 1, 1).Apply x))
    let unpadded, _ = windows 3 1 1 (fun v _ -> List.average v)
    assertAllClose 1e-12 1e-14 "AvgPool2d without padding" unpadded (doubles (AvgPool2d(3, 1, 1, false).Apply x))
    let pooled = GlobalAvgPool2d().Apply x
    Assert.Equal<int[]>([| 2; 3 |], pooled.Shape)
    assertAllClose 1e-12 1e-14 "GlobalAvgPool2d" (Array.init 6 (fun p -> mean xs.[p * 30 .. p * 30 + 29])) (doubles pooled)

[<Fact>]
let ``gradients through a small CNN with 2-d batch norm match finite differences in float64`` () =
    let k = key 59
    let model =
        Sequential(
            Conv2d.Create(2, 3, 3, k.FoldIn 0, padding = 1, dtype = DType.Float64),
            BatchNorm(randomTensor 60 0.5 1.5 [| 3 |], randomTensor 61 -0.5 0.5 [| 3 |], 3),
            Tanh(),
            MaxPool2d(2),
            AvgPool2d(2, 1),
            Flatten(),
            Linear.Create(3, 2, k.FoldIn 1, dtype = DType.Float64))
    let x = randomTensor 62 -1.0 1.0 [| 2; 2; 4; 4 |]
    let labels = Tensor.FromArray([| 1; 0 |], 2)
    let state = model.InitialState()
    let struct (leaves, def) = Tree.Flatten model
    let loss (parameters: Tensor[]) =
        let struct (logits, _) = Tree.Unflatten<Sequential>(def, parameters).Apply(x, state, Mode.Train(key 63))
        Losses.SoftmaxCrossEntropy(logits, labels)
    GradCheck.Assert(Func<Tensor[], Tensor> loss, leaves)

[<Fact>]
let ``the F# convolution and pooling layer functions forward to the C# layers`` () =
    let conv = Autodiff.FSharp.Layer.conv2dWith 2 4 3 2 1 (key 64)
    Assert.Equal<int[]>([| 4; 2; 3; 3 |], conv.Weight.Shape)
    Assert.Equal((2, 1), (conv.Stride, conv.Padding))
    let x = Tensor.Ones(1, 2, 6, 6)
    Assert.Equal<int[]>([| 1; 4; 3; 3 |], (x |> Autodiff.FSharp.Layer.apply conv).Shape)
    Assert.Equal<int[]>([| 1; 2; 3; 3 |], (x |> Autodiff.FSharp.Layer.apply (Autodiff.FSharp.Layer.maxPool2d 2)).Shape)
    Assert.Equal<int[]>([| 1; 2 |], (x |> Autodiff.FSharp.Layer.apply Autodiff.FSharp.Layer.globalAvgPool2d).Shape)
    Assert.Equal<int[]>([| 1; 3; 12; 12 |], (x |> Autodiff.FSharp.Layer.apply (Autodiff.FSharp.Layer.convTranspose2d 2 3 2 2 (key 65))).Shape)
