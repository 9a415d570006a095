/// Data: the IDX reader against files written here by an independent big-endian writer (raw and gzip, every element
/// type, corrupt and truncated files), the MNIST-format loaders on fake cache folders (never the network), the data
/// loader's batches, shuffling and last batch, and normalisation.
module DataTests

open System
open System.Buffers.Binary
open System.IO
open System.IO.Compression
open Xunit
open FsCheck
open FsCheck.FSharp
open Autodiff
open Autodiff.Data
open Autodiff.FSharp
open Numeric

/// A folder of its own under the temporary directory, deleted afterwards.
type TempDir() =
    let path = Directory.CreateTempSubdirectory("grad-test-").FullName
    member _.Path = path
    member _.File(name: string) = Path.Combine(path, name)
    interface IDisposable with
        member _.Dispose() = try Directory.Delete(path, true) with _ -> ()

let private checkProperty (tests: int) (gen: Gen<'a>) (property: 'a -> unit) =
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(tests).WithQuietOnSuccess(true), Prop.forAll (Arb.fromGen gen) property)

// ---- An independent IDX writer: the format as its description gives it ----

/// Type code, element size, and how one element (given as a double) is written big-endian.
let private idxTypes : (IdxType * byte * int * (double -> byte[])) list =
    let be (size: int) (write: byte[] -> unit) = let b = Array.zeroCreate size in write b; b
    [ IdxType.UInt8, 0x08uy, 1, (fun v -> [| byte v |])
      IdxType.Int8, 0x09uy, 1, (fun v -> [| byte (sbyte v) |])
      IdxType.Int16, 0x0Buy, 2, (fun v -> be 2 (fun b -> BinaryPrimitives.WriteInt16BigEndian(Span b, int16 v)))
      IdxType.Int32, 0x0Cuy, 4, (fun v -> be 4 (fun b -> BinaryPrimitives.WriteInt32BigEndian(Span b, int v)))
      IdxType.Float32, 0x0Duy, 4, (fun v -> be 4 (fun b -> BinaryPrimitives.WriteSingleBigEndian(Span b, float32 v)))
      IdxType.Float64, 0x0Euy, 8, (fun v -> be 8 (fun b -> BinaryPrimitives.WriteDoubleBigEndian(Span b, v))) ]

let private idxBytes (code: byte) (shape: int[]) (elements: byte[] seq) =
    [| yield! [| 0uy; 0uy; code; byte shape.Length |]
       for d in shape do
           let b = Array.zeroCreate 4
           BinaryPrimitives.WriteInt32BigEndian(Span b, d)
           yield! b
       for e in elements do yield! e |]

let private gzip (bytes: byte[]) =
    use output = new MemoryStream()
    (use g = new GZipStream(output, CompressionLevel.Fastest)
     g.Write(bytes, 0, bytes.Length))
    output.ToArray()

/// Values valid for each type, exactly representable in it.
let private valuesFor (t: IdxType) (rng: Random) n =
    Array.init n (fun _ ->
        match t with
        | IdxType.UInt8 -> float (rng.Next(0, 256))
        | IdxType.Int8 -> float (rng.Next(-128, 128))
        | IdxType.Int16 -> float (rng.Next(-32768, 32768))
        | IdxType.Int32 -> float (rng.Next(Int32.MinValue, Int32.MaxValue))
        | IdxType.Float32 -> float (float32 (rng.NextDouble() * 2000.0 - 1000.0))
        | _ -> rng.NextDouble() * 2e6 - 1e6)

[<Fact>]
let ``the IDX reader reads every element type, raw and gzipped, with its shape and values`` () =
    use dir = new TempDir()
    let gen = gen {
        let! typeIndex = Gen.choose (0, idxTypes.Length - 1)
        let! rank = Gen.choose (0, 3)
        let! shape = Gen.arrayOfLength rank (Gen.choose (0, 4))
        let! seed = Gen.choose (0, 100000)
        let! compressed = Gen.elements [ false; true ]
        return typeIndex, shape, seed, compressed
    }
    checkProperty 60 gen (fun (typeIndex, shape, seed, compressed) ->
        let t, code, _, write = idxTypes.[typeIndex]
        let values = valuesFor t (Random seed) (Array.fold (*) 1 shape)
        let raw = idxBytes code shape (Seq.map write values)
        let path = dir.File(sprintf "case-%d-%b.idx" seed compressed)
        File.WriteAllBytes(path, (if compressed then gzip raw else raw))
        let tensor = Idx.read path
        let expectedDType = match t with | IdxType.Float32 -> DType.Float32 | IdxType.Float64 -> DType.Float64 | _ -> DType.Int32
        Assert.Equal(expectedDType, tensor.DType)
        Assert.Equal<int[]>(shape, tensor.Shape)
        Assert.Equal<float[]>(values, doubles tensor)
        let header = Idx.readHeader path
        Assert.Equal(t, header.Type)
        Assert.Equal<int[]>(shape, header.Shape))

