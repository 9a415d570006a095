/// Checkpoints: leaf paths, safetensors round trips of every kind of tree in every dtype (bit for bit), the byte
/// layout checked against the format's description by a parser written here, files from a minimal writer written
/// here, every kind of corrupt file, template mismatches, and crash safety of the atomic write.
module CheckpointTests

open System
open System.Buffers.Binary
open System.Collections.Generic
open System.IO
open System.Text
open System.Text.Json
open System.Threading.Tasks
open Xunit
open FsCheck
open FsCheck.FSharp
open Autodiff
open Autodiff.Checkpoints
open Autodiff.Data
open Autodiff.FSharp
open DataTests

type Dense = { W: Tensor; B: Tensor }

type Model =
    { Layers: Dense list
      Table: Map<string, Tensor>
      Pair: Tensor * Tensor
      Masks: Tensor[]
      Head: Dense option
      Name: string
      Step: int }

/// Its Boom member is stored (a constructor parameter of that name) but reading it fails.
type Exploding(w: Tensor, boom: Tensor) =
    member _.W = w
    member _.Boom: Tensor = if isNull (box boom) then w else failwith "leaf access failed"

// ---- Comparing tensors bit for bit ----

let private bits (t: Tensor) : int64[] =
    match t.DType with
    | DType.Float32 -> t.ToArray<float32>() |> Array.map (fun v -> int64 (BitConverter.SingleToInt32Bits v))
    | DType.Float64 -> t.ToArray<float>() |> Array.map BitConverter.DoubleToInt64Bits
    | DType.Int32 -> t.ToArray<int>() |> Array.map int64
    | _ -> t.ToArray<bool>() |> Array.map (fun b -> if b then 1L else 0L)

let private assertSameTensor (what: string) (expected: Tensor) (actual: Tensor) =
    Assert.True(expected.DType = actual.DType, sprintf "%s: dtype %A, expected %A" what actual.DType expected.DType)
    Assert.True(expected.Shape = actual.Shape, sprintf "%s: shape %s, expected %s" what actual.ShapeText expected.ShapeText)
    Assert.True(bits expected = bits actual, sprintf "%s: values differ" what)

let private assertSameTree (expected: 'T) (actual: 'T) =
    Assert.True(Tree.sameStructure expected actual, "structures differ")
    let e, a = Tree.flattenWithPaths expected, Tree.flattenWithPaths actual
    Assert.Equal<string[]>(Array.map fst e, Array.map fst a)
    Array.iter2 (fun (path, x) (_, y) -> assertSameTensor path x y) e a

// ---- Random trees in every dtype, with the awkward float values ----

let private dtypes = [| DType.Float32; DType.Float64; DType.Int32; DType.Bool |]

let private randomLeaf (rng: Random) (dtype: DType) (shape: int[]) =
    let n = Array.fold (*) 1 shape
    let special = [| nan; infinity; -infinity; -0.0; Double.Epsilon; Double.MaxValue; 1e-40 |]
    let real () = if rng.Next 4 = 0 then special.[rng.Next special.Length] else rng.NextDouble() * 200.0 - 100.0
    match dtype with
    | DType.Float32 -> Tensor.FromArray(Array.init n (fun _ -> float32 (real ())), shape)
    | DType.Float64 -> Tensor.FromArray(Array.init n (fun _ -> real ()), shape)
    | DType.Int32 -> Tensor.FromArray(Array.init n (fun _ -> rng.Next(Int32.MinValue, Int32.MaxValue)), shape)
    | _ -> Tensor.FromArray(Array.init n (fun _ -> rng.Next 2 = 1), shape)

let private randomShape (rng: Random) = Array.init (rng.Next 4) (fun _ -> rng.Next 4)

let private randomModel (seed: int) =
    let rng = Random seed
    let leaf () = randomLeaf rng dtypes.[rng.Next dtypes.Length] (randomShape rng)
    let dense () = { W = leaf (); B = leaf () }
    { Layers = List.init (rng.Next 4) (fun _ -> dense ())
      Table = [ "a"; "b.c"; "z"; "Item1" ] |> List.filter (fun _ -> rng.Next 2 = 0) |> List.map (fun k -> k, leaf ()) |> Map.ofList
      Pair = leaf (), leaf ()
      Masks = Array.init (rng.Next 3) (fun _ -> leaf ())
      Head = if rng.Next 2 = 0 then Some(dense ()) else None
      Name = "m"
      Step = seed }

