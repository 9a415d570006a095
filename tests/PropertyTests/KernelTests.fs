/// Kernels against the definition, on sizes that cross every blocking boundary of the implementation.
module KernelTests

open System
open Xunit
open Autodiff
open Numeric

/// C = A·B by the definition, one sum per element.
let private naiveMatMul (a: float[]) (b: float[]) m k n =
    Array.init (m * n) (fun idx ->
        let i, j = idx / n, idx % n
        let mutable s = 0.0
        for p in 0 .. k - 1 do s <- s + a.[i * k + p] * b.[p * n + j]
        s)

[<Fact>]
let ``matmul equals the definition on shapes that straddle the GEMM's row, depth and column blocks`` () =
    // Tiles of 12 rows, row blocks of 144, equal depth panels of 256 to 320 (one panel up to 320, then 2 panels
    // from 321, ...), column panels of 8, 16 or 32 and column blocks of about 1 MiB; products big enough are cut into
    // per-thread rectangles over rows and/or columns. Cut each of them unevenly, and exactly.
    let shapes =
        [ 1, 1, 1; 5, 3, 7; 6, 256, 16; 97, 257, 17; 200, 3, 33; 13, 600, 9; 1, 300, 1; 190, 513, 40
          12, 256, 32; 145, 257, 33; 11, 40, 520; 3, 260, 1030; 150, 300, 70; 1, 700, 200; 300, 200, 1
          7, 320, 35; 2, 321, 3; 30, 784, 40 ]
    for (m, k, n) in shapes do
        let a = randomTensor (m + k) -1.0 1.0 [| m; k |]
        let b = randomTensor (k + n) -1.0 1.0 [| k; n |]
        let expected = naiveMatMul (doubles a) (doubles b) m k n
        assertAllClose 1e-12 1e-12 (sprintf "float64 %dx%dx%d" m k n) expected (doubles (a.MatMul b))
        // The same product from transposed storage, packed through strides rather than copied.
        for ta, tb in [ true, false; false, true; true, true ] do
            let sa = if ta then a.MT else a
            let sb = if tb then b.MT else b
            let y = MatMulOp.Instance.Bind(MatMulParams(ta, tb), sa, sb)
            assertAllClose 1e-12 1e-12 (sprintf "float64 %dx%dx%d transposed %b %b" m k n ta tb) expected (doubles y)
        let a32, b32 = a.Cast(DType.Float32), b.Cast(DType.Float32)
        // float32 rounding grows like sqrt(k)·ε·|a||b|; 1e-5·sqrt(k) is a generous but meaningful bound here.
        assertAllClose 0.0 (1e-5 * sqrt (float k)) (sprintf "float32 %dx%dx%d" m k n) expected (doubles (a32.MatMul b32))

[<Fact>]
let ``batched matmul equals one definition per batch, for many small and for few large products`` () =
    for (batch, m, k, n) in [ 9, 4, 5, 3; 2, 100, 260, 20; 5, 13, 33, 35 ] do
        let a = randomTensor 1 -1.0 1.0 [| batch; m; k |]
        let b = randomTensor 2 -1.0 1.0 [| batch; k; n |]
        let c = doubles (a.MatMul b)
        let ad, bd = doubles a, doubles b
        for t in 0 .. batch - 1 do
            let expected = naiveMatMul ad.[t * m * k .. (t + 1) * m * k - 1] bd.[t * k * n .. (t + 1) * k * n - 1] m k n
            assertAllClose 1e-12 1e-12 (sprintf "batch %d of %d" t batch) expected c.[t * m * n .. (t + 1) * m * n - 1]