/// Asserts that reading `bytes` as IDX fails with an InvalidDataException naming the file and containing `phrase`.
let private assertIdxError (dir: TempDir) (name: string) (bytes: byte[]) (phrase: string) =
    let path = dir.File name
    File.WriteAllBytes(path, bytes)
    let e = Assert.Throws<InvalidDataException>(fun () -> Idx.Read path |> ignore)
    Assert.Contains(path, e.Message)
    Assert.Contains(phrase, e.Message)

[<Fact>]
let ``corrupt and truncated IDX files are refused with an error naming the file and the problem`` () =
    use dir = new TempDir()
    let good = idxBytes 0x08uy [| 2; 3 |] (Array.init 6 (fun i -> [| byte i |]))
    assertIdxError dir "empty" [||] "shorter than the 4-byte IDX magic"
    assertIdxError dir "magic" (Array.append [| 1uy |] good.[1..]) "not an IDX file"
    assertIdxError dir "type" (Array.concat [ good.[0..1]; [| 0x07uy |]; good.[3..] ]) "element type code 0x07"
    assertIdxError dir "short-header" good.[0..9] "declares 2 dimensions"
    assertIdxError dir "truncated" good.[.. good.Length - 2] "truncated"
    assertIdxError dir "long" (Array.append good [| 9uy |]) "1 bytes too long"
    assertIdxError dir "truncated.gz" (gzip good).[.. (gzip good).Length - 12] "truncated"
    assertIdxError dir "garbage.gz" [| 0x1fuy; 0x8buy; 1uy; 2uy; 3uy; 4uy |] "does not decompress"
    assertIdxError dir "truncated-gz-payload" (gzip good.[.. good.Length - 3]) "truncated"
    let f64 = idxBytes 0x0Euy [| 2 |] [ Array.zeroCreate 8 ]
    assertIdxError dir "f64-short" f64 "truncated"
    let missing = dir.File "nowhere"
    let e = Assert.Throws<FileNotFoundException>(fun () -> Idx.Read missing |> ignore)
    Assert.Contains(missing, e.Message)

// ---- MNIST-format loaders on fake cache folders ----

/// Writes one fake split: `n` images whose pixel p of image i is (7i + p) mod 256, and labels i mod 10.
let private writeSplit (folder: string) (prefix: string) (n: int) (compress: bool) =
    let images = idxBytes 0x08uy [| n; 28; 28 |] (Seq.init (n * 784) (fun k -> [| byte ((7 * (k / 784) + k % 784) % 256) |]))
    let labels = idxBytes 0x08uy [| n |] (Seq.init n (fun i -> [| byte (i % 10) |]))
    let put name (bytes: byte[]) =
        if compress then File.WriteAllBytes(Path.Combine(folder, name + ".gz"), gzip bytes)
        else File.WriteAllBytes(Path.Combine(folder, name), bytes)
    put $"{prefix}-images-idx3-ubyte" images
    put $"{prefix}-labels-idx1-ubyte" labels

let private expectedPixels n = Array.init (n * 784) (fun k -> float (float32 ((7 * (k / 784) + k % 784) % 256) / 255.0f))

let private offline (folder: string) = DatasetOptions(Directory = folder, Download = false)

[<Fact>]
let ``the MNIST loader reads a cache folder of raw and gzipped files as images in 0..1 and int32 labels`` () =
    use dir = new TempDir()
    writeSplit dir.Path "train" 5 false
    writeSplit dir.Path "t10k" 3 true
    let data = Mnist.loadWith (offline dir.Path)
    Assert.Equal<int[]>([| 5; 784 |], data.Train.Images.Shape)
    Assert.Equal(DType.Float32, data.Train.Images.DType)
    Assert.Equal<float[]>(expectedPixels 5, doubles data.Train.Images)
    Assert.Equal<int[]>([| 0; 1; 2; 3; 4 |], data.Train.Labels.ToArray<int>())
    Assert.Equal(DType.Int32, data.Train.Labels.DType)
    Assert.Equal(3, data.Test.Count)
    Assert.Equal<float[]>(expectedPixels 3, doubles data.Test.Images)
    let nchw = Mnist.Load(DatasetOptions(Directory = dir.Path, Download = false, Layout = ImageLayout.ChannelsFirst))
    Assert.Equal<int[]>([| 5; 1; 28; 28 |], nchw.Train.Images.Shape)
    Assert.Equal<float[]>(expectedPixels 5, doubles nchw.Train.Images)
    let fashion = FashionMnist.loadWith (offline dir.Path)
    Assert.Equal<float[]>(expectedPixels 5, doubles fashion.Train.Images)

