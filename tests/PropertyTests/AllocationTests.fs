/// Pooled buffers: a reverse-mode transform gives its dead intermediates back to the pool; results stay intact,
/// leaked intermediates fail loudly, and a training loop allocates little per step.
module AllocationTests

open System
open Xunit
open Autodiff
open Numeric

/// Runs alone: the allocation and pool measurements are process-wide, so no other test may run meanwhile.
[<CollectionDefinition("allocation", DisableParallelization = true)>]
type AllocationCollection() = class end

type Mlp = { W1: Tensor; B1: Tensor; W2: Tensor; B2: Tensor }

let private mlp (key: Key) inputs hidden outputs =
    let keys = key.Split(2)
    { W1 = Tensor.Uniform(keys[0], [| inputs; hidden |], -0.5, 0.5, DType.Float64)
      B1 = Tensor.Zeros(DType.Float64, hidden)
      W2 = Tensor.Uniform(keys[1], [| hidden; outputs |], -0.5, 0.5, DType.Float64)
      B2 = Tensor.Zeros(DType.Float64, outputs) }

let private logits (m: Mlp) (x: Tensor) = (x.MatMul(m.W1) + m.B1).Relu().MatMul(m.W2) + m.B2

let private loss (x: Tensor) (labels: Tensor) (m: Mlp) =
    -(logits m x |> fun z -> z.LogSoftmax(1) * Tensor.OneHot(labels, 3, DType.Float64)).Sum() / float x.Shape[0]

let private batch seed rows =
    randomTensor seed -1.0 1.0 [| rows; 4 |], Tensor.FromArray(Array.init rows (fun i -> (i * 7 + seed) % 3), rows)

let private leakedMessage (f: unit -> unit) =
    let e = Assert.Throws<InvalidOperationException>(fun () -> f ())
    Assert.Contains("reverse-mode transform", e.Message)
    Assert.Contains("went back to the pool", e.Message)
    e.Message

[<Fact>]
let ``an intermediate kept by a side effect throws a clear error on use, through every view of it`` () =
    let mutable kept: Tensor list = []
    let f (x: Tensor) =
        let h = (x * 3.0).Sin()
        kept <- [ h; h.Reshape(-1); Grad.StopGradient h ]
        (h * h).Sum()
    let value, g = Grad.ValueAndGrad(fn f).Invoke(randomTensor 1 -1.0 1.0 [| 2; 3 |]) |> fun struct (v, g) -> v, g
    Assert.Equal(3, kept.Length)
    for t in kept do
        let message = leakedMessage (fun () -> t.ToArray<float>() |> ignore)
        Assert.Contains(t.ShapeText, message)
        leakedMessage (fun () -> t + 1.0 |> ignore) |> ignore
        leakedMessage (fun () -> t.ToString() |> ignore) |> ignore
    // The results themselves are whole.
    Assert.True(Double.IsFinite(value.Item<float>()))
    Assert.Equal(6, (doubles g).Length)

[<Fact>]
let ``value, aux and gradients are unchanged when the pool hands their neighbours' buffers out again`` () =
    let x, labels = batch 2 8
    let m = mlp (Key.Create 3) 4 5 3
    // The oracle: the public Vjp, whose forward intermediates are never released.
    let expectedValue, pullback = Grad.Vjp(fn (loss x labels), m) |> fun struct (v, p) -> v, p
    let expectedGrad = pullback.Invoke(Tensor.OnesLike expectedValue)
    // Aux holds an intermediate and a view of one: they must survive as results.
    let withAux (p: Mlp) =
        let h = (x.MatMul(p.W1) + p.B1).Relu()
        struct (loss x labels p, [ h; h.Reshape(-1) ])
    let struct (value, aux, grad) = Grad.ValueAndGrad(fn withAux).Invoke(m)
    let auxCopy = aux |> List.map doubles
    let snapshot () = doubles value, doubles grad.W1, doubles grad.B1, doubles grad.W2, doubles grad.B2
    let before = snapshot ()
    // Same shapes again, several times: every released buffer is reused.
    for seed in 10 .. 14 do
        let x2, l2 = batch seed 8
        Grad.ValueAndGrad(fn (loss x2 l2)).Invoke(m) |> ignore
    Assert.Equal(before, snapshot ())
    Assert.Equal<float[] list>(auxCopy, aux |> List.map doubles)
    assertAllClose 1e-14 0.0 "aux is relu(x·W1 + b1)" (doubles ((x.MatMul(m.W1) + m.B1).Relu())) auxCopy[0]
    Assert.Equal(expectedValue.Item<float>(), value.Item<float>())
    for e, a in [ expectedGrad.W1, grad.W1; expectedGrad.B1, grad.B1; expectedGrad.W2, grad.W2; expectedGrad.B2, grad.B2 ] do
        Assert.Equal<float[]>(doubles e, doubles a)