[<Fact>]
let ``sum, max and prod over any axes of a large tensor equal the definition, on every kernel path`` () =
    // Big enough that work is split across tasks, including chunks that start inside an output row.
    let shape = [| 37; 41; 53 |]
    // Values near 1 keep the product of all 80,000 elements representable.
    let x = randomTensor 9 0.99 1.01 shape
    let xd = doubles x
    let at i j k = xd.[(i * shape.[1] + j) * shape.[2] + k]
    let reference (axes: int list) (combine: float -> float -> float) =
        let kept = [ 0 .. 2 ] |> List.filter (fun a -> not (List.contains a axes))
        let index (o: int[]) (r: int[]) =
            let full = Array.zeroCreate 3
            List.iteri (fun n a -> full.[a] <- o.[n]) kept
            List.iteri (fun n a -> full.[a] <- r.[n]) axes
            at full.[0] full.[1] full.[2]
        let ranges (dims: int list) = dims |> List.fold (fun acc d -> [ for prefix in acc do for v in 0 .. shape.[d] - 1 -> Array.append prefix [| v |] ]) [ [||] ]
        [| for o in ranges kept -> ranges axes |> List.map (index o) |> List.reduce combine |]
    for axes in [ [ 0 ]; [ 1 ]; [ 2 ]; [ 0; 1 ]; [ 1; 2 ]; [ 0; 2 ]; [ 0; 1; 2 ] ] do
        let a = List.toArray axes
        assertAllClose 1e-12 0.0 (sprintf "sum %A" axes) (reference axes (+)) (doubles (x.Sum(a)))
        assertAllClose 0.0 0.0 (sprintf "max %A" axes) (reference axes max) (doubles (x.Max(a)))
        assertAllClose 1e-10 0.0 (sprintf "prod %A" axes) (reference axes (*)) (doubles (x.Prod(a)))

[<Fact>]
let ``every permutation of a large tensor moves each element to its permuted index`` () =
    // Large enough for tiled and parallel copies, with dims that are not multiples of the tile.
    let shape = [| 37; 41; 53 |]
    let x = randomTensor 4 -1.0 1.0 shape
    let xd = doubles x
    for perm in [ [| 0; 1; 2 |]; [| 0; 2; 1 |]; [| 1; 0; 2 |]; [| 1; 2; 0 |]; [| 2; 0; 1 |]; [| 2; 1; 0 |] ] do
        let y = x.Permute(perm)
        let outShape = perm |> Array.map (fun d -> shape.[d])
        Assert.Equal<int[]>(outShape, y.Shape)
        let yd = doubles y
        for flat in 0 .. yd.Length - 1 do
            let o = [| flat / (outShape.[1] * outShape.[2]); flat / outShape.[2] % outShape.[1]; flat % outShape.[2] |]
            let source = Array.zeroCreate 3
            for i in 0 .. 2 do source.[perm.[i]] <- o.[i]
            let expected = xd.[(source.[0] * shape.[1] + source.[1]) * shape.[2] + source.[2]]
            if yd.[flat] <> expected then failwithf "permute %A: element %A is %g, expected %g" perm o yd.[flat] expected

/// The raw bits of a float tensor: equality of these is bitwise equality of the values.
let private bits (t: Tensor) =
    if t.DType = DType.Float32 then t.ToArray<float32>() |> Array.map (fun v -> int64 (System.BitConverter.SingleToInt32Bits v))
    else t.ToArray<double>() |> Array.map System.BitConverter.DoubleToInt64Bits

