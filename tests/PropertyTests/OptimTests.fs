/// Optimizers against independent scalar reimplementations of torch.optim's documented algorithms (plain float arrays,
/// float64), schedules against their closed forms and torch's recurrences, clipping, Chain, and the state as a tree:
/// checkpointable, immutable, in the parameters' dtype, with clear errors for mismatched trees.
module OptimTests

open System
open System.Collections.Generic
open Xunit
open Autodiff
open Autodiff.Optimizers
open Numeric

// ---- The problem: a two-leaf record, and a loss whose gradient is known in closed form ----

type Pair = { A: Tensor; B: Tensor }

let private shapeA, shapeB = [| 2; 3 |], [| 4 |]
let private sizeA = 6
let private n = 10

/// Curvatures c and targets τ of the loss Σ cᵢ(θᵢ − τᵢ)²/2 + Σ sin θᵢ, whose gradient is c·(θ − τ) + cos θ.
let private curvature = [| 1.0; 0.5; 2.0; 1.5; 0.8; 3.0; 0.3; 1.2; 2.5; 0.7 |]
let private goal = [| 0.5; -1.0; 2.0; 0.0; 1.5; -0.5; 3.0; -2.0; 0.25; 1.0 |]
let private start = [| 1.0; 0.3; -0.7; 2.0; -1.2; 0.8; 0.1; -0.4; 1.7; -2.2 |]

let private pairOf (flat: float[]) =
    { A = Tensor.FromArray(flat.[.. sizeA - 1], shapeA); B = Tensor.FromArray(flat.[sizeA ..], shapeB) }

let private flatOf (p: Pair) = Array.append (doubles p.A) (doubles p.B)

let private leafA (values: float[]) = Tensor.FromArray(values.[.. sizeA - 1], shapeA)
let private leafB (values: float[]) = Tensor.FromArray(values.[sizeA ..], shapeB)

let private loss (p: Pair) =
    let term (theta: Tensor) (c: Tensor) (t: Tensor) =
        let c, t = c.Cast theta.DType, t.Cast theta.DType   // float32 parameters get a float32 loss
        (c * (theta - t).Square()).Sum() * 0.5 + theta.Sin().Sum()
    term p.A (leafA curvature) (leafA goal) + term p.B (leafB curvature) (leafB goal)

let private gradient = Grad.Gradient(fn loss)

/// The same gradient, written with floats: the oracle's view of the problem.
let private gradientOracle (theta: float[]) = Array.init n (fun i -> curvature.[i] * (theta.[i] - goal.[i]) + cos theta.[i])

let private steps = 20

/// The parameters after each of `steps` updates, by the optimizer under test, with gradients from Grad.
let private trajectory (opt: GradientTransformation) =
    let mutable p = pairOf start
    let mutable state = opt.Init p
    [ for _ in 1 .. steps do
        let struct (next, nextState) = opt.Update(gradient.Invoke p, state, p)
        p <- next
        state <- nextState
        flatOf p ]

/// Runs an oracle: `step t lr g θ` updates θ in place (its own state captured) for t = 1, 2, …
let private oracleTrajectory (lr: int -> float) (step: int -> float -> float[] -> float[] -> unit) =
    let theta = Array.copy start
    [ for t in 1 .. steps do
        step t (lr (t - 1)) (gradientOracle theta) theta
        Array.copy theta ]

let private assertSameTrajectory (what: string) (expected: float[] list) (actual: float[] list) =
    List.iteri2 (fun t e a -> assertAllClose 1e-12 1e-14 (sprintf "%s, step %d" what (t + 1)) e a) expected actual
    // The runs must actually move: a trajectory that stands still would agree with a broken oracle too easily.
    let last = List.last actual
    if Array.forall2 (fun a b -> abs (a - b) < 1e-3) last start then failwithf "%s: the parameters hardly moved" what

// ---- Oracles: scalar loops transcribing torch.optim's documented pseudo-code ----

