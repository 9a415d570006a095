/// Ranges (Arange, Linspace, Eye), printing, and value comparison (AllClose, ArrayEqual).
module CreationTests

open System
open Xunit
open Autodiff

// ---------------------------------------------------------------------------------------------------------------
// Ranges.

[<Fact>]
let ``integer Arange counts from start by step up to but excluding stop, as int32`` () =
    let ints (t: Tensor) =
        Assert.Equal(DType.Int32, t.DType)
        t.ToArray<int>()
    Assert.Equal<int[]>([| 0; 1; 2; 3; 4 |], ints (Tensor.Arange 5))
    Assert.Equal<int[]>([| 2; 5; 8 |], ints (Tensor.Arange(2, 11, 3)))
    Assert.Equal<int[]>([| 2; 5; 8 |], ints (Tensor.Arange(2, 10, 3)))
    Assert.Equal<int[]>([| 5; 3; 1 |], ints (Tensor.Arange(5, 0, -2)))
    Assert.Empty(ints (Tensor.Arange 0))
    Assert.Empty(ints (Tensor.Arange -3))
    Assert.Empty(ints (Tensor.Arange(3, 3)))
    Assert.Equal<int[]>([| -2_000_000_000; -500_000_000; 1_000_000_000 |], ints (Tensor.Arange(-2_000_000_000, 2_000_000_000, 1_500_000_000)))
    Assert.Throws<ArgumentException>(fun () -> Tensor.Arange(0, 5, 0) |> ignore) |> ignore

[<Fact>]
let ``float Arange has ceil((stop - start) / step) elements start + i·step`` () =
    for start, stop, step in [ 0.0, 1.0, 0.25; 1.0, 2.0, 0.3; 5.0, -1.0, -1.5; 0.0, 1.0, 0.1; 3.0, 3.0, 1.0 ] do
        let t = Tensor.Arange(start, stop, step, DType.Float64)
        let count = max 0 (int (ceil ((stop - start) / step)))
        Assert.Equal<int[]>([| count |], t.Shape)
        Assert.Equal<float[]>(Array.init count (fun i -> start + float i * step), t.ToArray<float>())
        Assert.True(t.ToArray<float>() |> Array.forall (fun x -> if step > 0.0 then x < stop else x > stop))
    let f = Tensor.Arange(0.0, 1.0, 0.25)
    Assert.Equal(DType.Float32, f.DType)
    Assert.Equal<float32[]>([| 0.0f; 0.25f; 0.5f; 0.75f |], f.ToArray<float32>())
    Assert.Equal<int[]>([| 1; 3; 5 |], Tensor.Arange(1.0, 6.0, 2.0, DType.Int32).ToArray<int>())
    Assert.Throws<ArgumentException>(fun () -> Tensor.Arange(0.0, 1.0, 0.5, DType.Int32) |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> Tensor.Arange(0.0, 1.0, 0.0) |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> Tensor.Arange(0.0, nan, 1.0) |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> Tensor.Arange(0.0, 2.0, 1.0, DType.Bool) |> ignore) |> ignore

[<Fact>]
let ``Linspace includes both endpoints exactly and is evenly spaced`` () =
    for start, stop, num in [ 0.1, 0.7, 7; -1.0, 1.0, 5; 3.0, -2.0, 11; 0.0, 1.0, 2; 1e-3, 1e3, 1000 ] do
        let x = Tensor.Linspace(start, stop, num, DType.Float64).ToArray<float>()
        Assert.Equal(num, x.Length)
        Assert.Equal(start, x.[0])
        Assert.Equal(stop, x.[num - 1])
        let step = (stop - start) / float (num - 1)
        for i in 1 .. num - 1 do
            Assert.True(abs (x.[i] - x.[i - 1] - step) <= 1e-12 * (abs start + abs stop), $"gap {i} of Linspace({start}, {stop}, {num})")
    let f = Tensor.Linspace(0.1, 0.7, 4)
    Assert.Equal(DType.Float32, f.DType)
    Assert.Equal(0.1f, f.ToArray<float32>().[0])
    Assert.Equal(0.7f, f.ToArray<float32>().[3])
    Assert.Equal<float[]>([| 2.5 |], Tensor.Linspace(2.5, 9.0, 1, DType.Float64).ToArray<float>())
    Assert.Equal(0, Tensor.Linspace(0.0, 1.0, 0).Size)
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> Tensor.Linspace(0.0, 1.0, -1) |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> Tensor.Linspace(0.0, 1.0, 3, DType.Int32) |> ignore) |> ignore