[<Fact>]
let ``kernels give bitwise identical results with 1, 2 and 3 threads`` () =
    // Sizes large enough that every kernel below splits its work (the GEMM into rectangles over rows, columns or both).
    let x = randomTensor 21 -2.0 2.0 [| 150; 700 |]
    let y = randomTensor 22 -2.0 2.0 [| 150; 700 |]
    let w = randomTensor 23 -1.0 1.0 [| 700; 90 |]
    let v = randomTensor 24 -1.0 1.0 [| 64; 700 |]
    let batched = randomTensor 25 -1.0 1.0 [| 6; 40; 70 |]
    let labels = Tensor.FromArray(Array.init 150 (fun i -> i % 7), [| 150 |])
    let mlpLoss (p: Tensor[]) (input: Tensor) =
        let hidden = (input.MatMul p.[0] + p.[1]).Tanh()
        -((hidden.MatMul p.[2]).LogSoftmax(1) * Tensor.OneHot(labels, 7, input.DType)).Sum() / 150.0
    let computations: (string * (DType -> Tensor list)) list =
        [ "matmul, transposed operands, batched", fun dt ->
            let x, w, v, b = x.Cast dt, w.Cast dt, v.Cast dt, batched.Cast dt
            [ x.MatMul w; MatMulOp.Instance.Bind(MatMulParams(false, true), x, v); MatMulOp.Instance.Bind(MatMulParams(true, false), x, x)
              v.MatMul(x.MT); b.MatMul(b.MT) ]
          "elementwise", fun dt ->
            let x, y = x.Cast dt, y.Cast dt
            [ x + y; x * y; x.Exp(); x.Tanh(); x.Sigmoid(); x + y.Sum 0; x.Relu(); ReluGradOp.Instance.Bind(OpParams.None, x, y) ]
          "reductions", fun dt -> let x = x.Cast dt in [ x.Sum(); x.Sum 0; x.Sum 1; x.Max 0; x.Max 1; x.LogSoftmax 1; x.LogSoftmax 0 ]
          "convolution and pooling, value and gradients", fun dt ->
            // 20 images: the weight gradient sums them in fixed chunks of 8, whatever the thread count.
            let images = (randomTensor 28 -1.0 1.0 [| 20; 3; 12; 12 |]).Cast dt
            let kernel = (randomTensor 29 -1.0 1.0 [| 8; 3; 3; 3 |]).Cast dt
            let net (xw: Tensor[]) = (xw.[0].Conv2d(xw.[1], padding = 1).Relu().MaxPool2d 2).Sum()
            let struct (value, g) = Grad.ValueAndGrad(fn net).Invoke [| images; kernel |]
            value :: List.ofArray g
          "MLP gradient", fun dt ->
            let p = [| w.Cast dt; (randomTensor 26 -0.1 0.1 [| 90 |]).Cast dt; (randomTensor 27 -1.0 1.0 [| 90; 7 |]).Cast dt |]
            let struct (value, g) = Grad.ValueAndGrad(fn (fun (p: Tensor[]) -> mlpLoss p (x.Cast dt))).Invoke p
            value :: List.ofArray g ]
    let run threads =
        use _ = Parallelism.Limit threads
        [ for (what, f) in computations do
            for dt in [ DType.Float32; DType.Float64 ] do
                yield! f dt |> List.mapi (fun i t -> sprintf "%s #%d %A" what i dt, bits t) ]
    let one = run 1
    for threads in [ 2; 3 ] do
        for (what, expected), (_, actual) in List.zip one (run threads) do
            Assert.True((expected = actual), sprintf "%s differs bitwise between 1 and %d threads" what threads)

[<Fact>]
let ``Parallelism.MaxThreads reads GRAD_NUM_THREADS, rejects nonsense and Limit restores it`` () =
    Assert.Equal(System.Environment.ProcessorCount, Parallelism.FromEnvironment null)
    Assert.Equal(System.Environment.ProcessorCount, Parallelism.FromEnvironment " ")
    Assert.Equal(3, Parallelism.FromEnvironment "3")
    for bad in [ "0"; "-2"; "two"; "1.5" ] do
        let e = Assert.Throws<System.InvalidOperationException>(fun () -> Parallelism.FromEnvironment bad |> ignore)
        Assert.Contains("GRAD_NUM_THREADS", e.Message)
    Assert.Throws<System.ArgumentOutOfRangeException>(fun () -> Parallelism.MaxThreads <- 0) |> ignore
    let before = Parallelism.MaxThreads
    do
        use _ = Parallelism.Limit 1
        Assert.Equal(1, Parallelism.MaxThreads)
    Assert.Equal(before, Parallelism.MaxThreads)