let private checkProperty (tests: int) (gen: Gen<'a>) (property: 'a -> unit) =
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(tests).WithQuietOnSuccess(true), Prop.forAll (Arb.fromGen gen) property)

// ---- Paths ----

[<Fact>]
let ``leaf paths join member names, positions, ItemN and dictionary keys with dots`` () =
    let t () = Tensor.Zeros 1
    let model =
        { Layers = [ { W = t (); B = t () }; { W = t (); B = t () } ]
          Table = Map [ "weight", t (); "bias", t () ]
          Pair = t (), t ()
          Masks = [| t () |]
          Head = Some { W = t (); B = t () }
          Name = "n"
          Step = 0 }
    let paths = Tree.flattenWithPaths model |> Array.map fst
    let expected =
        [| "Layers.0.W"; "Layers.0.B"; "Layers.1.W"; "Layers.1.B"; "Table.bias"; "Table.weight"
           "Pair.Item1"; "Pair.Item2"; "Masks.0"; "Head.W"; "Head.B" |]
    Assert.Equal<string[]>(expected, paths)
    // The leaves are those of Flatten, in its order.
    Assert.True(Array.forall2 (fun (_, a) b -> obj.ReferenceEquals(a, b)) (Tree.flattenWithPaths model) (Tree.leaves model))
    let numbered = Dictionary<int, Tensor>(dict [ 10, t (); 2, t () ])
    Assert.Equal<string[]>([| "2"; "10" |], Tree.flattenWithPaths numbered |> Array.map fst)
    Assert.Equal<string[]>([| "" |], Tree.flattenWithPaths (t ()) |> Array.map fst)
    Assert.Equal<string[]>([| "Item1"; "Item2.0" |], Tree.flattenWithPaths (struct (t (), [ t () ])) |> Array.map fst)
    let clash = Map [ "a.b", box (t ()); "a", box (Map [ "b", t () ]) ]
    let e = Assert.Throws<ArgumentException>(fun () -> Tree.flattenWithPaths clash |> ignore)
    Assert.Contains("\"a.b\"", e.Message)

// ---- Round trips ----

[<Fact>]
let ``random trees of every dtype load back bit for bit into a zero template, under their paths`` () =
    use dir = new TempDir()
    checkProperty 40 (Gen.choose (0, 1_000_000)) (fun seed ->
        let model = randomModel seed
        let path = dir.File $"{seed}.safetensors"
        Checkpoint.save path model
        let loaded = Checkpoint.load (Tree.zerosLike model) path
        assertSameTree model loaded
        Assert.Equal(model.Step, loaded.Step)
        let file = SafeTensors.load path
        Assert.Equal<string[]>(Tree.flattenWithPaths model |> Array.map fst |> Array.sort, file.Tensors.Keys |> Seq.toArray |> Array.sort))

