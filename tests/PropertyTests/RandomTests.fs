/// Explicit PRNG keys: the Threefry cipher against its specification, determinism independent of chunking,
/// independence of split and folded keys, and statistical sanity of every sampler.
module RandomTests

open System
open System.Threading.Tasks
open Xunit
open Autodiff

let private key = Key.Create 20240611L

let private n = 100_000

let private mean (xs: float[]) = Array.average xs

let private variance (xs: float[]) =
    let m = mean xs
    (xs |> Array.sumBy (fun x -> (x - m) * (x - m))) / float (xs.Length - 1)

/// Fails unless |actual − expected| ≤ 5 standard errors: a false failure has probability below 6e-7.
let private within5Se (what: string) (expected: float) (standardError: float) (actual: float) =
    if abs (actual - expected) > 5.0 * standardError then
        failwithf "%s: %.6g is more than 5 standard errors (%.3g) from %.6g" what actual standardError expected

let private correlation (xs: float[]) (ys: float[]) =
    let mx, my = mean xs, mean ys
    let sxy = Array.fold2 (fun acc x y -> acc + (x - mx) * (y - my)) 0.0 xs ys
    sxy / sqrt (Array.sumBy (fun x -> (x - mx) ** 2.0) xs * Array.sumBy (fun y -> (y - my) ** 2.0) ys)

/// Pearson's statistic of observed counts against equal expected counts.
let private chiSquare (counts: int[]) =
    let expected = float (Array.sum counts) / float counts.Length
    counts |> Array.sumBy (fun c -> (float c - expected) ** 2.0 / expected)

// ---------------------------------------------------------------------------------------------------------------
// Threefry-2x32-20 is specified by its published known-answer vectors (Random123, kat_vectors).

[<Fact>]
let ``Threefry-2x32-20 reproduces the Random123 known-answer vectors`` () =
    let check (k0, k1) (c0, c1) (e0: uint32, e1: uint32) =
        let struct (x0, x1) = Threefry.Encrypt(k0, k1, c0, c1)
        Assert.Equal((e0, e1), (x0, x1))
    check (0u, 0u) (0u, 0u) (0x6b200159u, 0x99ba4efeu)
    check (0xffffffffu, 0xffffffffu) (0xffffffffu, 0xffffffffu) (0x1cb996fcu, 0xbb002be7u)
    check (0x13198a2eu, 0x03707344u) (0x243f6a88u, 0x85a308d3u) (0xc4923a9cu, 0x483df7a0u)

[<Fact>]
let ``the bit stream is the cipher applied to consecutive 64-bit block counters`` () =
    let k = Key(0x13198a2eu, 0x03707344u)
    let bits = k.RandomBits 10
    for block in 0 .. 4 do
        let struct (x0, x1) = Threefry.Encrypt(k.Word0, k.Word1, uint32 block, 0u)
        Assert.Equal(x0, bits.[2 * block])
        Assert.Equal(x1, bits.[2 * block + 1])

[<Fact>]
let ``Create splits a 64-bit seed into high and low words`` () =
    Assert.Equal(Key(0u, 0u), Key.Create 0UL)
    Assert.Equal(Key(0x01234567u, 0x89abcdefu), Key.Create 0x0123456789abcdefUL)
    Assert.Equal(Key.Create 42UL, Key.Create 42L)
    Assert.Equal(Key(0xffffffffu, 0xffffffffu), Key.Create -1L)
    Assert.Equal("Key(0x00000000, 0x0000002a)", (Key.Create 42L).ToString())

// ---------------------------------------------------------------------------------------------------------------
// Determinism: element i is a pure function of (key, i).

[<Fact>]
let ``the same key gives the same tensor every time, for every sampler`` () =
    let shape = [| 300; 700 |]   // large enough for the parallel path
    let twice (f: unit -> Tensor) = Assert.True((f ()).ArrayEqual(f ()))
    twice (fun () -> Tensor.Uniform(key, shape))
    twice (fun () -> Tensor.Uniform(key, shape, -3.0, 5.0, DType.Float64))
    twice (fun () -> Tensor.Normal(key, shape))
    twice (fun () -> Tensor.Normal(key, shape, 1.0, 2.0, DType.Float64))
    twice (fun () -> Tensor.Bernoulli(key, shape, 0.3))
    twice (fun () -> Tensor.RandomInt(key, shape, -7, 1000))
    twice (fun () -> Tensor.Permutation(key, 5000))
    Assert.Equal<uint32[]>(key.RandomBits 100_001, key.RandomBits 100_001)