[<Fact>]
let ``the loaders find their folder under GRAD_DATA_DIR when no folder is given`` () =
    use dir = new TempDir()
    for sub in [ "mnist"; "fashion-mnist" ] do
        let folder = Directory.CreateDirectory(Path.Combine(dir.Path, sub)).FullName
        writeSplit folder "train" (if sub = "mnist" then 2 else 4) false
        writeSplit folder "t10k" 1 false
    let before = Environment.GetEnvironmentVariable Datasets.DirectoryVariable
    try
        Environment.SetEnvironmentVariable(Datasets.DirectoryVariable, dir.Path)
        Assert.Equal(dir.Path, Datasets.DefaultRoot())
        Assert.Equal(Path.Combine(dir.Path, "mnist"), Mnist.DefaultDirectory())
        Assert.Equal(2, (Mnist.Load(DatasetOptions(Download = false))).Train.Count)
        Assert.Equal(4, (FashionMnist.Load(DatasetOptions(Download = false))).Train.Count)
        Environment.SetEnvironmentVariable(Datasets.DirectoryVariable, null)
        Assert.EndsWith(Path.Combine("grad", "datasets"), Datasets.DefaultRoot())
    finally
        Environment.SetEnvironmentVariable(Datasets.DirectoryVariable, before)

[<Fact>]
let ``missing files with downloads disabled give an error listing each missing file's full path`` () =
    use dir = new TempDir()
    writeSplit dir.Path "train" 2 false
    let e = Assert.Throws<FileNotFoundException>(fun () -> Mnist.Load(offline dir.Path) |> ignore)
    Assert.Contains("downloads are disabled", e.Message)
    Assert.Contains(Path.Combine(dir.Path, "t10k-images-idx3-ubyte"), e.Message)
    Assert.Contains(Path.Combine(dir.Path, "t10k-labels-idx1-ubyte"), e.Message)
    Assert.DoesNotContain(Path.Combine(dir.Path, "train-images-idx3-ubyte"), e.Message)
    Assert.Contains(Datasets.DirectoryVariable + " to a folder whose subfolder mnist", e.Message)
    Assert.Equal(Path.Combine(dir.Path, "t10k-images-idx3-ubyte"), e.FileName)
    Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"))

[<Fact>]
let ``a cache folder whose files disagree or break the format is refused naming the file`` () =
    use dir = new TempDir()
    writeSplit dir.Path "train" 3 false
    writeSplit dir.Path "t10k" 2 false
    // Labels for 4 images beside 3 images.
    let labels = dir.File "train-labels-idx1-ubyte"
    File.WriteAllBytes(labels, idxBytes 0x08uy [| 4 |] (Seq.init 4 (fun i -> [| byte i |])))
    let e = Assert.Throws<InvalidDataException>(fun () -> Mnist.Load(offline dir.Path) |> ignore)
    Assert.Contains("holds 3 images", e.Message)
    Assert.Contains(labels, e.Message)
    // A label out of 0..9.
    File.WriteAllBytes(labels, idxBytes 0x08uy [| 3 |] [ [| 1uy |]; [| 10uy |]; [| 2uy |] ])
    let e = Assert.Throws<InvalidDataException>(fun () -> Mnist.Load(offline dir.Path) |> ignore)
    Assert.Contains("label 1 is 10", e.Message)
    // Images that are not 28 x 28.
    writeSplit dir.Path "train" 3 false
    let images = dir.File "train-images-idx3-ubyte"
    File.WriteAllBytes(images, idxBytes 0x08uy [| 1; 27; 28 |] (Seq.init (27 * 28) (fun _ -> [| 0uy |])))
    let e = Assert.Throws<InvalidDataException>(fun () -> Mnist.Load(offline dir.Path) |> ignore)
    Assert.Contains("[n, 28, 28]", e.Message)
    Assert.Contains(images, e.Message)