let private sgdOracle momentum dampening weightDecay nesterov =
    let buffer = Array.zeroCreate n
    fun t (lr: float) (g: float[]) (theta: float[]) ->
        for i in 0 .. n - 1 do
            let mutable gi = g.[i]
            if weightDecay <> 0.0 then gi <- gi + weightDecay * theta.[i]
            if momentum <> 0.0 then
                buffer.[i] <- if t > 1 then momentum * buffer.[i] + (1.0 - dampening) * gi else gi
                gi <- if nesterov then gi + momentum * buffer.[i] else buffer.[i]
            theta.[i] <- theta.[i] - lr * gi

/// Adam and AdamW. AMSGrad keeps the maximum of the raw second moment v and bias-corrects it at the current step, as
/// torch computes it (and as its current documentation writes it).
let private adamOracle (beta1: float) (beta2: float) eps weightDecay amsgrad decoupled =
    let m, v, vMax = Array.zeroCreate n, Array.zeroCreate n, Array.zeroCreate n
    fun (t: int) (lr: float) (g: float[]) (theta: float[]) ->
        for i in 0 .. n - 1 do
            let mutable gi = g.[i]
            if decoupled then theta.[i] <- theta.[i] - lr * weightDecay * theta.[i]
            elif weightDecay <> 0.0 then gi <- gi + weightDecay * theta.[i]
            m.[i] <- beta1 * m.[i] + (1.0 - beta1) * gi
            v.[i] <- beta2 * v.[i] + (1.0 - beta2) * gi * gi
            let mHat = m.[i] / (1.0 - beta1 ** float t)
            let vHat =
                if amsgrad then
                    vMax.[i] <- max vMax.[i] v.[i]
                    vMax.[i] / (1.0 - beta2 ** float t)
                else v.[i] / (1.0 - beta2 ** float t)
            theta.[i] <- theta.[i] - lr * mHat / (sqrt vHat + eps)

let private rmsPropOracle alpha eps weightDecay momentum centered =
    let v, gAvg, buffer = Array.zeroCreate n, Array.zeroCreate n, Array.zeroCreate n
    fun (_: int) (lr: float) (g: float[]) (theta: float[]) ->
        for i in 0 .. n - 1 do
            let mutable gi = g.[i]
            if weightDecay <> 0.0 then gi <- gi + weightDecay * theta.[i]
            v.[i] <- alpha * v.[i] + (1.0 - alpha) * gi * gi
            let mutable vTilde = v.[i]
            if centered then
                gAvg.[i] <- alpha * gAvg.[i] + (1.0 - alpha) * gi
                vTilde <- vTilde - gAvg.[i] * gAvg.[i]
            if momentum > 0.0 then
                buffer.[i] <- momentum * buffer.[i] + gi / (sqrt vTilde + eps)
                theta.[i] <- theta.[i] - lr * buffer.[i]
            else theta.[i] <- theta.[i] - lr * gi / (sqrt vTilde + eps)

let private adagradOracle lrDecay weightDecay initialAccumulatorValue eps =
    let sum = Array.create n initialAccumulatorValue
    fun (t: int) (lr: float) (g: float[]) (theta: float[]) ->
        let decayed = lr / (1.0 + float (t - 1) * lrDecay)
        for i in 0 .. n - 1 do
            let mutable gi = g.[i]
            if weightDecay <> 0.0 then gi <- gi + weightDecay * theta.[i]
            sum.[i] <- sum.[i] + gi * gi
            theta.[i] <- theta.[i] - decayed * gi / (sqrt sum.[i] + eps)

let private constant (lr: float) = Schedule.Constant lr
let private betasOf (beta1: float) (beta2: float) = Nullable<struct (float * float)>(struct (beta1, beta2))
let private at (lr: float) = fun (_: int) -> lr

// ---- Every optimizer and option combination against its oracle ----

[<Fact>]
let ``SGD follows torch's algorithm for every combination of momentum, dampening, Nesterov and weight decay`` () =
    for momentum in [ 0.0; 0.9 ] do
        for dampening in [ 0.0; 0.3 ] do
            for nesterov in [ false; true ] do
                for weightDecay in [ 0.0; 0.05 ] do
                    if not nesterov || (momentum > 0.0 && dampening = 0.0) then
                        let opt = Optim.Sgd(constant 0.05, momentum = momentum, dampening = dampening, weightDecay = weightDecay, nesterov = nesterov)
                        let expected = oracleTrajectory (at 0.05) (sgdOracle momentum dampening weightDecay nesterov)
                        assertSameTrajectory (sprintf "SGD momentum %g dampening %g nesterov %b weight decay %g" momentum dampening nesterov weightDecay) expected (trajectory opt)

