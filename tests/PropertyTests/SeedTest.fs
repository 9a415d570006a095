/// The seed test: a small network's value and gradients against an independent reference written with loops.
module SeedTest

open Xunit
open Autodiff
open Numeric

/// out = Σ log_softmax(relu(x·W), axis 1) ⊙ m and its gradients for x and W, by hand, in plain loops.
let private reference (x: float[]) (w: float[]) (m: float[]) (n: int) (k: int) (c: int) =
    let h = Array.zeroCreate (n * c)
    for i in 0 .. n - 1 do
        for p in 0 .. k - 1 do
            let xip = x.[i * k + p]
            for j in 0 .. c - 1 do
                h.[i * c + j] <- h.[i * c + j] + xip * w.[p * c + j]
    let r = h |> Array.map (fun v -> max v 0.0)
    let mutable out = 0.0
    let gh = Array.zeroCreate (n * c)
    for i in 0 .. n - 1 do
        let row = r.[i * c .. i * c + c - 1]
        let mx = Array.max row
        let lse = mx + log (row |> Array.sumBy (fun v -> exp (v - mx)))
        let mRow = m.[i * c .. i * c + c - 1]
        let mSum = Array.sum mRow
        for j in 0 .. c - 1 do
            out <- out + (row.[j] - lse) * mRow.[j]
            // d out / d r_ij = m_ij − softmax_ij · Σ_j m_ij; relu passes it where h > 0.
            let gr = mRow.[j] - exp (row.[j] - lse) * mSum
            gh.[i * c + j] <- if h.[i * c + j] > 0.0 then gr else 0.0
    let gx = Array.zeroCreate (n * k)
    let gw = Array.zeroCreate (k * c)
    for i in 0 .. n - 1 do
        for p in 0 .. k - 1 do
            let mutable acc = 0.0
            for j in 0 .. c - 1 do
                acc <- acc + gh.[i * c + j] * w.[p * c + j]
                gw.[p * c + j] <- gw.[p * c + j] + x.[i * k + p] * gh.[i * c + j]
            gx.[i * k + p] <- acc
    out, gx, gw

[<Fact>]
let ``log_softmax of relu of a matmul: value and gradients match a plain-loop reference in float64`` () =
    let n, k, c = 128, 784, 128
    let keys = (Key.Create 20261122L).Split 3
    let x = Tensor.Normal(keys.[0], [| n; k |], dtype = DType.Float64)
    let w = Tensor.Normal(keys.[1], [| k; c |], std = 0.05, dtype = DType.Float64)
    let m = Tensor.Uniform(keys.[2], [| n; c |], -1.0, 1.0, DType.Float64)
    let loss (p: struct (Tensor * Tensor)) =
        let struct (x, w) = p
        (x.MatMul(w).Relu().LogSoftmax(1) * m).Sum()
    let struct (value, grads) = Grad.ValueAndGrad(fn loss).Invoke(struct (x, w))
    let struct (gx, gw) = grads
    let expected, expectedGx, expectedGw = reference (doubles x) (doubles w) (doubles m) n k c
    Assert.True(abs (value.Item<float>() - expected) <= 1e-6, sprintf "value %.17g vs reference %.17g" (value.Item<float>()) expected)
    assertAllClose 0.0 1e-6 "gradient for x" expectedGx (doubles gx)
    assertAllClose 0.0 1e-6 "gradient for W" expectedGw (doubles gw)
    // The reference is not trivially zero: a wrong rule could not pass by accident.
    Assert.True((doubles gw |> Array.map abs |> Array.max) > 1e-2)