[<Fact>]
let ``downloaded bytes must be the real data set's file: counts, shapes and type are checked before they are kept`` () =
    let format = MnistFormat("MNIST", "mnist", [||], null)
    let small = idxBytes 0x08uy [| 3; 28; 28 |] (Seq.init (3 * 784) (fun _ -> [| 0uy |]))
    let e = Assert.Throws<InvalidDataException>(fun () -> format.CheckDownload("t10k-images-idx3-ubyte", small, "https://example.invalid/x.gz"))
    Assert.Contains("holds 3 images, but MNIST's file has 10000", e.Message)
    Assert.Contains("https://example.invalid/x.gz", e.Message)
    let html = Text.Encoding.UTF8.GetBytes "<html>not found</html>"
    Assert.Throws<InvalidDataException>(fun () -> format.CheckDownload("t10k-labels-idx1-ubyte", html, "u")) |> ignore
    let labels = idxBytes 0x08uy [| 10000 |] (Seq.init 10000 (fun i -> [| byte (i % 10) |]))
    format.CheckDownload("t10k-labels-idx1-ubyte", gzip labels, "u")
    let e = Assert.Throws<InvalidDataException>(fun () -> format.CheckDownload("train-labels-idx1-ubyte", labels, "u"))
    Assert.Contains("60000", e.Message)

// ---- Downloads, from mirrors served on the loopback interface by the test (no network) ----

/// Serves `files` (URL path → bytes) on 127.0.0.1 until disposed; anything else is a 404.
type private LocalMirror(files: Map<string, byte[]>) =
    let port =
        let probe = new Net.Sockets.TcpListener(Net.IPAddress.Loopback, 0)
        probe.Start()
        let p = (probe.LocalEndpoint :?> Net.IPEndPoint).Port
        probe.Stop()
        p
    let listener = new Net.HttpListener()
    do
        listener.Prefixes.Add $"http://127.0.0.1:{port}/"
        listener.Start()
    let serving =
        Threading.Tasks.Task.Run(fun () ->
            try
                while listener.IsListening do
                    let context = listener.GetContext()
                    match files.TryFind (nonNull context.Request.Url).AbsolutePath with
                    | Some bytes ->
                        context.Response.ContentLength64 <- int64 bytes.Length
                        context.Response.OutputStream.Write(bytes, 0, bytes.Length)
                    | None -> context.Response.StatusCode <- 404
                    context.Response.Close()
            with _ -> ())
    member _.Url(path: string) = $"http://127.0.0.1:{port}{path}"
    interface IDisposable with
        member _.Dispose() =
            listener.Stop()
            listener.Close()
            serving.Wait(5000) |> ignore

/// The four files of a split pair as gzip, `train` images/labels for n1 examples and `t10k` for n2, under `folder`.
let private mirrorFiles (folder: string) (n1: int) (n2: int) =
    let images n = idxBytes 0x08uy [| n; 28; 28 |] (Seq.init (n * 784) (fun k -> [| byte ((7 * (k / 784) + k % 784) % 256) |]))
    let labels n = idxBytes 0x08uy [| n |] (Seq.init n (fun i -> [| byte (i % 10) |]))
    [ $"{folder}train-images-idx3-ubyte.gz", gzip (images n1)
      $"{folder}train-labels-idx1-ubyte.gz", gzip (labels n1)
      $"{folder}t10k-images-idx3-ubyte.gz", gzip (images n2)
      $"{folder}t10k-labels-idx1-ubyte.gz", gzip (labels n2) ]

let private quiet folder = DatasetOptions(Directory = folder, Log = TextWriter.Null, ConnectTimeout = TimeSpan.FromSeconds 2.0)

[<Fact>]
let ``missing files come from the first mirror whose files pass the checks, and are kept whole`` () =
    use dir = new TempDir()
    // A mirror that answers 404, one whose files have the wrong counts, then a good one; the test split is in place.
    use mirror = new LocalMirror(Map (mirrorFiles "/wrong/" 2 4 @ mirrorFiles "/good/" 5 3))
    writeSplit dir.Path "t10k" 3 false
    let format = MnistFormat("MNIST", "mnist", [| mirror.Url "/none/"; mirror.Url "/wrong/"; mirror.Url "/good/" |], null, 5, 3)
    let data = format.Load(quiet dir.Path)
    Assert.Equal(5, data.Train.Count)
    Assert.Equal<float[]>(expectedPixels 5, doubles data.Train.Images)
    Assert.Equal<string[]>([| "t10k-images-idx3-ubyte"; "t10k-labels-idx1-ubyte"; "train-images-idx3-ubyte.gz"; "train-labels-idx1-ubyte.gz" |],
                           Directory.GetFiles dir.Path |> Array.map (Path.GetFileName >> nonNull) |> Array.sort)