/// Random chunk boundaries (odd starts and lengths included) for [0, count).
let private chunks (seed: int) (count: int) =
    let r = Random(seed)
    let cuts = [ yield 0; yield! List.init 40 (fun _ -> r.Next(count + 1)); yield count ] |> List.distinct |> List.sort
    List.pairwise cuts

[<Fact>]
let ``the bit stream does not depend on how it is chunked, ordered or spread across threads`` () =
    let count = 200_001
    let whole = key.RandomBits count
    for seed in 1 .. 3 do
        let pieces = chunks seed count |> List.toArray
        let assembled = Array.zeroCreate<uint32> count
        // Chunks in parallel, in shuffled order, each through its own call.
        let order = pieces |> Array.sortBy (fun _ -> Random(seed).Next())
        Parallel.ForEach(order, (fun (s, e) -> key.FillBits(int64 s, Span<uint32>(assembled, s, e - s)))) |> ignore
        Assert.Equal<uint32[]>(whole, assembled)

[<Fact>]
let ``samplers give the same tensor when filled in arbitrary chunks`` () =
    let count = 100_003
    let assemble (fill: int -> int -> 'T[] -> unit) =
        let a = Array.zeroCreate<'T> count
        for s, e in chunks 7 count do fill s (e - s) a
        a
    let u32 = assemble (fun s len a -> RandomKernels.Uniform<float32>(key, int64 s, Span<float32>(a, s, len), -1.0, 2.0))
    Assert.Equal<float32[]>(Tensor.Uniform(key, [| count |], -1.0, 2.0).ToArray<float32>(), u32)
    let u64 = assemble (fun s len a -> RandomKernels.Uniform<float>(key, int64 s, Span<float>(a, s, len), -1.0, 2.0))
    Assert.Equal<float[]>(Tensor.Uniform(key, [| count |], -1.0, 2.0, DType.Float64).ToArray<float>(), u64)
    // Box–Muller makes elements in pairs: odd chunk starts must still give the same values.
    let z = assemble (fun s len a -> RandomKernels.Normal<float>(key, int64 s, Span<float>(a, s, len), 0.5, 3.0))
    Assert.Equal<float[]>(Tensor.Normal(key, [| count |], 0.5, 3.0, DType.Float64).ToArray<float>(), z)
    let b = assemble (fun s len a -> RandomKernels.Bernoulli(key, int64 s, Span<bool>(a, s, len), 0.25))
    Assert.Equal<bool[]>(Tensor.Bernoulli(key, [| count |], 0.25).ToArray<bool>(), b)
    let i = assemble (fun s len a -> RandomKernels.Integers(key, int64 s, Span<int>(a, s, len), -50, 50))
    Assert.Equal<int[]>(Tensor.RandomInt(key, [| count |], -50, 50).ToArray<int>(), i)

[<Fact>]
let ``element i depends only on the key and i, not on the shape or the size`` () =
    let prefix (big: Tensor) (small: Tensor) =
        let b, s = big.ToArray<float>(), small.ToArray<float>()
        Assert.Equal<float[]>(s, Array.sub b 0 s.Length)
    prefix (Tensor.Uniform(key, [| 50_000 |])) (Tensor.Uniform(key, [| 77 |]))
    prefix (Tensor.Normal(key, [| 50_000 |])) (Tensor.Normal(key, [| 7; 11 |]))   // odd size: last element is half a pair
    prefix (Tensor.Normal(key, [| 2; 3 |], dtype = DType.Float64)) (Tensor.Normal(key, [| 3 |], dtype = DType.Float64))
    prefix (Tensor.RandomInt(key, [| 1000 |], 0, 9)) (Tensor.RandomInt(key, [| 5; 5 |], 0, 9))

[<Fact>]
let ``a float32 normal is the float64 normal of the same key rounded to float32`` () =
    let z64 = Tensor.Normal(key, [| 10_001 |], 2.0, 0.5, DType.Float64).ToArray<float>()
    let z32 = Tensor.Normal(key, [| 10_001 |], 2.0, 0.5, DType.Float32).ToArray<float32>()
    Assert.Equal<float32[]>(Array.map float32 z64, z32)

// ---------------------------------------------------------------------------------------------------------------
// Split and FoldIn.

[<Fact>]
let ``split keys differ from each other and from their parent, and Split() is Split(2)`` () =
    let struct (a, b) = key.Split()
    Assert.NotEqual(a, b)
    Assert.NotEqual(key, a)
    Assert.NotEqual(key, b)
    Assert.Equal<Key[]>([| a; b |], key.Split 2)
    let many = key.Split 10_000
    Assert.Equal(10_000, many |> Array.distinct |> Array.length)
    Assert.Equal<Key[]>(Array.sub many 0 2, [| a; b |])
    Assert.Empty(key.Split 0)
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> key.Split -1 |> ignore) |> ignore