[<Fact>]
let ``inputs, captured tensors and constants made inside the loss are never released`` () =
    let x, labels = batch 4 6
    let m = mlp (Key.Create 5) 4 5 3
    let mutable constant: Tensor option = None
    let f (p: Mlp) =
        // A constant (no dependence on p), cached lazily: not traced, so it stays valid.
        let c = constant |> Option.defaultWith (fun () -> Tensor.OneHot(labels, 3, DType.Float64) * 0.5)
        constant <- Some c
        (logits p x * c).Sum() + loss x labels p
    for _ in 1 .. 3 do Grad.Gradient(fn f).Invoke(m) |> ignore
    Assert.Equal(3.0, constant.Value.Sum().Item<float>())
    for t in [ x; m.W1; m.B1; m.W2; m.B2 ] do Assert.Equal(t.Size, (doubles t).Length)

[<Fact>]
let ``a Vjp pullback can be called again and again, and earlier results stay intact`` () =
    let f (x: Tensor) = (x.Exp() * x).Sum(1)
    let x = randomTensor 6 -1.0 1.0 [| 3; 4 |]
    let struct (_, pullback) = Grad.Vjp(fn f, x)
    let first = pullback.Invoke(Tensor.Ones(DType.Float64, 3))
    let firstCopy = doubles first
    for _ in 1 .. 3 do
        let again = pullback.Invoke(Tensor.Ones(DType.Float64, 3))
        Assert.Equal<float[]>(firstCopy, doubles again)
    Assert.Equal<float[]>(firstCopy, doubles first)
    // d/dx (x eˣ) = (1 + x) eˣ
    assertAllClose 1e-14 0.0 "(1 + x)·exp(x)" (doubles x |> Array.map (fun v -> (1.0 + v) * exp v)) firstCopy

[<Fact>]
let ``nested transforms release only at the outermost level and stay exact`` () =
    let f (x: Tensor) = (x * x * x).Sum()
    let g (x: Tensor) = Grad.Gradient(fn f).Invoke(x)
    let x = randomTensor 7 -1.0 1.0 [| 5 |]
    for _ in 1 .. 3 do
        // grad of (sum of the gradient) = 6x; HVP with v = 1 is 6x too; the Hessian is diag(6x).
        let gg = Grad.Gradient(fn (fun (t: Tensor) -> (g t).Sum())).Invoke(x)
        let hvp = Grad.HessianVectorProduct(fn f, x, Tensor.OnesLike x)
        let h = Grad.Hessian(fn f).Invoke(x)
        let expected = doubles x |> Array.map (fun v -> 6.0 * v)
        assertAllClose 1e-14 0.0 "grad of grad" expected (doubles gg)
        assertAllClose 1e-14 0.0 "hvp" expected (doubles hvp)
        assertAllClose 1e-14 0.0 "hessian diagonal" expected (Array.init 5 (fun i -> (doubles h)[i * 5 + i]))
        assertAllClose 1e-14 0.0 "inner gradient after the outer released" (doubles x |> Array.map (fun v -> 3.0 * v * v)) (doubles (g x))