[<Fact>]
let ``C# records, tuples, dictionaries, arrays and a lone tensor round-trip`` () =
    use dir = new TempDir()
    let rng = Random 7
    let leaf dtype shape = randomLeaf rng dtype shape
    let roundTrip (name: string) (tree: 'T) =
        let path = dir.File name
        Checkpoint.save path tree
        assertSameTree tree (Checkpoint.load (Tree.zerosLike tree) path)
    roundTrip "record" (MnistSplit(leaf DType.Float32 [| 3; 4 |], leaf DType.Int32 [| 3 |]))
    roundTrip "dataset" (MnistDataset(MnistSplit(leaf DType.Float32 [| 2; 2 |], leaf DType.Int32 [| 2 |]), MnistSplit(leaf DType.Float32 [| 1; 2 |], leaf DType.Int32 [| 1 |])))
    roundTrip "valuetuple" (struct (leaf DType.Float64 [| 2 |], leaf DType.Bool [| 5 |]))
    roundTrip "dictionary" (Dictionary<string, Tensor>(dict [ "w", leaf DType.Float32 [| 2; 3 |]; "mask", leaf DType.Bool [||] ]))
    roundTrip "array" [| for d in dtypes -> leaf d [| 2; 1 |] |]
    roundTrip "list" [ for d in dtypes -> { W = leaf d [| 1 |]; B = leaf d [||] } ]
    roundTrip "lone" (leaf DType.Float64 [| 4 |])
    roundTrip "empty" (leaf DType.Float32 [| 0; 3 |])
    roundTrip "anonymous" {| Model = { W = leaf DType.Float32 [| 2 |]; B = leaf DType.Float32 [||] }; Count = leaf DType.Int32 [||] |}

[<Fact>]
let ``several trees in one file load separately by prefix, or together`` () =
    use dir = new TempDir()
    let rng = Random 3
    let model = { W = randomLeaf rng DType.Float32 [| 3; 2 |]; B = randomLeaf rng DType.Float32 [| 2 |] }
    let moments = Map [ "mu", Tree.zerosLike model; "nu", Tree.map (fun w -> w * w) model ]
    let path = dir.File "both.safetensors"
    Checkpoint.saveWithMetadata (Map [ "epoch", "3" ]) path {| Model = model; Optimizer = moments; Step = Tensor.Scalar(12.0, DType.Int32) |}
    assertSameTree model (Checkpoint.loadPrefix "Model" (Tree.zerosLike model) path)
    assertSameTree moments (Checkpoint.loadPrefix "Optimizer" (Tree.zerosLike moments) path)
    Assert.Equal(12, (Checkpoint.loadPrefix "Step" (Tensor.Scalar(0.0, DType.Int32)) path).Item<int>())
    let file = SafeTensors.load path
    Assert.Equal("3", file.Metadata.["epoch"])
    Assert.True(file.Tensors.ContainsKey "Optimizer.nu.W")

// ---- The byte layout, parsed here from the format's description ----

let private elementSize = function "F64" -> 8 | "F32" | "I32" -> 4 | _ -> 1

let private littleEndian (t: Tensor) : byte[] =
    match t.DType with
    | DType.Float32 -> t.ToArray<float32>() |> Array.collect (fun v -> let b = Array.zeroCreate 4 in BinaryPrimitives.WriteSingleLittleEndian(Span b, v); b)
    | DType.Float64 -> t.ToArray<float>() |> Array.collect (fun v -> let b = Array.zeroCreate 8 in BinaryPrimitives.WriteDoubleLittleEndian(Span b, v); b)
    | DType.Int32 -> t.ToArray<int>() |> Array.collect (fun v -> let b = Array.zeroCreate 4 in BinaryPrimitives.WriteInt32LittleEndian(Span b, v); b)
    | _ -> t.ToArray<bool>() |> Array.map (fun v -> if v then 1uy else 0uy)

[<Fact>]
let ``the file is an 8-byte length, a space-padded JSON header and aligned little-endian data tiling the buffer`` () =
    use dir = new TempDir()
    checkProperty 25 (Gen.choose (0, 1_000_000)) (fun seed ->
        let model = randomModel seed
        let path = dir.File $"{seed}.safetensors"
        Checkpoint.saveWithMetadata (Map [ "format", "grad"; "seed", string seed ]) path model
        let bytes = File.ReadAllBytes path
        let n = BinaryPrimitives.ReadUInt64LittleEndian(ReadOnlySpan(bytes, 0, 8)) |> int
        Assert.Equal(0, (8 + n) % 8)
        let header = Encoding.UTF8.GetString(bytes, 8, n)
        let json = header.TrimEnd ' '
        Assert.True(header.Length - json.Length < 8, "padding is less than 8 spaces")
        Assert.StartsWith("{", json)
        Assert.EndsWith("}", json)
        use document = JsonDocument.Parse json
        let root = document.RootElement
        let metadata = root.GetProperty "__metadata__"
        Assert.Equal("grad", metadata.GetProperty("format").GetString())
        Assert.Equal(string seed, metadata.GetProperty("seed").GetString())
        let dataStart = 8 + n
        let leaves = Tree.flattenWithPaths model |> dict
        let entries =
            [| for p in root.EnumerateObject() do
                   if p.Name <> "__metadata__" then
                       let offsets = p.Value.GetProperty("data_offsets").EnumerateArray() |> Seq.map (fun e -> e.GetInt64()) |> Seq.toArray
                       p.Name, nonNull (p.Value.GetProperty("dtype").GetString()), p.Value.GetProperty("shape").EnumerateArray() |> Seq.map (fun e -> e.GetInt32()) |> Seq.toArray, offsets.[0], offsets.[1] |]
        Assert.Equal(leaves.Count, entries.Length)
        for name, dtype, shape, first, last in entries do
            let leaf = leaves.[name]
            let expectedDType = match leaf.DType with | DType.Float32 -> "F32" | DType.Float64 -> "F64" | DType.Int32 -> "I32" | _ -> "BOOL"
            Assert.Equal(expectedDType, dtype)
            Assert.Equal<int[]>(leaf.Shape, shape)
            Assert.Equal(0L, (int64 dataStart + first) % int64 (elementSize dtype))
            Assert.Equal<byte[]>(littleEndian leaf, bytes.[dataStart + int first .. dataStart + int last - 1])
        // The data, in offset order, tiles the buffer: largest elements first, then by name.
        let ordered = entries |> Array.sortBy (fun (name, _, _, first, last) -> first, last)
        let mutable covered = 0L
        for _, _, _, first, last in ordered do
            Assert.Equal(covered, first)
            covered <- last
        Assert.Equal(int64 (bytes.Length - dataStart), covered)
        let keys = ordered |> Array.map (fun (name, dtype, _, _, _) -> -elementSize dtype, name)
        Assert.Equal<(int * string)[]>(Array.sortWith (fun (s1, n1) (s2, n2) -> if s1 <> s2 then compare s1 s2 else String.CompareOrdinal(n1, n2)) keys, keys))

// ---- Files from a minimal writer written here ----

/// One entry of a hand-made file: name, dtype, shape and the raw data bytes.
type private Raw = { Name: string; DType: string; Shape: int list; Data: byte[] }

/// Writes a safetensors file the plainest way: entries in the given order, no padding, offsets as given by the data.
let private writeRaw (path: string) (metadata: string option) (entries: Raw list) =
    let mutable offset = 0
    let fields =
        [ for e in entries ->
              let field = sprintf "\"%s\":{\"dtype\":\"%s\",\"shape\":[%s],\"data_offsets\":[%d,%d]}" e.Name e.DType (String.Join(",", e.Shape)) offset (offset + e.Data.Length)
              offset <- offset + e.Data.Length
              field ]
    let fields = match metadata with Some m -> (sprintf "\"__metadata__\":%s" m) :: fields | None -> fields
    let header = Encoding.UTF8.GetBytes("{" + String.Join(",", fields) + "}")
    let length = Array.zeroCreate 8
    BinaryPrimitives.WriteUInt64LittleEndian(Span length, uint64 header.Length)
    File.WriteAllBytes(path, Array.concat [ length; header; yield! entries |> List.map (fun e -> e.Data) ])

let private le16 (v: uint16) = let b = Array.zeroCreate 2 in BinaryPrimitives.WriteUInt16LittleEndian(Span b, v); b
let private le32f (v: float32) = let b = Array.zeroCreate 4 in BinaryPrimitives.WriteSingleLittleEndian(Span b, v); b
let private le64f (v: float) = let b = Array.zeroCreate 8 in BinaryPrimitives.WriteDoubleLittleEndian(Span b, v); b
let private le32 (v: int) = let b = Array.zeroCreate 4 in BinaryPrimitives.WriteInt32LittleEndian(Span b, v); b
let private le64 (v: int64) = let b = Array.zeroCreate 8 in BinaryPrimitives.WriteInt64LittleEndian(Span b, v); b

[<Fact>]
let ``a file from a minimal unpadded, unaligned writer loads, including F16, BF16 and the other integers`` () =
    use dir = new TempDir()
    let path = dir.File "minimal.safetensors"
    // binary16: 1.5 = 0 01111 1000000000, -2 = 1 10000 0000000000, 0.25 = 0 01101 0000000000, 65504 = 0 11110 1111111111.
    let half = [ 0x3E00us; 0xC000us; 0x3400us; 0x7BFFus ]
    // bfloat16 is the top 16 bits of a float32.
    let brain = [ 1.5f; -3.0f ] |> List.map (fun v -> uint16 (BitConverter.SingleToUInt32Bits v >>> 16))
    writeRaw path (Some "{\"note\":\"hand-made\"}")
        [ { Name = "mask"; DType = "BOOL"; Shape = [ 3 ]; Data = [| 1uy; 0uy; 1uy |] }
          { Name = "w"; DType = "F64"; Shape = [ 2 ]; Data = Array.append (le64f 0.5) (le64f -7.25) }
          { Name = "h"; DType = "F16"; Shape = [ 2; 2 ]; Data = half |> List.map le16 |> Array.concat }
          { Name = "bf"; DType = "BF16"; Shape = [ 2 ]; Data = brain |> List.map le16 |> Array.concat }
          { Name = "i"; DType = "I64"; Shape = [ 2 ]; Data = Array.append (le64 -5L) (le64 2147483647L) }
          { Name = "u"; DType = "U8"; Shape = [ 2 ]; Data = [| 255uy; 3uy |] }
          { Name = "s"; DType = "I8"; Shape = [ 1 ]; Data = [| 0xFFuy |] }
          { Name = "k"; DType = "I16"; Shape = [ 1 ]; Data = le16 0x8000us }
          { Name = "f"; DType = "F32"; Shape = []; Data = le32f 3.5f }
          { Name = "n"; DType = "I32"; Shape = [ 1; 0 ]; Data = [||] }
          { Name = "m"; DType = "I32"; Shape = [ 1 ]; Data = le32 -9 } ]
    let file = SafeTensors.load path
    Assert.Equal("hand-made", file.Metadata.["note"])
    Assert.Equal<bool[]>([| true; false; true |], file.Tensors.["mask"].ToArray<bool>())
    Assert.Equal<float[]>([| 0.5; -7.25 |], file.Tensors.["w"].ToArray<float>())
    Assert.Equal(DType.Float32, file.Tensors.["h"].DType)
    Assert.Equal<int[]>([| 2; 2 |], file.Tensors.["h"].Shape)
    Assert.Equal<float32[]>([| 1.5f; -2.0f; 0.25f; 65504.0f |], file.Tensors.["h"].ToArray<float32>())
    Assert.Equal<float32[]>([| 1.5f; -3.0f |], file.Tensors.["bf"].ToArray<float32>())
    Assert.Equal<int[]>([| -5; Int32.MaxValue |], file.Tensors.["i"].ToArray<int>())
    Assert.Equal<int[]>([| 255; 3 |], file.Tensors.["u"].ToArray<int>())
    Assert.Equal<int[]>([| -1 |], file.Tensors.["s"].ToArray<int>())
    Assert.Equal<int[]>([| -32768 |], file.Tensors.["k"].ToArray<int>())
    Assert.Equal(3.5f, file.Tensors.["f"].Item<float32>())
    Assert.Equal<int[]>([| 1; 0 |], file.Tensors.["n"].Shape)
    // And into a template: F16 loads into a float32 leaf.
    let template = Map [ "w", Tensor.Zeros(DType.Float64, 2); "h", Tensor.Zeros(2, 2); "m", Tensor.Zeros(DType.Int32, 1) ]
    let loaded = Checkpoint.loadWith (CheckpointLoadOptions(AllowExtraKeys = true)) template path
    Assert.Equal<float32[]>([| 1.5f; -2.0f; 0.25f; 65504.0f |], loaded.["h"].ToArray<float32>())
    Assert.Equal<int[]>([| -9 |], loaded.["m"].ToArray<int>())

// ---- Corrupt files ----

/// A file from a header text and data bytes; the length field is the header's unless `length` overrides it.
let private fileOf (length: uint64 option) (header: string) (data: byte[]) =
    let h = Encoding.UTF8.GetBytes header
    let l = Array.zeroCreate 8
    BinaryPrimitives.WriteUInt64LittleEndian(Span l, defaultArg length (uint64 h.Length))
    Array.concat [ l; h; data ]

let private entry name dtype shape (a: int) (b: int) = sprintf "\"%s\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":[%d,%d]}" name dtype shape a b