[<Fact>]
let ``streams of split keys are different and uncorrelated`` () =
    let struct (a, b) = key.Split()
    let ua = Tensor.Uniform(a, [| n |], dtype = DType.Float64).ToArray<float>()
    let ub = Tensor.Uniform(b, [| n |], dtype = DType.Float64).ToArray<float>()
    let up = Tensor.Uniform(key, [| n |], dtype = DType.Float64).ToArray<float>()
    Assert.NotEqual<float[]>(ua, ub)
    // Under independence a sample correlation has standard error 1/√n.
    within5Se "corr(a, b)" 0.0 (1.0 / sqrt (float n)) (correlation ua ub)
    within5Se "corr(parent, a)" 0.0 (1.0 / sqrt (float n)) (correlation up ua)
    within5Se "corr(parent, b)" 0.0 (1.0 / sqrt (float n)) (correlation up ub)

[<Fact>]
let ``FoldIn gives different keys for different data, deterministically, unlike any split child`` () =
    let folded = [| for d in -500 .. 500 -> key.FoldIn d |]
    Assert.Equal(folded.Length, Array.distinct folded |> Array.length)
    Assert.Equal(key.FoldIn 3, key.FoldIn 3)
    let children = Collections.Generic.HashSet<Key>(key.Split 1000)
    Assert.True(folded |> Array.forall (fun k -> not (children.Contains k) && k <> key))
    Assert.NotEqual(key.FoldIn 1, (Key.Create 1L).FoldIn 1)

// ---------------------------------------------------------------------------------------------------------------
// Statistics: bounds that a broken sampler would fail, with negligible false-failure probability.

[<Fact>]
let ``100k standard normals have mean 0 and variance 1 within 5 standard errors`` () =
    for dtype in [ DType.Float32; DType.Float64 ] do
        let z = Tensor.Normal(key, [| n |], dtype = dtype).ToArray<float>()
        within5Se "mean" 0.0 (1.0 / sqrt (float n)) (mean z)
        // For normal data the sample variance has standard error √(2/(n−1)).
        within5Se "variance" 1.0 (sqrt (2.0 / float (n - 1))) (variance z)
        // P(|z| < 1) = erf(1/√2), P(|z| < 2) = erf(√2): the shape of the distribution, not just two moments.
        for k, p in [ 1.0, 0.682689492137086; 2.0, 0.954499736103642 ] do
            let frac = (z |> Array.filter (fun x -> abs x < k) |> Array.length |> float) / float n
            within5Se $"P(|z| < {k})" p (sqrt (p * (1.0 - p) / float n)) frac
        // Box–Muller pairs (cos, sin of one angle) are uncorrelated; so are neighbouring pairs.
        let even = Array.init (n / 2) (fun i -> z.[2 * i])
        let odd = Array.init (n / 2) (fun i -> z.[2 * i + 1])
        within5Se "corr(z[2i], z[2i+1])" 0.0 (1.0 / sqrt (float (n / 2))) (correlation even odd)
        within5Se "corr(z[i], z[i+2])" 0.0 (1.0 / sqrt (float (n / 2 - 1))) (correlation even.[.. n / 2 - 2] even.[1..])