[<Collection("allocation")>]
type TrainingLoop() =
    [<Fact>]
    member _.``an MLP training loop allocates under a quarter of the tensor bytes it makes, and the pool stops growing`` () =
        // Batch-heavy shapes, so that activations (which the pool recycles) dominate the parameters (which the SGD
        // update makes anew each step); small enough that every kernel runs on the calling thread.
        let x = randomTensor 8 -1.0 1.0 [| 256; 4 |]
        let labels = Tensor.FromArray(Array.init 256 (fun i -> i % 3), 256)
        let mutable m = mlp (Key.Create 9) 4 32 3
        let valueAndGrad = Grad.ValueAndGrad(fn (loss x labels))
        let step () =
            let struct (_, g) = valueAndGrad.Invoke(m)
            m <- { W1 = m.W1 - 0.1 * g.W1; B1 = m.B1 - 0.1 * g.B1; W2 = m.W2 - 0.1 * g.W2; B2 = m.B2 - 0.1 * g.B2 }
        let pool = BufferPool.Shared
        // Buffers other tests left behind would be drawn down by the update's plain ops, and their garbage tensors'
        // buffers would be reclaimed into the pool during the loop: harvest them first, then start from none.
        Reclamation.Shared.CollectNow()
        pool.Clear()
        for _ in 1 .. 20 do step ()
        let pooledAfterWarmup = pool.PooledBytes
        let steps = 40
        let rented0 = pool.RentedBytes
        let allocated0 = GC.GetTotalAllocatedBytes(true)
        for _ in 1 .. steps do step ()
        let allocated = GC.GetTotalAllocatedBytes(true) - allocated0
        let rented = pool.RentedBytes - rented0
        let pooledAfterLoop = pool.PooledBytes
        let first = (loss x labels (mlp (Key.Create 9) 4 32 3)).Item<float>()
        // Sanity: the loop trains, and the step makes at least its activations (five of [256, 32] float64).
        Assert.True((loss x labels m).Item<float>() < first, "the loss decreased")
        Assert.True(rented / int64 steps > 5L * 256L * 32L * 8L, $"tensor bytes per step {rented / int64 steps}")
        Assert.True(allocated * 4L < rented, $"allocated {allocated / int64 steps} B per step, tensors made {rented / int64 steps} B per step")
        Console.WriteLine($"MLP step: allocated {allocated / int64 steps} B, tensors made {rented / int64 steps} B, pool {pooledAfterLoop} B")
        Assert.Equal(pooledAfterWarmup, pooledAfterLoop)
        Assert.True(pooledAfterLoop <= pool.MaxBytes)

[<Fact>]
let ``the pool never holds more than its bound and evicts the least recently used sizes`` () =
    let pool = BufferPool(1000L)
    pool.Return(Array.zeroCreate<float32> 100) // 400 B
    pool.Return(Array.zeroCreate<float32> 100) // 800 B
    Assert.Equal(800L, pool.PooledBytes)
    pool.Return(Array.zeroCreate<float> 50) // 400 B more: the float32 buffers (older) go
    Assert.Equal(400L, pool.PooledBytes)
    Assert.Equal(50, pool.Rent<float>(50).Length)
    Assert.Equal(0L, pool.PooledBytes)
    pool.Return(Array.zeroCreate<float> 1000) // larger than the bound: not kept
    Assert.Equal(0L, pool.PooledBytes)
    Assert.Equal(7, pool.Rent<float32>(7).Length)

[<Fact>]
let ``Grad.Evaluate returns what a plain call returns and gives the intermediates back to the pool`` () =
    let x = randomTensor 21 -1.0 1.0 [| 6; 5 |]
    let mutable kept: Tensor list = []
    let f (t: Tensor) =
        let h = (t * 2.0).Tanh()
        kept <- [ h ]
        struct ((h * h).Sum(1), h.Reshape(-1))
    let struct (plainSum, plainFlat) = f x
    let struct (sum, flat) = Grad.Evaluate(Func<Tensor, struct (Tensor * Tensor)>(f), x)
    // The results, including a view of an intermediate, are whole and equal to the plain call's.
    assertAllClose 0.0 0.0 "sum" (doubles plainSum) (doubles sum)
    assertAllClose 0.0 0.0 "flat" (doubles plainFlat) (doubles flat)
    // The input is untouched; t * 2.0, which nothing returned, went back to the pool and throws on use.
    Assert.Equal(30, (doubles x).Length)
    Assert.Equal(30, (doubles kept.Head).Length) // h is a result's storage (flat is a view of it): kept
    let mutable doubled: Tensor option = None
    Grad.Evaluate(Func<Tensor, Tensor>(fun t -> let d = t * 2.0 in doubled <- Some d; d.Sum()), x) |> ignore
    leakedMessage (fun () -> doubled.Value.ToArray<float>() |> ignore) |> ignore

[<Fact>]
let ``inside a transform Grad.Evaluate is a plain call, so gradients flow through it`` () =
    let x = randomTensor 22 -1.0 1.0 [| 4 |]
    let g = Grad.Gradient(fn (fun (t: Tensor) -> Grad.Evaluate(Func<Tensor, Tensor>(fun u -> (u * u).Sum()), t))).Invoke x
    assertAllClose 1e-15 0.0 "2x" (doubles x |> Array.map (fun v -> 2.0 * v)) (doubles g)