[<Fact>]
let ``truncated or corrupt files are refused with an error naming the file and the problem`` () =
    use dir = new TempDir()
    let f32x2 = Array.zeroCreate<byte> 8
    let cases =
        [ "empty", [||], "shorter than the 8-byte header length"
          "short", [| 1uy; 2uy; 3uy |], "shorter than the 8-byte header length"
          "length-beyond", fileOf (Some 1000UL) "{}" [||], "header length is 1000 bytes but only 2 bytes follow"
          "length-huge", fileOf (Some UInt64.MaxValue) "{}" [||], "truncated, or not a safetensors file"
          "not-json", fileOf None "{\"a\": " [||], "not valid JSON"
          "not-object", fileOf None "[1, 2]" [||], "starting with '{'"
          "not-utf8", Array.concat [ fileOf (Some 3UL) "" [||]; [| byte '{'; 0xFFuy; byte '}' |] ], "not valid UTF-8"
          "size-mismatch", fileOf None ("{" + entry "a" "F32" "[3]" 0 8 + "}") f32x2, "needs 3 × 4 = 12 bytes"
          "past-end", fileOf None ("{" + entry "a" "F32" "[2]" 0 8 + "}") f32x2.[0..3], "only 4 bytes: truncated"
          "overlap", fileOf None ("{" + entry "a" "F32" "[2]" 0 8 + "," + entry "b" "F32" "[2]" 4 12 + "}") (Array.zeroCreate 12), "overlaps tensor \"a\""
          "gap", fileOf None ("{" + entry "a" "F32" "[1]" 0 4 + "," + entry "b" "F32" "[1]" 8 12 + "}") (Array.zeroCreate 12), "belong to no tensor (a gap before tensor \"b\")"
          "trailing", fileOf None ("{" + entry "a" "F32" "[1]" 0 4 + "}") f32x2, "4 trailing bytes belong to no tensor"
          "reversed", fileOf None ("{" + entry "a" "F32" "[1]" 8 4 + "}") f32x2, "the end comes before the beginning"
          "dtype", fileOf None ("{" + entry "a" "F8_E4M3" "[1]" 0 1 + "}") [| 0uy |], "dtype \"F8_E4M3\", which Grad does not read"
          "duplicate", fileOf None ("{" + entry "a" "F32" "[1]" 0 4 + "," + entry "a" "F32" "[1]" 4 8 + "}") f32x2, "names \"a\" twice"
          "metadata", fileOf None "{\"__metadata__\":{\"k\":1}}" [||], "metadata \"k\" must be a string"
          "negative-dim", fileOf None ("{" + entry "a" "F32" "[-1]" 0 4 + "}") f32x2.[0..3], "every entry must be a non-negative integer"
          "fractional-dim", fileOf None ("{" + entry "a" "F32" "[1.5]" 0 4 + "}") f32x2.[0..3], "every entry must be a non-negative integer"
          "no-offsets", fileOf None "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}" [||], "needs an array \"data_offsets\""
          "extra-field", fileOf None "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0],\"x\":1}}" [||], "unexpected or repeated field \"x\""
          "three-offsets", fileOf None "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0,0]}}" [||], "expected exactly 2 numbers"
          "bool-byte", fileOf None ("{" + entry "a" "BOOL" "[2]" 0 2 + "}") [| 1uy; 2uy |], "element 1 of this BOOL tensor is the byte 0x02"
          "i64-range", fileOf None ("{" + entry "a" "I64" "[1]" 0 8 + "}") (le64 (1L <<< 40)), "int32 (the dtype it loads as) cannot hold" ]
    for name, bytes, phrase in cases do
        let path = dir.File name
        File.WriteAllBytes(path, bytes)
        let e = Assert.Throws<InvalidDataException>(fun () -> SafeTensors.Load path |> ignore)
        Assert.True(e.Message.Contains path && e.Message.Contains phrase, sprintf "%s: message %s lacks %s" name e.Message phrase)
        // Loading into a template checks the whole file the same way.
        let template =
            match name with
            | "bool-byte" -> Tensor.Zeros(DType.Bool, 2)
            | "i64-range" -> Tensor.Zeros(DType.Int32, 1)
            | _ -> Tensor.Zeros 1
        let e = Assert.Throws<InvalidDataException>(fun () -> Checkpoint.Load(path, Map [ "a", template ]) |> ignore)
        Assert.Contains(path, e.Message)