[<Fact>]
let ``normals are shifted by the mean and scaled by the std`` () =
    let z = Tensor.Normal(key, [| n |], -3.0, 2.5, DType.Float64).ToArray<float>()
    within5Se "mean" -3.0 (2.5 / sqrt (float n)) (mean z)
    within5Se "variance" 6.25 (6.25 * sqrt (2.0 / float (n - 1))) (variance z)
    Assert.True(Tensor.Normal(key, [| 10 |], 4.0, 0.0).ArrayEqual(Tensor.Full(4.0, DType.Float32, 10)))

[<Fact>]
let ``uniforms stay in [low, high) and have the uniform mean and variance`` () =
    for dtype in [ DType.Float32; DType.Float64 ] do
        for low, high in [ 0.0, 1.0; -2.0, 3.0; 1.0, 2.0; 1e6, 1e6 + 1.0 ] do
            let u = Tensor.Uniform(key, [| n |], low, high, dtype).ToArray<float>()
            Assert.True(u |> Array.forall (fun x -> x >= low && x < high), $"{dtype} [{low}, {high})")
            let w = high - low
            within5Se $"mean of U[{low}, {high})" ((low + high) / 2.0) (w / sqrt (12.0 * float n)) (mean u)
        let u = Tensor.Uniform(key, [| n |], dtype = dtype).ToArray<float>()
        // Var(U) = 1/12; the sample variance's standard error is √((μ₄ − σ⁴)/n) with μ₄ = 1/80.
        within5Se "variance of U[0, 1)" (1.0 / 12.0) (sqrt ((1.0 / 80.0 - 1.0 / 144.0) / float n)) (variance u)

[<Fact>]
let ``uniform float32 values are 24-bit grid points and float64 values are 53-bit grid points`` () =
    let u32 = Tensor.Uniform(key, [| 10_000 |]).ToArray<float32>()
    Assert.True(u32 |> Array.forall (fun x -> let s = float x * 16777216.0 in s = floor s))
    let u64 = Tensor.Uniform(key, [| 10_000 |], dtype = DType.Float64).ToArray<float>()
    Assert.True(u64 |> Array.forall (fun x -> let s = x * 9007199254740992.0 in s = floor s))
    // Some float64 values use bits below the float32 grid, so float64 is not a widened float32.
    Assert.True(u64 |> Array.exists (fun x -> let s = x * 16777216.0 in s <> floor s))

[<Fact>]
let ``a chi-square test on 10 bins accepts the uniform distribution at significance 1e-6`` () =
    for dtype in [ DType.Float32; DType.Float64 ] do
        let counts = Array.zeroCreate 10
        for x in Tensor.Uniform(key.FoldIn 10, [| n |], dtype = dtype).ToArray<float>() do
            counts.[int (x * 10.0)] <- counts.[int (x * 10.0)] + 1
        // The chi-square distribution with 9 degrees of freedom exceeds 44.81 with probability 1e-6.
        let stat = chiSquare counts
        Assert.True(stat < 44.81, $"chi-square {stat} over {dtype} bins %A{counts}")

[<Fact>]
let ``Bernoulli frequencies match p, and p = 0 and p = 1 are exact`` () =
    for p in [ 0.01; 0.3; 0.5; 0.9 ] do
        let b = Tensor.Bernoulli(key, [| n |], p)
        Assert.Equal(DType.Bool, b.DType)
        let frac = (b.ToArray<bool>() |> Array.filter id |> Array.length |> float) / float n
        within5Se $"frequency for p = {p}" p (sqrt (p * (1.0 - p) / float n)) frac
    Assert.True(Tensor.Bernoulli(key, [| 1000 |], 0.0).ToArray<bool>() |> Array.forall not)
    Assert.True(Tensor.Bernoulli(key, [| 1000 |], 1.0).ToArray<bool>() |> Array.forall id)

