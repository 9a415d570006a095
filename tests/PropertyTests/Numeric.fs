/// Small numeric helpers shared by the tests: the oracle is always maths, never pasted numbers.
module Numeric

open System
open Autodiff

let doubles (t: Tensor) = t.ToArray<double>()

let dot (a: Tensor) (b: Tensor) = Array.fold2 (fun acc x y -> acc + x * y) 0.0 (doubles a) (doubles b)

let absDot (a: Tensor) (b: Tensor) = Array.fold2 (fun acc x y -> acc + abs (x * y)) 0.0 (doubles a) (doubles b)

/// |a − b| ≤ atol + rtol·max(|a|, |b|), NaN never close.
let close rtol atol (a: float) (b: float) = abs (a - b) <= atol + rtol * max (abs a) (abs b)

/// Fails with both arrays' worst element when they are not elementwise close.
let assertAllClose rtol atol (what: string) (expected: float[]) (actual: float[]) =
    if expected.Length <> actual.Length then
        failwithf "%s: %d elements expected, got %d" what expected.Length actual.Length
    for i in 0 .. expected.Length - 1 do
        if not (close rtol atol expected.[i] actual.[i]) then
            failwithf "%s: element %d is %.17g, expected %.17g (rtol %g, atol %g)" what i actual.[i] expected.[i] rtol atol

/// float64 tensor with values drawn from a seeded System.Random, uniform in [lo, hi].
let randomTensor (seed: int) (lo: float) (hi: float) (shape: int[]) =
    let r = Random(seed)
    let n = Array.fold (*) 1 shape
    Tensor.FromArray(Array.init n (fun _ -> lo + (hi - lo) * r.NextDouble()), shape)

let scalar (x: float) = Tensor.FromArray([| x |])

/// Wraps an F# function as the Func the C# API takes.
let fn (f: 'a -> 'b) = Func<'a, 'b>(f)