[<Fact>]
let ``Adam follows torch's algorithm with and without AMSGrad, L2 weight decay and other betas`` () =
    for amsgrad in [ false; true ] do
        for weightDecay in [ 0.0; 0.1 ] do
            for (beta1, beta2), eps in [ (0.9, 0.999), 1e-8; (0.5, 0.8), 1e-2 ] do
                let opt = Optim.Adam(constant 0.1, betas = betasOf beta1 beta2, eps = eps, weightDecay = weightDecay, amsgrad = amsgrad)
                let expected = oracleTrajectory (at 0.1) (adamOracle beta1 beta2 eps weightDecay amsgrad false)
                assertSameTrajectory (sprintf "Adam amsgrad %b weight decay %g betas (%g, %g)" amsgrad weightDecay beta1 beta2) expected (trajectory opt)

[<Fact>]
let ``AMSGrad changes the trajectory on this problem, so the Adam test exercises it`` () =
    let plain = trajectory (Optim.Adam(constant 0.1, betas = betasOf 0.5 0.8))
    let ams = trajectory (Optim.Adam(constant 0.1, betas = betasOf 0.5 0.8, amsgrad = true))
    Assert.True(List.exists2 (fun (a: float[]) b -> Array.exists2 (fun x y -> abs (x - y) > 1e-6) a b) plain ams)

[<Fact>]
let ``AdamW follows torch's algorithm with decoupled weight decay, default 0.01`` () =
    Assert.Equal(0.01, Optim.AdamW().WeightDecay)
    Assert.Equal(struct (0.9, 0.999), Optim.AdamW().Betas)
    for amsgrad in [ false; true ] do
        for weightDecay in [ 0.01; 0.3 ] do
            let opt = Optim.AdamW(constant 0.1, weightDecay = weightDecay, amsgrad = amsgrad)
            let expected = oracleTrajectory (at 0.1) (adamOracle 0.9 0.999 1e-8 weightDecay amsgrad true)
            assertSameTrajectory (sprintf "AdamW amsgrad %b weight decay %g" amsgrad weightDecay) expected (trajectory opt)

[<Fact>]
let ``RMSprop follows torch's algorithm for every combination of centered, momentum and weight decay`` () =
    for centered in [ false; true ] do
        for momentum in [ 0.0; 0.5 ] do
            for weightDecay in [ 0.0; 0.05 ] do
                let opt = Optim.RmsProp(constant 0.01, alpha = 0.9, weightDecay = weightDecay, momentum = momentum, centered = centered)
                let expected = oracleTrajectory (at 0.01) (rmsPropOracle 0.9 1e-8 weightDecay momentum centered)
                assertSameTrajectory (sprintf "RMSprop centered %b momentum %g weight decay %g" centered momentum weightDecay) expected (trajectory opt)

[<Fact>]
let ``Adagrad follows torch's algorithm for every combination of lr decay, weight decay and initial accumulator`` () =
    for lrDecay in [ 0.0; 0.1 ] do
        for weightDecay in [ 0.0; 0.05 ] do
            for initial in [ 0.0; 0.5 ] do
                let opt = Optim.Adagrad(constant 0.5, lrDecay = lrDecay, weightDecay = weightDecay, initialAccumulatorValue = initial)
                let expected = oracleTrajectory (at 0.5) (adagradOracle lrDecay weightDecay initial 1e-10)
                assertSameTrajectory (sprintf "Adagrad lr decay %g weight decay %g initial %g" lrDecay weightDecay initial) expected (trajectory opt)