[<Fact>]
let ``RandomInt covers [low, high) evenly`` () =
    let r = Tensor.RandomInt(key, [| n |], -3, 4)
    Assert.Equal(DType.Int32, r.DType)
    let values = r.ToArray<int>()
    Assert.True(values |> Array.forall (fun v -> v >= -3 && v < 4))
    let counts = Array.init 7 (fun k -> values |> Array.filter (fun v -> v = k - 3) |> Array.length)
    // Chi-square with 6 degrees of freedom exceeds 42.0 with probability below 1e-6.
    Assert.True(chiSquare counts < 42.0, $"counts %A{counts}")
    let wide = Tensor.RandomInt(key, [| 1000 |], Int32.MinValue, Int32.MaxValue).ToArray<int>()
    Assert.True(wide |> Array.forall (fun v -> v < Int32.MaxValue))
    Assert.True(wide |> Array.exists (fun v -> v < 0) && wide |> Array.exists (fun v -> v > 0))
    Assert.True(Tensor.RandomInt(key, [| 100 |], 5, 6).ToArray<int>() |> Array.forall ((=) 5))

[<Fact>]
let ``Permutation is a permutation, and all orderings of 3 are equally likely`` () =
    for size in [ 0; 1; 2; 17; 10_000 ] do
        let p = Tensor.Permutation(key, size)
        Assert.Equal<int[]>([| size |], p.Shape)
        Assert.Equal<int[]>(Array.init size id, p.ToArray<int>() |> Array.sort)
    Assert.NotEqual<int[]>(Tensor.Permutation(key, 50).ToArray<int>(), Tensor.Permutation(key.FoldIn 1, 50).ToArray<int>())
    let trials = 60_000
    let counts =
        Array.init trials (fun t -> Tensor.Permutation(key.FoldIn t, 3).ToArray<int>())
        |> Array.countBy id
        |> Array.map snd
    Assert.Equal(6, counts.Length)
    // Chi-square with 5 degrees of freedom exceeds 35.89 with probability 1e-6.
    Assert.True(chiSquare counts < 35.89, $"counts %A{counts}")

// ---------------------------------------------------------------------------------------------------------------
// Argument checks.

[<Fact>]
let ``samplers reject invalid arguments with messages naming the sampler`` () =
    let throws (expected: string) (f: unit -> obj) =
        let e = Assert.ThrowsAny<ArgumentException>(fun () -> f () |> ignore)
        Assert.Contains(expected, e.Message)
    throws "Normal" (fun () -> Tensor.Normal(key, [| 3 |], 0.0, -1.0))
    throws "Normal" (fun () -> Tensor.Normal(key, [| 3 |], nan, 1.0))
    throws "Normal" (fun () -> Tensor.Normal(key, [| 3 |], dtype = DType.Int32))
    throws "Bernoulli" (fun () -> Tensor.Bernoulli(key, [| 3 |], 1.5))
    throws "Bernoulli" (fun () -> Tensor.Bernoulli(key, [| 3 |], -0.1))
    throws "Bernoulli" (fun () -> Tensor.Bernoulli(key, [| 3 |], nan))
    throws "Uniform" (fun () -> Tensor.Uniform(key, [| 3 |], 1.0, 1.0))
    throws "Uniform" (fun () -> Tensor.Uniform(key, [| 3 |], 2.0, 1.0))
    throws "Uniform" (fun () -> Tensor.Uniform(key, [| 3 |], 0.0, infinity))
    throws "float32" (fun () -> Tensor.Uniform(key, [| 3 |], 1.0, 1.0 + 1e-12))
    throws "Uniform" (fun () -> Tensor.Uniform(key, [| 3 |], dtype = DType.Bool))
    throws "negative dimension" (fun () -> Tensor.Uniform(key, [| 2; -1 |]))
    throws "RandomInt" (fun () -> Tensor.RandomInt(key, [| 3 |], 4, 4))
    throws "Permutation" (fun () -> Tensor.Permutation(key, -1))
    // Degenerate but valid: empty shapes and rank 0.
    Assert.Equal(0, Tensor.Normal(key, [| 0; 5 |]).Size)
    Assert.Equal(0, Tensor.Uniform(key, [||]).Rank)