[<Fact>]
let ``Eye has ones exactly where row equals column`` () =
    for rows, cols in [ 3, None; 2, Some 4; 4, Some 2; 0, None; 1, Some 0 ] do
        let m = defaultArg cols rows
        let e = Tensor.Eye(rows, Option.toNullable cols, DType.Float64)
        Assert.Equal<int[]>([| rows; m |], e.Shape)
        Assert.Equal<float[]>(Array.init (rows * m) (fun k -> if k / m = k % m then 1.0 else 0.0), e.ToArray<float>())
    Assert.Equal(DType.Float32, (Tensor.Eye 2).DType)
    Assert.Equal<int[]>([| 1; 0; 0; 1 |], Tensor.Eye(2, dtype = DType.Int32).ToArray<int>())
    Assert.Equal<bool[]>([| true; false; false; true |], Tensor.Eye(2, dtype = DType.Bool).ToArray<bool>())
    Assert.Throws<ArgumentException>(fun () -> Tensor.Eye(-1) |> ignore) |> ignore

// ---------------------------------------------------------------------------------------------------------------
// Printing.

[<Fact>]
let ``ToString of a small float32 matrix nests a bracket per axis and aligns rows`` () =
    let t = Tensor.FromArray([| 1.0f; 2.0f; 3.0f; 4.0f |], 2, 2)
    Assert.Equal("tensor([[1., 2.],\n        [3., 4.]], dtype=float32)", t.ToString())
    let s = Tensor.FromArray([| 1.5; -10.25; 3.0 |], 3)
    Assert.Equal("tensor([  1.5 , -10.25,   3.  ], dtype=float64)", s.ToString())

[<Fact>]
let ``ToString rounds float32 to 4 decimals and float64 to 6`` () =
    Assert.Equal("tensor([0.3333, 0.6667], dtype=float32)", Tensor.FromArray([| 1.0f / 3.0f; 2.0f / 3.0f |], 2).ToString())
    Assert.Equal("tensor([0.333333, 0.666667], dtype=float64)", Tensor.FromArray([| 1.0 / 3.0; 2.0 / 3.0 |], 2).ToString())

[<Fact>]
let ``ToString switches to scientific notation for huge or tiny magnitudes, and prints nan and inf`` () =
    Assert.Equal("tensor([1.0000e+09, 2.5000e+00], dtype=float32)", Tensor.FromArray([| 1e9f; 2.5f |], 2).ToString())
    Assert.Equal("tensor([1.000000e-07, 1.000000e+00], dtype=float64)", Tensor.FromArray([| 1e-7; 1.0 |], 2).ToString())
    Assert.Equal("tensor([  1.,  nan,  inf, -inf], dtype=float64)", Tensor.FromArray([| 1.0; nan; infinity; -infinity |], 4).ToString())

[<Fact>]
let ``ToString prints rank 0 as a scalar, ints and bools plainly, and empty tensors with their shape`` () =
    Assert.Equal("tensor(3.5, dtype=float32)", (Tensor.Scalar 3.5).ToString())
    Assert.Equal("tensor(-7, dtype=int32)", (Tensor.Scalar(-7.0, DType.Int32)).ToString())
    Assert.Equal("tensor([ 1, -2, 30], dtype=int32)", Tensor.FromArray([| 1; -2; 30 |], 3).ToString())
    Assert.Equal("tensor([ true, false], dtype=bool)", Tensor.FromArray([| true; false |], 2).ToString())
    Assert.Equal("tensor([], shape=[0, 3], dtype=float32)", Tensor.Zeros(0, 3).ToString())

[<Fact>]
let ``ToString separates the blocks of a rank-3 tensor by a blank line`` () =
    let expected =
        "tensor([[[0, 1],\n" +
        "         [2, 3]],\n" +
        "\n" +
        "        [[4, 5],\n" +
        "         [6, 7]]], dtype=int32)"
    Assert.Equal(expected, Tensor.FromArray(Array.init 8 id, 2, 2, 2).ToString())

[<Fact>]
let ``ToString wraps a long row under its opening bracket`` () =
    let text = Tensor.FromArray(Array.init 100 id, 100).ToString()
    let lines = text.Split '\n'
    Assert.True(lines.Length > 1)
    Assert.True(lines |> Array.forall (fun l -> l.Length <= 75 + "], dtype=int32)".Length))
    Assert.True(lines.[1..] |> Array.forall (fun l -> l.StartsWith "        " && not (l.StartsWith "         ")))
    Assert.Equal<int[]>(Array.init 100 id, text.Replace("tensor([", "").Replace("], dtype=int32)", "").Split(',') |> Array.map (fun s -> int (s.Trim())))

[<Fact>]
let ``ToString of more than 1000 elements shows 3 edge items per axis around ... and the shape`` () =
    let t = Tensor.FromArray(Array.init 5000 id, 10, 500)
    let expected =
        "tensor([[   0,    1,    2, ...,  497,  498,  499],\n" +
        "        [ 500,  501,  502, ...,  997,  998,  999],\n" +
        "        [1000, 1001, 1002, ..., 1497, 1498, 1499],\n" +
        "        ...,\n" +
        "        [3500, 3501, 3502, ..., 3997, 3998, 3999],\n" +
        "        [4000, 4001, 4002, ..., 4497, 4498, 4499],\n" +
        "        [4500, 4501, 4502, ..., 4997, 4998, 4999]], shape=[10, 500], dtype=int32)"
    Assert.Equal(expected, t.ToString())
    // Exactly 1000 elements are printed in full.
    Assert.DoesNotContain("...", Tensor.Zeros(1000).ToString())
    // A million elements print as 6 blocks of 7 rows and one elided block, with a blank line between neighbours.
    let big = Tensor.Zeros(100, 100, 100).ToString()
    Assert.StartsWith("tensor([[[0., 0., 0., ..., 0., 0., 0.],\n         [0., 0., 0., ..., 0., 0., 0.],\n", big)
    Assert.Contains("]],\n\n        ...,\n\n        [[", big)
    Assert.EndsWith("]]], shape=[100, 100, 100], dtype=float32)", big)
    Assert.Equal(6 * 7 + 1 + 6, big.Split('\n').Length)