[<Fact>]
let ``parallel kernels run from many threads at once give the results they give alone`` () =
    // One job at a time runs on the worker team; a kernel started while it is busy runs its chunks on its own thread.
    let x = randomTensor 41 -1.0 1.0 [| 200; 300 |]
    let w = randomTensor 42 -1.0 1.0 [| 300; 150 |]
    let work () = [ bits (x.MatMul w); bits (x.Exp()); bits (x.Sum 0); bits ((x.Cast DType.Float32).Tanh()) ]
    let expected = work ()
    let results =
        [| for _ in 1 .. 8 -> System.Threading.Tasks.Task.Run(fun () -> [ for _ in 1 .. 20 -> work () ]) |]
        |> Array.map (fun t -> t.Result)
    for perThread in results do
        for actual in perThread do
            Assert.True((expected = actual), "a kernel run concurrently differs from the same kernel run alone")

[<Fact>]
let ``an exception in a parallel chunk reaches the caller with its own type, and the team keeps working`` () =
    let count = 1 <<< 20
    let body = Action<int, int>(fun start _ -> if start > 0 then invalidOp "chunk failed")
    let e = Assert.Throws<InvalidOperationException>(fun () -> ParallelKernel.For(count, 1, body))
    Assert.Equal("chunk failed", e.Message)
    let hits = Array.zeroCreate<int> count
    ParallelKernel.For(count, 1, Action<int, int>(fun start length -> for i in start .. start + length - 1 do hits.[i] <- hits.[i] + 1))
    Assert.True(hits |> Array.forall ((=) 1), "every item ran exactly once")

[<Fact>]
let ``relu and its fused gradient equal their definitions on tensors large enough to run in parallel`` () =
    // 105,000 elements: above the parallel threshold, with a tail past the last whole vector; exact zeros included.
    let values = (randomTensor 51 -2.0 2.0 [| 150; 700 |]).ToArray<float>() |> Array.mapi (fun i v -> if i % 97 = 0 then 0.0 else v)
    let x = Tensor.FromArray(values, [| 150; 700 |])
    let g = randomTensor 52 -1.0 1.0 [| 150; 700 |]
    for dt in [ DType.Float64; DType.Float32 ] do
        let xd, gd = doubles (x.Cast dt), doubles (g.Cast dt)
        assertAllClose 0.0 0.0 (sprintf "relu %A" dt) (xd |> Array.map (fun v -> max v 0.0)) (doubles ((x.Cast dt).Relu()))
        let expected = Array.map2 (fun v gv -> if v > 0.0 then gv else 0.0) xd gd
        assertAllClose 0.0 0.0 (sprintf "relu_grad %A" dt) expected (doubles (ReluGradOp.Instance.Bind(OpParams.None, x.Cast dt, g.Cast dt)))
        let struct (_, back) = Grad.Vjp(Func<Tensor, Tensor>(fun t -> t.Relu()), x.Cast dt)
        assertAllClose 0.0 0.0 (sprintf "relu VJP %A" dt) expected (doubles (back.Invoke(g.Cast dt)))

[<Fact>]
let ``parallel chunks start and end on the granularity asked for, except at the end`` () =
    // Sin and cos run in aligned blocks of 256 at fixed offsets (TensorPrimitives' float64 sin and cos round some
    // elements differently depending on where a span starts and ends); that needs chunk edges on block edges.
    for count in [ 100_000; 65_536; 70_001 ] do
        for threads in [ 2; 3 ] do
            use _ = Parallelism.Limit threads
            let chunks = System.Collections.Concurrent.ConcurrentBag<int * int>()
            ParallelKernel.For(count, 1, Action<int, int>(fun start length -> chunks.Add((start, length))), 256)
            let sorted = chunks |> Seq.sortBy fst |> Array.ofSeq
            Assert.True(sorted.Length > 1, sprintf "%d items on %d threads ran as one chunk" count threads)
            Assert.Equal(count, sorted |> Array.sumBy snd)
            for (start, length) in sorted do
                Assert.True(start % 256 = 0, sprintf "chunk starts at %d" start)
                Assert.True(length % 256 = 0 || start + length = count, sprintf "chunk [%d, %d) ends off a block edge" start (start + length))