[<Fact>]
let ``a real checkpoint cut short anywhere is refused`` () =
    use dir = new TempDir()
    let model = randomModel 11
    let path = dir.File "whole.safetensors"
    Checkpoint.save path model
    let bytes = File.ReadAllBytes path
    for cut in [ 4; 8; 9; bytes.Length / 2; bytes.Length - 1 ] do
        let truncated = dir.File $"cut-{cut}"
        File.WriteAllBytes(truncated, bytes.[.. cut - 1])
        let e = Assert.Throws<InvalidDataException>(fun () -> Checkpoint.load (Tree.zerosLike model) truncated |> ignore)
        Assert.Contains(truncated, e.Message)

// ---- The file against the template ----

[<Fact>]
let ``loading into a template that does not match names the first missing key, shape or dtype, and extra keys`` () =
    use dir = new TempDir()
    let path = dir.File "model.safetensors"
    Checkpoint.save path (Map [ "b", Tensor.Zeros 3; "w", Tensor.Zeros(2, 3) ])
    let e = Assert.Throws<ArgumentException>(fun () -> Checkpoint.load (Map [ "a", Tensor.Zeros 1; "b", Tensor.Zeros 3; "c", Tensor.Zeros 1; "w", Tensor.Zeros(2, 3) ]) path |> ignore)
    Assert.Contains("no tensor \"a\" for the template's float32 [1] leaf", e.Message)
    Assert.True(e.Message.IndexOf "\"a\"" < e.Message.IndexOf "\"c\"", "the first missing key comes first")
    Assert.Contains("and 1 more", e.Message)
    Assert.Contains(path, e.Message)
    let e = Assert.Throws<ArgumentException>(fun () -> Checkpoint.load (Map [ "b", Tensor.Zeros 3; "w", Tensor.Zeros(3, 2) ]) path |> ignore)
    Assert.Contains("tensor \"w\" has shape [2, 3] but the template's leaf has [3, 2]", e.Message)
    let e = Assert.Throws<ArgumentException>(fun () -> Checkpoint.load (Map [ "b", Tensor.Zeros(DType.Float64, 3); "w", Tensor.Zeros(2, 3) ]) path |> ignore)
    Assert.Contains("tensor \"b\" is stored as F32 (loads as float32) but the template's leaf is float64 [3]", e.Message)
    let e = Assert.Throws<ArgumentException>(fun () -> Checkpoint.load (Map [ "w", Tensor.Zeros(2, 3) ]) path |> ignore)
    Assert.Contains("1 tensor(s) that the template", e.Message)
    Assert.Contains("\"b\"", e.Message)
    let loaded = Checkpoint.loadWith (CheckpointLoadOptions(AllowExtraKeys = true)) (Map [ "w", Tensor.Ones(2, 3) ]) path
    Assert.Equal<float[]>(Array.zeroCreate 6, loaded.["w"].ToArray<float>())

