// Grad from F#: run `dotnet build`, then `dotnet fsi examples/quickstart.fsx`.
#r "../src/Grad.FSharp/bin/Debug/net10.0/Grad.Core.dll"
#r "../src/Grad.FSharp/bin/Debug/net10.0/Grad.FSharp.dll"
open Autodiff
open Autodiff.FSharp

/// A model is its own parameter tree: an F# record of tensors.
type Linear = { W: Tensor; B: Tensor }
let predict (m: Linear) (x: Tensor) = (x |> Tensor.matmul m.W) + m.B

// Synthetic data y = x·[2, -3] + 0.5 + noise, drawn from explicit PRNG keys.
let kx, kNoise = Key.create 0 |> Key.split
let x = Tensor.normal kx [| 256; 2 |]
let trueW = Tensor.fromArrayFloat32 [| 2.0f; -3.0f |] [| 2 |]
let y = (x |> Tensor.matmul trueW) + 0.5 + 0.01 * Tensor.normal kNoise [| 256 |]
let loss (m: Linear) = predict m x - y |> Tensor.square |> Tensor.mean

// Gradient descent: the gradient comes back as a Linear, and Tree.map2 updates every leaf.
let train (m: Linear) (step: int) =
    let l, g = valueAndGrad loss m
    if step % 20 = 0 then printfn "step %d: loss = %.6f" step (Tensor.item<float> l)
    Tree.map2 (fun p dp -> p - 0.1 * dp) m g

let model = List.fold train { W = Tensor.zeros [| 2 |]; B = Tensor.zeros [||] } [ 1 .. 100 ]
let w = Tensor.toArray<float> model.W
printfn "fitted w = [%.4f, %.4f], b = %.4f (true: [2, -3], 0.5)" w[0] w[1] (Tensor.item<float> model.B)

// Derivatives compose: d²/dx² x³ = 6x, and the Hessian of Σ xᵢ³ is diag(6x).
let cube (x: Tensor) = x * x * x |> Tensor.sum
printfn "d2/dx2 x^3 at x = 2: %.4f" (grad (grad cube) (Tensor.scalar 2.0) |> Tensor.item<float>)
let h = hessian cube (Tensor.fromArrayFloat32 [| 1.0f; 2.0f |] [| 2 |])
printfn "hessian of sum x^3 at [1, 2] = %A" (Tensor.toArray<float> h)
