namespace Autodiff.FSharp

open Autodiff

/// F# forms of `Autodiff.Key`, the explicit PRNG key: create one from a seed, split it, use each child once.
[<RequireQualifiedAccess>]
module Key =
    /// The key for an integer seed: `Key.create 42` (equal to C#'s `Key.Create(42)`).
    let create (seed: int) : Key = Key.Create(int64 seed)

    /// The key for a 64-bit seed, its high 32 bits the first word and its low 32 bits the second.
    let createUInt64 (seed: uint64) : Key = Key.Create seed

    /// Two new keys, independent of each other and of this one: `let k1, k2 = Key.split key`.
    let split (key: Key) : Key * Key = let struct (a, b) = key.Split() in a, b

    /// `n` new keys; child i depends only on the key and i, so `splitN 2` gives the same keys as `split`.
    let splitN (n: int) (key: Key) : Key[] = key.Split n

    /// A new key mixing `data` (e.g. a step or layer number) into this one.
    let foldIn (data: int) (key: Key) : Key = key.FoldIn data