[<Fact>]
let ``the defaults are torch's`` () =
    let sgd, adam, rms, adagrad = Optim.Sgd(), Optim.Adam(), Optim.RmsProp(), Optim.Adagrad()
    Assert.Equal(1e-3, sgd.Lr.At 0)
    Assert.Equal((0.0, 0.0, 0.0, false), (sgd.Momentum, sgd.Dampening, sgd.WeightDecay, sgd.Nesterov))
    Assert.Equal((1e-3, 1e-8, 0.0, false), (adam.Lr.At 0, adam.Eps, adam.WeightDecay, adam.Amsgrad))
    Assert.Equal(struct (0.9, 0.999), adam.Betas)
    Assert.Equal((1e-2, 0.99, 1e-8, 0.0, 0.0, false), (rms.Lr.At 0, rms.Alpha, rms.Eps, rms.WeightDecay, rms.Momentum, rms.Centered))
    Assert.Equal((1e-2, 0.0, 0.0, 0.0, 1e-10), (adagrad.Lr.At 0, adagrad.LrDecay, adagrad.WeightDecay, adagrad.InitialAccumulatorValue, adagrad.Eps))

// ---- Schedules ----

[<Fact>]
let ``optimizers read the schedule at the number of completed steps`` () =
    let cosine k = 0.01 + (0.2 - 0.01) * (1.0 + cos (Math.PI * float k / 15.0)) / 2.0
    assertSameTrajectory "SGD with momentum and cosine annealing"
        (oracleTrajectory cosine (sgdOracle 0.9 0.0 0.0 false))
        (trajectory (Optim.Sgd(Schedule.CosineAnnealing(0.2, 15, 0.01), momentum = 0.9)))
    let stepped k = 0.1 * 0.5 ** float (k / 4)
    assertSameTrajectory "Adam with step decay" (oracleTrajectory stepped (adamOracle 0.9 0.999 1e-8 0.0 false false))
        (trajectory (Optim.Adam(Schedule.Step(0.1, 4, 0.5))))
    let custom k = 0.3 / float (k + 1)
    assertSameTrajectory "Adagrad with a custom schedule" (oracleTrajectory custom (adagradOracle 0.0 0.0 0.0 1e-10))
        (trajectory (Optim.Adagrad(Schedule(fun k -> custom k))))

[<Fact>]
let ``schedules match torch's closed forms`` () =
    for k in 0 .. 40 do
        Assert.Equal(0.3, (Schedule.Constant 0.3).At k)
        Assert.Equal(0.3, (constant 0.3).At k)
        Assert.Equal(0.3 * 0.1 ** float (k / 7), (Schedule.Step(0.3, 7)).At k, 15)
        Assert.Equal(0.3 * 0.9 ** float k, (Schedule.Exponential(0.3, 0.9)).At k, 15)
        let annealing = Schedule.CosineAnnealing(0.3, 10, 0.05)
        Assert.Equal(0.05 + 0.25 * (1.0 + cos (Math.PI * float k / 10.0)) / 2.0, annealing.At k, 15)

[<Fact>]
let ``step decay is piecewise constant and drops by gamma at every multiple of the step size`` () =
    let s = Schedule.Step(1.0, 5, 0.5)
    for k in 1 .. 30 do
        if k % 5 = 0 then Assert.Equal(s.At(k - 1) * 0.5, s.At k, 15) else Assert.Equal(s.At(k - 1), s.At k)

[<Fact>]
let ``cosine annealing satisfies torch's recursive form, starts at lr, reaches eta_min at T_max and is symmetric about it`` () =
    let lr, etaMin, tMax = 0.5, 0.02, 12
    let s = Schedule.CosineAnnealing(lr, tMax, etaMin)
    Assert.Equal(lr, s.At 0, 15)
    Assert.Equal(etaMin, s.At tMax, 15)
    for k in 0 .. tMax - 2 do
        // torch's chainable form: η_{k+1} = η_min + (η_k − η_min)·(1 + cos(π(k+1)/T)) / (1 + cos(πk/T)).
        let recursive = etaMin + (s.At k - etaMin) * (1.0 + cos (Math.PI * float (k + 1) / float tMax)) / (1.0 + cos (Math.PI * float k / float tMax))
        Assert.Equal(recursive, s.At(k + 1), 14)
    for k in 0 .. tMax do
        Assert.Equal(s.At k, s.At(2 * tMax - k), 14)