// ---- Crash safety ----

let private leftovers (dir: TempDir) = Directory.GetFiles(dir.Path) |> Array.filter (fun f -> f.EndsWith ".tmp")

[<Fact>]
let ``a save that fails, before or in the middle of writing, leaves the previous checkpoint intact`` () =
    use dir = new TempDir()
    let path = dir.File "ckpt.safetensors"
    let model = randomModel 5
    Checkpoint.save path model
    let before = File.ReadAllBytes path
    // The tree's leaf access throws: nothing is written.
    let e = Assert.ThrowsAny<Exception>(fun () -> Checkpoint.save path (Exploding(Tensor.Zeros 2, Tensor.Zeros 2)))
    Assert.Contains("leaf access failed", e.Message)
    Assert.Equal<byte[]>(before, File.ReadAllBytes path)
    // A failure after half the bytes are written: the temporary file goes, the old file stays.
    let e = Assert.Throws<IOException>(fun () ->
        AtomicFile.Write(path, Action<Stream>(fun stream ->
            stream.Write(before, 0, before.Length / 2)
            raise (IOException "disk full"))))
    Assert.Equal("disk full", e.Message)
    Assert.Equal<byte[]>(before, File.ReadAllBytes path)
    Assert.Empty(leftovers dir)
    assertSameTree model (Checkpoint.load (Tree.zerosLike model) path)

[<Fact>]
let ``concurrent saves to one path leave one complete checkpoint and no temporary files`` () =
    use dir = new TempDir()
    let path = dir.File "shared.safetensors"
    let models = Array.init 6 (fun i -> { W = Tensor.Full(float i, DType.Float32, 64, 64); B = Tensor.Full(float i, DType.Float32, 64) })
    Parallel.For(0, 24, fun i -> Checkpoint.save path models.[i % models.Length]) |> ignore
    let loaded = Checkpoint.load (Tree.zerosLike models.[0]) path
    let value = loaded.W.ToArray<float32>().[0]
    Assert.True(loaded.W.ToArray<float32>() |> Array.forall ((=) value), "every element from the same save")
    Assert.True(loaded.B.ToArray<float32>() |> Array.forall ((=) value), "both tensors from the same save")
    Assert.Empty(leftovers dir)