// ---------------------------------------------------------------------------------------------------------------
// Comparison.

let private vec (xs: float list) = Tensor.FromArray(List.toArray xs, List.length xs)

[<Fact>]
let ``AllClose is |a − b| ≤ atol + rtol·|b| elementwise`` () =
    let a = vec [ 1.0; 100.0; 0.0 ]
    Assert.True(a.AllClose a)
    Assert.True(a.AllClose(vec [ 1.0 + 5e-6; 100.0 - 5e-4; 5e-9 ]))
    Assert.False(a.AllClose(vec [ 1.0 + 2e-5; 100.0; 0.0 ]))
    Assert.False(a.AllClose(vec [ 1.0; 100.0; 1e-7 ]))
    Assert.True(a.AllClose(vec [ 1.1; 110.0; 0.0 ], rtol = 0.1))
    Assert.True(a.AllClose(vec [ 1.5; 100.5; -0.5 ], rtol = 0.0, atol = 0.5))
    // Asymmetric, as in numpy: the tolerance scales with the reference |b|.
    Assert.True((vec [ 0.0 ]).AllClose(vec [ 1e-8 ], rtol = 0.5, atol = 0.0) |> not)
    Assert.True((vec [ 1.0 ]).AllClose(vec [ 2.0 ], rtol = 0.5, atol = 0.0))
    Assert.False((vec [ 2.0 ]).AllClose(vec [ 1.0 ], rtol = 0.5, atol = 0.0))

[<Fact>]
let ``AllClose treats equal infinities as close and NaN as close only when asked`` () =
    Assert.True((vec [ infinity; -infinity ]).AllClose(vec [ infinity; -infinity ]))
    Assert.False((vec [ infinity ]).AllClose(vec [ -infinity ]))
    Assert.False((vec [ infinity ]).AllClose(vec [ 1e308 ]))
    Assert.False((vec [ nan ]).AllClose(vec [ nan ]))
    Assert.True((vec [ nan; 1.0 ]).AllClose(vec [ nan; 1.0 ], equalNan = true))
    Assert.False((vec [ nan ]).AllClose(vec [ 1.0 ], equalNan = true))

[<Fact>]
let ``AllClose compares across dtypes but throws on a shape mismatch, naming both shapes`` () =
    Assert.True(Tensor.FromArray([| 0.1f; 0.2f |], 2).AllClose(vec [ 0.1; 0.2 ]))
    Assert.True((Tensor.Arange 3).AllClose(vec [ 0.0; 1.0; 2.0 ]))
    let e = Assert.Throws<ArgumentException>(fun () -> Tensor.Zeros(2, 3).AllClose(Tensor.Zeros(3, 2)) |> ignore)
    Assert.Contains("[2, 3]", e.Message)
    Assert.Contains("[3, 2]", e.Message)
    Assert.Throws<ArgumentException>(fun () -> Tensor.Zeros(3).AllClose(Tensor.Zeros(1, 3)) |> ignore) |> ignore

[<Fact>]
let ``ArrayEqual needs the same dtype, the same shape and equal elements`` () =
    let a = vec [ 1.0; 2.0; 3.0 ]
    Assert.True(a.ArrayEqual(vec [ 1.0; 2.0; 3.0 ]))
    Assert.False(a.ArrayEqual(vec [ 1.0; 2.0; 3.0000001 ]))
    Assert.False(a.ArrayEqual(Tensor.FromArray([| 1.0f; 2.0f; 3.0f |], 3)))
    Assert.False(a.ArrayEqual(Tensor.FromArray([| 1.0; 2.0; 3.0 |], 1, 3)))
    Assert.False((vec [ nan ]).ArrayEqual(vec [ nan ]))
    Assert.True((vec [ -0.0 ]).ArrayEqual(vec [ 0.0 ]))

[<Fact>]
let ``ToArray2D copies a matrix row by row`` () =
    let m = Tensor.FromArray([| 1; 2; 3; 4; 5; 6 |], 2, 3).ToArray2D<float>()
    Assert.Equal(2, Array2D.length1 m)
    Assert.Equal(3, Array2D.length2 m)
    Assert.Equal(6.0, m.[1, 2])
    Assert.Equal(2.0, m.[0, 1])
    Assert.Throws<InvalidOperationException>(fun () -> Tensor.Zeros(4).ToArray2D<float>() |> ignore) |> ignore