[<Fact>]
let ``warmup cosine rises linearly to the peak, then decays by a cosine to the final rate and stays there`` () =
    let s = Schedule.WarmupCosine(1.0, 5, 10, initialLr = 0.1, finalLr = 0.01)
    Assert.Equal(0.1, s.At 0, 15)
    for k in 1 .. 5 do Assert.Equal(0.9 / 5.0, s.At k - s.At(k - 1), 14)
    Assert.Equal(1.0, s.At 5, 15)
    Assert.Equal(0.01 + 0.99 * (1.0 + cos (Math.PI * 3.0 / 10.0)) / 2.0, s.At 8, 15)
    for k in 6 .. 15 do Assert.True(s.At k < s.At(k - 1))
    for k in 15 .. 30 do Assert.Equal(0.01, s.At k, 15)
    Assert.Equal(0.0, (Schedule.WarmupCosine(1.0, 5, 10)).At 0)

// ---- Clipping and Chain ----

let private pairFrom (a: float[]) (b: float[]) = { A = Tensor.FromArray(a, shapeA); B = Tensor.FromArray(b, shapeB) }

[<Fact>]
let ``clipping by global norm leaves small gradients unchanged and scales large ones by max_norm over (norm + 1e-6)`` () =
    let clip = Optim.ClipByGlobalNorm 2.0
    let parameters = pairOf start
    let state = clip.Init parameters
    for scale in [ 0.01; 0.1; 1.0; 10.0 ] do
        let g = Array.init n (fun i -> scale * (float i - 4.5))
        let struct (clipped, next) = clip.ComputeUpdates(pairOf g, state, parameters)
        Assert.Same(EmptyState.Instance, next)
        let norm = sqrt (Array.sumBy (fun x -> x * x) g)
        let expected = if norm > 2.0 then Array.map (fun x -> x * 2.0 / (norm + 1e-6)) g else g
        assertAllClose 1e-15 0.0 (sprintf "clipped at norm %g" norm) expected (flatOf clipped)
        if norm > 2.0 then Assert.True(abs (sqrt (Array.sumBy (fun x -> x * x) (flatOf clipped)) - 2.0) < 1e-5)

[<Fact>]
let ``clipping by value clamps every element`` () =
    let g = Array.init n (fun i -> float i - 4.5)
    let struct (clipped, _) = (Optim.ClipByValue 2.0).ComputeUpdates(pairOf g, EmptyState.Instance, pairOf start)
    Assert.Equal<float[]>(Array.map (fun x -> max -2.0 (min 2.0 x)) g, flatOf clipped)

[<Fact>]
let ``a chain of clipping and Adam is Adam on clipped gradients, and its state is the parts' states`` () =
    let opt = Optim.Chain(Optim.ClipByGlobalNorm 1.5, Optim.Adam(constant 0.1))
    let adam = adamOracle 0.9 0.999 1e-8 0.0 false false
    let clippedAdam t lr (g: float[]) theta =
        let norm = sqrt (Array.sumBy (fun x -> x * x) g)
        let g = if norm > 1.5 then Array.map (fun x -> x * 1.5 / (norm + 1e-6)) g else g
        adam t lr g theta
    assertSameTrajectory "Chain(ClipByGlobalNorm, Adam)" (oracleTrajectory (at 0.1) clippedAdam) (trajectory opt)
    match opt.Init(pairOf start) with
    | :? Chain.State as s ->
        Assert.Equal(2, s.Parts.Length)
        Assert.IsType<EmptyState>(s.Parts.[0]) |> ignore
        Assert.IsType<Adam.State>(s.Parts.[1]) |> ignore
    | other -> failwithf "Chain's state is a %s" (other.GetType().Name)
    Assert.Equal("Chain(ClipByGlobalNorm, Adam)", opt.Name)

// ---- The state is a tree: leaves, checkpoints, purity, dtype ----

let private optimizers () : GradientTransformation list =
    [ Optim.Sgd(constant 0.05)
      Optim.Sgd(constant 0.05, momentum = 0.9, nesterov = true)
      Optim.Adam(constant 0.1, amsgrad = true)
      Optim.AdamW(constant 0.1)
      Optim.RmsProp(constant 0.01, momentum = 0.5, centered = true)
      Optim.Adagrad(constant 0.5, initialAccumulatorValue = 0.1)
      Optim.Chain(Optim.ClipByValue 1.0, Optim.ClipByGlobalNorm 3.0, Optim.Sgd(constant 0.1, momentum = 0.5)) ]