[<Fact>]
let ``when every source fails the error says where to put which files and what each attempt gave`` () =
    use dir = new TempDir()
    use mirror = new LocalMirror(Map (mirrorFiles "/wrong/" 2 4))
    // Port 9 (discard) has no listener here: the connection is refused at once.
    let closed, none, wrong = "http://127.0.0.1:9/", mirror.Url "/none/", mirror.Url "/wrong/"
    let format = MnistFormat("MNIST", "mnist", [| closed; none; wrong |], null, 5, 3)
    let clock = Diagnostics.Stopwatch.StartNew()
    let e = Assert.Throws<FileNotFoundException>(fun () -> format.Load(quiet dir.Path) |> ignore)
    Assert.True(clock.Elapsed < TimeSpan.FromSeconds 10.0, sprintf "took %O" clock.Elapsed)
    for file in MnistFormat.FileNames do Assert.Contains(Path.Combine(dir.Path, file), e.Message)
    Assert.Contains("Tried:", e.Message)
    Assert.Contains($"GET {closed}train-images-idx3-ubyte.gz: ", e.Message)
    Assert.Contains($"GET {none}train-images-idx3-ubyte.gz: HTTP 404", e.Message)
    Assert.Contains($"GET {wrong}train-images-idx3-ubyte.gz: Idx: {wrong}train-images-idx3-ubyte.gz is not a valid IDX file: it holds 2 images, but MNIST's file has 5", e.Message)
    Assert.Empty(Directory.GetFiles dir.Path)

// ---- The data loader ----

let private rows n = Tensor.Arange(n).Cast(DType.Float64).Reshape(n, 1) * Tensor.FromArray([| 1.0; 1000.0 |], 2)

[<Fact>]
let ``a shuffled loader visits every example once per epoch, keeps x and y aligned, and follows Permutation of the folded key`` () =
    let gen = gen {
        let! n = Gen.choose (0, 23)
        let! batch = Gen.choose (1, 9)
        let! dropLast = Gen.elements [ false; true ]
        let! seed = Gen.choose (0, 1000)
        let! epoch = Gen.choose (0, 5)
        return n, batch, dropLast, seed, epoch
    }
    checkProperty 60 gen (fun (n, batch, dropLast, seed, epoch) ->
        let x = rows n
        let y = Tensor.Arange n
        let key = Key.Create(int64 seed)
        let loader = DataLoader.createWith (Some key) dropLast batch (x, y)
        let batches = loader |> DataLoader.epoch epoch |> Seq.toArray
        let full = n / batch
        let expectedCount = if dropLast || n % batch = 0 then full else full + 1
        Assert.Equal(expectedCount, batches.Length)
        Assert.Equal(expectedCount, loader.BatchCount)
        for i, (bx, by) in Array.indexed batches do
            let size = if i < full then batch else n % batch
            Assert.Equal<int[]>([| size; 2 |], bx.Shape)
            Assert.Equal<int[]>([| size |], by.Shape)
            // Row r of x is [r, 1000 r]: x and y come from the same examples.
            Assert.Equal<float[]>(by.ToArray<int>() |> Array.collect (fun r -> [| float r; 1000.0 * float r |]), doubles bx)
        let visited = batches |> Array.collect (fun (_, by) -> by.ToArray<int>())
        let order = Tensor.Permutation(key.FoldIn epoch, n).ToArray<int>()
        Assert.Equal<int[]>(order.[.. visited.Length - 1], visited)
        if not dropLast then Assert.Equal<int[]>(Array.init n id, Array.sort visited)
        // The same key and epoch give the same batches.
        let again = loader.Epoch epoch |> Seq.collect (fun (_, by) -> by.ToArray<int>()) |> Seq.toArray
        Assert.Equal<int[]>(visited, again))

[<Fact>]
let ``an unshuffled loader goes in order, and epochs of a shuffled one differ`` () =
    let loader = DataLoader.create 4 (rows 10)
    let batches = loader |> DataLoader.epoch 3 |> Seq.toArray
    Assert.Equal<float[]>(doubles (rows 10), batches |> Array.collect doubles)
    Assert.Equal<int[]>([| 2; 2 |], batches.[2].Shape)
    let shuffled = DataLoader.shuffled (Key.create 5) 10 (Tensor.Arange 10)
    let first = (Seq.exactlyOne (shuffled.Epoch 0)).ToArray<int>()
    let second = (Seq.exactlyOne (shuffled.Epoch 1)).ToArray<int>()
    Assert.NotEqual<int[]>(first, second)
    Assert.Equal<int[]>(Array.sort first, Array.sort second)

