/// Kernels against the definition, on sizes that cross every blocking boundary of the implementation.
module KernelTests

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
    // Row blocks of 96 in tiles of 6, depth panels of 256, column panels of 8 or 16: cut each of them unevenly.
    let shapes = [ 1, 1, 1; 5, 3, 7; 6, 256, 16; 97, 257, 17; 200, 3, 33; 13, 600, 9; 1, 300, 1; 190, 513, 40 ]
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
    for (batch, m, k, n) in [ 9, 4, 5, 3; 2, 100, 260, 20 ] do
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