[<Collection("allocation")>]
type OptimizerUpdates() =
    [<Fact>]
    member _.``an Adam update outside transforms allocates only its three results`` () =
        let parameters = [| randomTensor 23 -1.0 1.0 [| 300; 40 |]; randomTensor 24 -1.0 1.0 [| 40 |] |]
        let grads = [| randomTensor 25 -1.0 1.0 [| 300; 40 |]; randomTensor 26 -1.0 1.0 [| 40 |] |]
        let resultBytes = 3L * int64 (300 * 40 + 40) * 8L // parameters, first and second moments, float64
        // Adam (fused kernel) and RMSprop (tensor code: a dozen temporaries, all from the pool under Grad.Evaluate).
        let optimizers =
            [ Autodiff.Optimizers.Optim.Adam(Autodiff.Optimizers.Schedule.op_Implicit 1e-3) :> Autodiff.Optimizers.GradientTransformation, resultBytes
              Autodiff.Optimizers.Optim.RmsProp(Autodiff.Optimizers.Schedule.op_Implicit 1e-3, centered = true), resultBytes ]
        for opt, results in optimizers do
            let mutable p = parameters
            let mutable s = opt.Init p
            let step () =
                let struct (next, state) = opt.Update(grads, s, p)
                p <- next
                s <- state
            BufferPool.Shared.Clear()
            for _ in 1 .. 3 do step ()
            let allocated0 = GC.GetTotalAllocatedBytes(true)
            let rented0 = BufferPool.Shared.RentedBytes
            for _ in 1 .. 10 do step ()
            let allocated = (GC.GetTotalAllocatedBytes(true) - allocated0) / 10L
            let rented = (BufferPool.Shared.RentedBytes - rented0) / 10L
            // Temporaries come back from the pool; only the results (parameters and two state tensors) are new memory.
            Assert.True(rented > results, $"{opt.Name}: tensors made {rented} B per step")
            Assert.True(allocated < results + results / 10L, $"{opt.Name}: allocated {allocated} B per step, results {results} B, tensors made {rented} B")
            Assert.True(Double.IsFinite((doubles p.[0]).[0]))

/// Large buffers of tensors that became garbage outside any transform come back to the pool (Reclamation).
[<Collection("allocation")>]
type Reclaiming() =
    [<Fact>]
    member _.``large results dropped outside transforms come back to the pool instead of taking fresh memory`` () =
        let x = randomTensor 30 -1.0 1.0 [| 1 <<< 17 |] // 1 MiB of float64
        let calls = 400
        let reclaimed0 = Reclamation.Shared.ReclaimedBuffers
        let allocated0 = GC.GetAllocatedBytesForCurrentThread()
        for _ in 1 .. calls do x.Exp() |> ignore
        let allocated = GC.GetAllocatedBytesForCurrentThread() - allocated0
        let reclaimed = Reclamation.Shared.ReclaimedBuffers - reclaimed0
        // Without reclamation every call takes a fresh MiB (400 MiB); with it, about one budget's worth (64 MiB) is new
        // and the rest comes back.
        Assert.True(reclaimed >= int64 calls / 2L, $"reclaimed {reclaimed} buffers in {calls} calls")
        Assert.True(allocated < (150L <<< 20), $"allocated {allocated >>> 20} MiB for {calls} results of 1 MiB")

    [<Fact>]
    member _.``reclaiming never touches a buffer a live tensor still uses`` () =
        let x = randomTensor 31 -1.0 1.0 [| 1 <<< 14 |] // 128 KiB of float64: tracked
        let expectedGradient = doubles x |> Array.map (fun v -> cos v * v + sin v)
        let gradient = Grad.Gradient(fn (fun (t: Tensor) -> (t.Sin() * t).Sum()))
        // 600 gradients kept alive (75 MiB, so several collections run meanwhile), while the transforms give their
        // same-sized intermediates back themselves and dropped results of that size are reclaimed in between.
        let kept =
            [| for i in 1 .. 600 do
                   (x * float i) |> ignore
                   yield gradient.Invoke x |]
        // Every kept gradient is still cos(x)·x + sin(x): none was overwritten through a reused buffer (the dropped
        // results written in between hold x·i). Not bit for bit: the first calls of TensorPrimitives' sin and cos run
        // its precompiled 256-bit code and later ones the JIT's 512-bit code, which rounds some last bits differently.
        for g in kept do
            assertAllClose 1e-14 1e-14 "gradient" expectedGradient (doubles g)
        // A buffer returned twice would be handed to two tensors: every live tensor has its own.
        let buffers = Collections.Generic.HashSet<obj>(HashIdentity.Reference)
        for g in kept do buffers.Add(g.RawData) |> ignore
        Assert.Equal(kept.Length, buffers.Count)