let private run (opt: GradientTransformation) (count: int) (p: Pair) (state: OptState) =
    let mutable p, state = p, state
    for _ in 1 .. count do
        let struct (next, nextState) = opt.Update(gradient.Invoke p, state, p)
        p <- next
        state <- nextState
    p, state

/// The step count of any of the states above.
let rec private stepOf (state: OptState) =
    match state with
    | :? Sgd.State as s -> s.Step
    | :? Adam.State as s -> s.Step
    | :? RmsProp.State as s -> s.Step
    | :? Adagrad.State as s -> s.Step
    | :? Chain.State as s -> s.Parts |> Array.pick (fun part -> if part :? EmptyState then None else Some(stepOf part))
    | _ -> failwithf "no step in a %s" (state.GetType().Name)

[<Fact>]
let ``the state is a tree whose leaves hold an exact int32 step count and moments shaped like the parameters`` () =
    // Leaves besides the step: per parameter leaf, the moments each optimizer keeps.
    let moments = [ 0; 1; 3; 2; 3; 1; 1 ]
    for opt, perLeaf in List.zip (optimizers ()) moments do
        let _, state = run opt 7 (pairOf start) (opt.Init(pairOf start))
        let leaves = Tree.Leaves state
        Assert.Equal(1 + 2 * perLeaf, leaves.Length)
        let step = stepOf state
        Assert.Equal(DType.Int32, step.DType)
        Assert.Equal(7, step.Item<int>())
        for leaf in leaves |> Array.filter (fun l -> l.DType <> DType.Int32) do
            Assert.True(leaf.ShapeText = "[2, 3]" || leaf.ShapeText = "[4]", leaf.ShapeText)

[<Fact>]
let ``a state rebuilt from copies of its leaves (a checkpoint) continues exactly like the original`` () =
    for opt in optimizers () do
        let p, state = run opt 5 (pairOf start) (opt.Init(pairOf start))
        // As a checkpoint loader would: the structure of a fresh state, the values of the saved leaves.
        let saved = Tree.Leaves state |> Array.map (fun leaf -> leaf.Cast(leaf.DType).ToArray<double>(), leaf.DType, leaf.Shape)
        let reloaded = saved |> Array.map (fun (values, dtype, shape) -> Tensor.FromArray(values, shape).Cast(dtype))
        let def = Tree.Structure(opt.Init(pairOf start))
        Assert.True(def.Equals(Tree.Structure state), opt.Name)
        let restored = Tree.Unflatten<OptState>(def, reloaded)
        Assert.Equal(state.GetType(), restored.GetType())
        let pOriginal, sOriginal = run opt 5 p state
        let pRestored, sRestored = run opt 5 p restored
        Assert.Equal<float[]>(flatOf pOriginal, flatOf pRestored)
        Array.iter2 (fun (a: Tensor) b -> Assert.True(a.ArrayEqual b, opt.Name)) (Tree.Leaves sOriginal) (Tree.Leaves sRestored)

[<Fact>]
let ``Update changes none of its inputs`` () =
    for opt in optimizers () do
        let p, state = run opt 2 (pairOf start) (opt.Init(pairOf start))
        let g = gradient.Invoke p
        let copy tree = Tree.Leaves tree |> Array.map (fun (t: Tensor) -> t.ToArray<double>())
        let before = copy p, copy g, copy state
        let struct (next, nextState) = opt.Update(g, state, p)
        Assert.Equal(before, (copy p, copy g, copy state))
        Assert.NotEqual<float[]>(flatOf p, flatOf next)
        Assert.Equal(2, (stepOf state).Item<int>())
        Assert.Equal(3, (stepOf nextState).Item<int>())

[<Fact>]
let ``float32 parameters stay float32, with float32 moments, and follow the float64 trajectory to float32 precision`` () =
    for opt in optimizers () do
        let p64 = pairOf start
        let p32 = Tree.Map(p64, fun t -> t.Cast DType.Float32)
        let mutable p, state = p32, opt.Init p32
        let reference, _ = run opt 5 p64 (opt.Init p64)
        for _ in 1 .. 5 do
            let g = gradient.Invoke p
            let struct (next, nextState) = opt.Update(g, state, p)
            p <- next
            state <- nextState
        for leaf in Tree.Leaves p do Assert.Equal(DType.Float32, leaf.DType)
        for leaf in Tree.Leaves state do Assert.True(leaf.DType = DType.Float32 || (leaf.DType = DType.Int32 && leaf.Rank = 0), opt.Name)
        assertAllClose 1e-4 1e-5 (opt.Name + " in float32") (flatOf reference) (flatOf p)

