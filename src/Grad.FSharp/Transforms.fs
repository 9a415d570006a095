namespace Autodiff.FSharp

open System
open Autodiff

/// Curried F# forms of the transforms on `Autodiff.Grad`. Each is one line: a Func ↔ F# function conversion.
[<AutoOpen>]
module Transforms =
    /// The gradient of a scalar function, in the tree shape of its argument (records, lists, tuples, maps of tensors).
    let grad (f: 'p -> Tensor) : 'p -> 'p = let g = Grad.Gradient(Func<'p, Tensor> f) in g.Invoke

    /// The value of a scalar function and its gradient.
    let valueAndGrad (f: 'p -> Tensor) : 'p -> Tensor * 'p =
        let vg = Grad.ValueAndGrad(Func<'p, Tensor> f) in fun p -> let struct (v, g) = vg.Invoke p in v, g

    /// Like `valueAndGrad` for a loss that also returns auxiliary data, which is passed through undifferentiated.
    let valueAndGradWithAux (f: 'p -> Tensor * 'aux) : 'p -> Tensor * 'aux * 'p =
        let vg = Grad.ValueAndGrad(Func<'p, struct (Tensor * 'aux)>(fun p -> let l, a = f p in struct (l, a)))
        fun p -> let struct (v, a, g) = vg.Invoke p in v, a, g

    /// `f x` with no derivative; outside any transform, the tensors `f` made that the result does not hold go back to
    /// the buffer pool (for inference passes and optimizer updates in a loop).
    let evaluate (f: 'a -> 'b) (x: 'a) : 'b = Grad.Evaluate(Func<'a, 'b> f, x)

    /// The value of `f` at `x` and the pullback from output cotangents to input cotangents.
    let vjp (f: 'a -> 'b) (x: 'a) : 'b * ('b -> 'a) =
        let struct (y, pullback) = Grad.Vjp(Func<'a, 'b> f, x) in y, pullback.Invoke

    /// The value of `f` at `x` and its directional derivative along `v`, in one forward pass.
    let jvp (f: 'a -> 'b) (x: 'a) (v: 'a) : 'b * 'b = let struct (y, t) = Grad.Jvp(Func<'a, 'b> f, x, v) in y, t

    /// The Jacobian by reverse mode: shape output.shape @ input.shape.
    let jacobian (f: Tensor -> Tensor) : Tensor -> Tensor = (Grad.Jacobian(Func<Tensor, Tensor> f)).Invoke

    /// The Jacobian by forward mode: shape output.shape @ input.shape.
    let jacobianForward (f: Tensor -> Tensor) : Tensor -> Tensor = (Grad.JacobianForward(Func<Tensor, Tensor> f)).Invoke

    /// The Jacobian by reverse mode: shape output.shape @ input.shape.
    let jacobianReverse (f: Tensor -> Tensor) : Tensor -> Tensor = (Grad.JacobianReverse(Func<Tensor, Tensor> f)).Invoke

    /// The Hessian of a scalar function (forward over reverse): shape x.shape @ x.shape.
    let hessian (f: Tensor -> Tensor) : Tensor -> Tensor = (Grad.Hessian(Func<Tensor, Tensor> f)).Invoke

    /// H·v of a scalar function at x without forming H.
    let hvp (f: 'p -> Tensor) (x: 'p) (v: 'p) : 'p = Grad.HessianVectorProduct(Func<'p, Tensor> f, x, v)

    /// The same values, treated as a constant by every transform.
    let stopGradient (x: Tensor) : Tensor = Grad.StopGradient x

    /// Wraps `f` so that reverse mode uses `rule inputs output cotangent` instead of differentiating f's body.
    let customVjp (f: Tensor[] -> Tensor) (rule: Tensor[] -> Tensor -> Tensor -> Tensor[]) : Tensor[] -> Tensor =
        (Grad.CustomVjp(Func<Tensor[], Tensor> f, Func<Tensor[], Tensor, Tensor, Tensor[]> rule)).Invoke