type private Example = { Image: Tensor; Label: Tensor; Mask: Tensor; Split: string }

[<Fact>]
let ``a loader over a record tree batches every leaf of any dtype and keeps the static fields`` () =
    let data = { Image = Tensor.Arange(0.0, 24.0).Reshape(6, 2, 2); Label = Tensor.Arange 6; Mask = Tensor.Arange(6).Gt(2.0); Split = "train" }
    let batches = DataLoader.create 4 data |> DataLoader.epoch 0 |> Seq.toArray
    Assert.Equal(2, batches.Length)
    Assert.Equal<int[]>([| 4; 2; 2 |], batches.[0].Image.Shape)
    Assert.Equal<float[]>([| 16.0 .. 23.0 |], doubles batches.[1].Image)
    Assert.Equal<bool[]>([| true; true |], batches.[1].Mask.ToArray<bool>())
    Assert.Equal(DType.Float32, batches.[1].Image.DType)
    Assert.Equal("train", batches.[1].Split)

[<Fact>]
let ``the loader refuses leaves that disagree on the number of examples, scalars, and empty batches`` () =
    let e = Assert.Throws<ArgumentException>(fun () -> DataLoader.create 2 (Tensor.Zeros(5, 3), Tensor.Zeros 4) |> ignore)
    Assert.Contains("leaf \"Item2\"", e.Message)
    Assert.Contains("[4]", e.Message)
    Assert.Contains("[5, 3]", e.Message)
    Assert.Throws<ArgumentException>(fun () -> DataLoader.create 2 (Tensor.Scalar 1.0) |> ignore) |> ignore
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> DataLoader.create 0 (Tensor.Zeros 4) |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> DataLoader.create 1 ([||] : Tensor[]) |> ignore) |> ignore

// ---- Normalisation ----

[<Fact>]
let ``a normaliser fitted per channel gives each channel mean 0 and std 1, and inverts back`` () =
    let gen = gen {
        let! n = Gen.choose (2, 5)
        let! c = Gen.choose (1, 4)
        let! seed = Gen.choose (0, 1000)
        return n, c, seed
    }
    checkProperty 20 gen (fun (n, c, seed) ->
        let x = randomTensor seed -3.0 7.0 [| n; c; 3; 2 |]
        let normalizer = Normalizer.fitChannels 1 x
        let y = Normalizer.apply normalizer x
        let values = y.ToArray<float>()
        for ch in 0 .. c - 1 do
            let channel = [| for i in 0 .. n - 1 do for k in 0 .. 5 -> values.[(i * c + ch) * 6 + k] |]
            let mean = Array.average channel
            let std = sqrt (Array.averageBy (fun v -> (v - mean) ** 2.0) channel)
            Assert.True(abs mean < 1e-12, sprintf "channel %d mean %g" ch mean)
            Assert.True(abs (std - 1.0) < 1e-12, sprintf "channel %d std %g" ch std)
        assertAllClose 1e-12 1e-12 "invert" (doubles x) (doubles (Normalizer.invert normalizer y)))

[<Fact>]
let ``MNIST's normaliser is (x - 0.1307) / 0.3081 in the input's dtype, and channel counts must match`` () =
    let x = Tensor.FromArray([| 0.0f; 0.5f; 1.0f |], 3)
    let y = Mnist.normalize x
    Assert.Equal(DType.Float32, y.DType)
    Assert.Equal<float32[]>([| 0.0f; 0.5f; 1.0f |] |> Array.map (fun v -> (v - 0.1307f) / 0.3081f), y.ToArray<float32>())
    let perChannel = Normalizer([| 1.0; 2.0 |], [| 1.0; 4.0 |])
    let e = Assert.Throws<ArgumentException>(fun () -> perChannel.Apply(Tensor.Zeros(2, 3, 4)) |> ignore)
    Assert.Contains("3 channels", e.Message)
    Assert.Throws<ArgumentException>(fun () -> Normalizer([| 0.0 |], [| 0.0 |]) |> ignore) |> ignore
    let z = perChannel.Apply(Tensor.Ones(1, 2, 1))
    Assert.Equal<float32[]>([| 0.0f; -0.25f |], z.ToArray<float32>())