[<Fact>]
let ``any tree works: a dictionary, an array and a record of the same leaves follow the same trajectory`` () =
    let opt = Optim.Adam(constant 0.1)
    let record, _ = run opt 4 (pairOf start) (opt.Init(pairOf start))
    let asDictionary (p: Pair) = Dictionary<string, Tensor>(dict [ "a", p.A; "b", p.B ])
    let dictionaryLoss = Grad.Gradient(fn (fun (d: Dictionary<string, Tensor>) -> loss { A = d.["a"]; B = d.["b"] }))
    let mutable d = asDictionary (pairOf start)
    let mutable state = opt.Init d
    for _ in 1 .. 4 do
        let struct (next, nextState) = opt.Update(dictionaryLoss.Invoke d, state, d)
        d <- next
        state <- nextState
    Assert.Equal<float[]>(flatOf record, flatOf { A = d.["a"]; B = d.["b"] })
    let arrayLoss = Grad.Gradient(fn (fun (a: Tensor[]) -> loss { A = a.[0]; B = a.[1] }))
    let mutable a = [| (pairOf start).A; (pairOf start).B |]
    let mutable arrayState = opt.Init a
    for _ in 1 .. 4 do
        let struct (next, nextState) = opt.Update(arrayLoss.Invoke a, arrayState, a)
        a <- next
        arrayState <- nextState
    Assert.Equal<float[]>(flatOf record, flatOf { A = a.[0]; B = a.[1] })

// ---- Errors name the optimizer and the leaf ----

