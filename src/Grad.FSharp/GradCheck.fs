namespace Autodiff.FSharp

open System
open Autodiff

/// F# forms of `Autodiff.GradCheck`: compare a function's VJP and JVP with central finite differences (float64 inputs).
[<RequireQualifiedAccess>]
module GradCheck =
    /// Runs both checks with the default tolerances and returns their worst coordinates (VJP first).
    let check (f: Tensor[] -> Tensor) (inputs: Tensor[]) : GradCheckResult[] = GradCheck.Check(Func<Tensor[], Tensor> f, inputs)

    /// Runs both checks with the given step and tolerances and returns their worst coordinates (VJP first).
    let checkWith (options: GradCheckOptions) (f: Tensor[] -> Tensor) (inputs: Tensor[]) : GradCheckResult[] = GradCheck.Check(Func<Tensor[], Tensor> f, inputs, options)

    /// Throws a readable GradCheckException unless both checks pass (C#'s `GradCheck.Assert`; `assert` is an F# keyword).
    let assertPasses (f: Tensor[] -> Tensor) (inputs: Tensor[]) : unit = GradCheck.Assert(Func<Tensor[], Tensor> f, inputs)

    /// Like `assertPasses` with the given step and tolerances.
    let assertPassesWith (options: GradCheckOptions) (f: Tensor[] -> Tensor) (inputs: Tensor[]) : unit = GradCheck.Assert(Func<Tensor[], Tensor> f, inputs, options)