let private throws (f: unit -> 'a) (fragments: string list) =
    let e = Assert.ThrowsAny<ArgumentException>(fun () -> f () |> ignore)
    for fragment in fragments do
        Assert.True(e.Message.Contains(fragment: string), sprintf "message lacks %A: %s" fragment e.Message)

[<Fact>]
let ``gradients and parameters that differ in structure, shape or dtype are rejected, naming the optimizer and the leaf`` () =
    let opt = Optim.Adam(constant 0.1)
    let p = pairOf start
    let state = opt.Init p
    let g = gradient.Invoke p
    throws (fun () -> opt.Update([| g.A; g.B; g.B |], state, [| p.A; p.B |])) [ "Adam"; "structures"; "3 leaves"; "2 leaves" ]
    throws (fun () -> opt.Update({ g with B = Tensor.Zeros(DType.Float64, 3) }, state, p)) [ "Adam"; "gradient leaf 1"; "[3]"; "[4]"; "A: *" ]
    throws (fun () -> opt.Update({ g with A = g.A.Cast DType.Float32 }, state, p)) [ "Adam"; "gradient leaf 0"; "float32"; "float64" ]
    throws (fun () -> (Optim.RmsProp()).Update(g, state, p)) [ "RMSprop"; "Adam.State" ]
    let otherState = opt.Init [| p.A |]
    throws (fun () -> opt.Update(g, otherState, p)) [ "Adam"; "ExpAvg"; "1 tensors"; "2 parameter leaves" ]
    let sgd = Optim.Sgd(constant 0.1, momentum = 0.9)
    throws (fun () -> sgd.Update(g, (Optim.Sgd(constant 0.1)).Init p, p)) [ "SGD"; "MomentumBuffer"; "missing" ]
    throws (fun () -> opt.Init [| Tensor.Zeros(DType.Int32, 2) |]) [ "Adam"; "leaf 0"; "int32" ]
    throws (fun () -> Optim.Chain(Optim.ClipByValue 1.0, opt).Update(g, state, p)) [ "Chain(ClipByValue, Adam)"; "Chain.State" ]

[<Fact>]
let ``hyper-parameters outside torch's ranges are rejected`` () =
    throws (fun () -> Optim.Sgd(constant 0.1, nesterov = true)) [ "SGD"; "Nesterov" ]
    throws (fun () -> Optim.Sgd(constant 0.1, momentum = 0.9, dampening = 0.1, nesterov = true)) [ "SGD"; "dampening" ]
    throws (fun () -> Optim.Adam(constant 0.1, betas = betasOf 1.0 0.999)) [ "Adam"; "Beta1" ]
    throws (fun () -> Optim.RmsProp(constant 0.1, momentum = -1.0)) [ "RMSprop"; "momentum" ]
    let opt = Optim.Sgd(Schedule(fun k -> 0.1 - 0.1 * float k))
    let p = pairOf start
    let p, state = run opt 2 p (opt.Init p)
    throws (fun () -> opt.Update(gradient.Invoke p, state, p)) [ "SGD"; "learning rate at step 2"; "≥ 0" ]

// ---- The F# skin ----

[<Fact>]
let ``the F# wrappers give the same steps as the C# API`` () =
    let fsharpOpt = Autodiff.FSharp.Optim.chain [ Autodiff.FSharp.Optim.clipByGlobalNorm 1.0; Autodiff.FSharp.Optim.adamW (Autodiff.FSharp.Schedule.cosineAnnealing 0.1 10 0.0) 0.05 ]
    let csharpOpt = Optim.Chain(Optim.ClipByGlobalNorm 1.0, Optim.AdamW(Schedule.CosineAnnealing(0.1, 10), weightDecay = 0.05))
    let mutable p = pairOf start
    let mutable state = Autodiff.FSharp.Optim.init fsharpOpt p
    for _ in 1 .. 5 do
        let next, nextState = Autodiff.FSharp.Optim.update fsharpOpt (gradient.Invoke p) state p
        p <- next
        state <- nextState
    let expected, _ = run csharpOpt 5 (pairOf start) (csharpOpt.Init(pairOf start))
    Assert.Equal<float[]>(flatOf expected, flatOf p)

[<Fact>]
let ``Adam's one-pass kernel gives bitwise the tensor code's parameters and moments, with either weight decay`` () =
    // Outside transforms Update runs the fused kernel; under a transform (here the forward pass of a Jvp, whose primal
    // values are the plain evaluation) it runs the tensor code. Sizes below, at and past the vector width and the
    // parallel threshold; both dtypes; coupled (Adam) and decoupled (AdamW) decay; four steps.
    let optimizers =
        [ Autodiff.Optimizers.Optim.Adam(Autodiff.Optimizers.Schedule.op_Implicit 1e-2)
          Autodiff.Optimizers.Optim.Adam(Autodiff.Optimizers.Schedule.op_Implicit 1e-2, weightDecay = 0.1)
          Autodiff.Optimizers.Optim.AdamW(Autodiff.Optimizers.Schedule.op_Implicit 1e-2, weightDecay = 0.05) ]
    for dtype in [ DType.Float32; DType.Float64 ] do
        for size in [ 1; 7; 33; 200_003 ] do
            let parameters = [| (Tensor.Normal(Key.Create(int64 size), [| size |])).Cast dtype |]
            for opt in optimizers do
                let run traced =
                    let mutable p = parameters
                    let mutable s = opt.Init p
                    for step in 1 .. 4 do
                        let g = [| (Tensor.Normal(Key.Create(int64 (size + step)), [| size |])).Cast dtype |]
                        if traced then
                            let update (q: Tensor[]) =
                                let struct (next, state) = opt.Update(g, s, q)
                                s <- state
                                next
                            let struct (next, _) = Grad.Jvp(Func<Tensor[], Tensor[]>(update), p, Array.map Tensor.ZerosLike p)
                            p <- next
                        else
                            let struct (next, state) = opt.Update(g, s, p)
                            p <- next
                            s <- state
                    let st = s :?> Autodiff.Optimizers.Adam.State
                    Array.concat [ p.[0].ToArray<float>(); st.ExpAvg.[0].ToArray<float>(); st.ExpAvgSq.[0].ToArray<float>() ]
                let fused, composite = run false, run true
                Assert.True(Array.forall2 (fun (a: float) b -> BitConverter.DoubleToInt64Bits a = BitConverter.DoubleToInt64Bits b) fused composite,
                            sprintf "%s %A size %d" opt.Name dtype size)
