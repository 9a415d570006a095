/// README.md cannot rot: its commands and quickstarts are the files the examples build and these tests run.
[<Xunit.Collection("examples run as child processes")>]
module ReadmeTests

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions
open Xunit

/// The repository root: the nearest ancestor of the test binary holding Grad.sln.
let repoRoot =
    let rec up (dir: DirectoryInfo | null) =
        match dir with
        | null -> failwith "Grad.sln not found above the test binary"
        | d when File.Exists(Path.Combine(d.FullName, "Grad.sln")) -> d.FullName
        | d -> up d.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

let readme () = File.ReadAllText(Path.Combine(repoRoot, "README.md"))

/// The bodies of the fenced code blocks tagged `language`, in order.
let codeBlocks (language: string) (markdown: string) =
    Regex.Matches(markdown, sprintf "```%s\\n(.*?)\\n```" (Regex.Escape language), RegexOptions.Singleline)
    |> Seq.map (fun m -> m.Groups.[1].Value)
    |> Seq.toList

/// Runs a command in the repository root and returns (exit code, stdout + stderr).
let run (file: string) (arguments: string list) =
    let start = ProcessStartInfo(file, arguments, WorkingDirectory = repoRoot, RedirectStandardOutput = true, RedirectStandardError = true)
    start.Environment.["DOTNET_CLI_TELEMETRY_OPTOUT"] <- "1"
    start.Environment.["DOTNET_NOLOGO"] <- "1"
    use p =
        match Process.Start start with
        | null -> failwithf "could not start %s" file
        | p -> p
    let stderr = p.StandardError.ReadToEndAsync()
    let stdout = p.StandardOutput.ReadToEnd()
    p.WaitForExit()
    p.ExitCode, stdout + stderr.Result

let private normalise (text: string) = text.Replace("\r\n", "\n").TrimEnd('\n')

[<Fact>]
let ``README gives the command that trains MNIST and the command that runs the tests`` () =
    let text = readme ()
    Assert.Contains("dotnet run --project examples/MnistMlp -c Release", text)
    Assert.Contains("dotnet test Grad.sln", text)
    // .ci/run must run the same test command that README gives.
    Assert.Contains("TEST_COMMAND=\"dotnet test Grad.sln\"", File.ReadAllText(Path.Combine(repoRoot, ".ci", "run")))

[<Fact>]
let ``README's C# quickstart is exactly examples/Quickstart/Program.cs`` () =
    let file = File.ReadAllText(Path.Combine(repoRoot, "examples", "Quickstart", "Program.cs"))
    Assert.Contains(normalise file, codeBlocks "csharp" (readme ()) |> List.map normalise)

[<Fact>]
let ``README's F# quickstart is exactly examples/quickstart.fsx`` () =
    let file = File.ReadAllText(Path.Combine(repoRoot, "examples", "quickstart.fsx"))
    Assert.Contains(normalise file, codeBlocks "fsharp" (readme ()) |> List.map normalise)

[<Fact>]
let ``the C# quickstart runs, fits the line it was given and prints the second derivative of sin`` () =
    let code, output = run "dotnet" [ "run"; "--project"; "examples/Quickstart" ]
    Assert.True((code = 0), output)
    let fit = Regex.Match(output, @"w = (\S+), (\S+), (\S+), b = (\S+)")
    Assert.True(fit.Success, output)
    let fitted = [ for i in 1 .. 4 -> float fit.Groups.[i].Value ]
    List.iter2 (fun expected actual -> Assert.True(abs (expected - actual) < 2e-3, output)) [ 2.0; -1.0; 0.5; 0.3 ] fitted
    let d2 = Regex.Match(output, @"sin\(x\) at 1 = (\S+), −sin\(1\) = (\S+)")
    Assert.True(d2.Success, output)
    Assert.Equal(float d2.Groups.[2].Value, float d2.Groups.[1].Value, 6)

/// Writes a learnable stand-in for MNIST in its four IDX files: each digit class is a fixed random pattern of bright
/// pixels, and each image keeps a random 80% of its class's pixels and adds 40 random ones. CI never downloads MNIST,
/// but the examples read these files exactly as they read the real ones.
let writeSyntheticMnist (folder: string) (trainCount: int) (testCount: int) =
    Directory.CreateDirectory folder |> ignore
    let patterns = Array.init 10 (fun c -> let r = Random(100 + c) in Array.init 90 (fun _ -> r.Next 784))
    let bigEndian (value: int) = [| byte (value >>> 24); byte (value >>> 16); byte (value >>> 8); byte value |]
    let write (prefix: string) (count: int) (seed: int) =
        let random = Random seed
        let labels = Array.init count (fun _ -> random.Next 10)
        let images = Array.zeroCreate<byte> (count * 784)
        labels |> Array.iteri (fun i label ->
            for pixel in patterns[label] do
                if random.NextDouble() < 0.8 then images[i * 784 + pixel] <- byte (200 + random.Next 56)
            for _ in 1 .. 40 do images[i * 784 + random.Next 784] <- byte (random.Next 256))
        File.WriteAllBytes(Path.Combine(folder, prefix + "-images-idx3-ubyte"),
            Array.concat [ bigEndian 0x803; bigEndian count; bigEndian 28; bigEndian 28; images ])
        File.WriteAllBytes(Path.Combine(folder, prefix + "-labels-idx1-ubyte"),
            Array.concat [ bigEndian 0x801; bigEndian count; Array.map byte labels ])
    write "train" trainCount 1
    write "t10k" testCount 2

/// Runs an example in Release on synthetic MNIST in a fresh folder; returns (exit code, output, folder).
let runExampleOnSyntheticMnist (project: string) (trainCount: int) (extra: string -> string list) =
    let folder = Path.Combine(Path.GetTempPath(), sprintf "grad-%s-%s" project (Guid.NewGuid().ToString "N"))
    writeSyntheticMnist folder trainCount 1000
    let arguments =
        [ "run"; "--project"; "examples/" + project; "-c"; "Release"; "--"
          "--data-dir"; folder; "--checkpoint"; Path.Combine(folder, "model.safetensors") ] @ extra folder
    let code, output = run "dotnet" arguments
    code, output, folder

/// The final test accuracy an example printed, and whether the reloaded checkpoint printed the same.
let finalAccuracy (output: string) =
    let final = Regex.Match(output, @"final test accuracy (\S+)%")
    Assert.True(final.Success, output)
    let reloaded = Regex.Match(output, @"reloaded \S+: test accuracy (\S+)%, the same")
    Assert.True(reloaded.Success, output)
    Assert.Equal(final.Groups.[1].Value, reloaded.Groups.[1].Value)
    float final.Groups.[1].Value

[<Fact>]
let ``MnistMlp trains on MNIST-format files, prints its accuracy and reloads its checkpoint to the same accuracy`` () =
    let code, output, folder = runExampleOnSyntheticMnist "MnistMlp" 6000 (fun _ -> [ "--epochs"; "3" ])
    try
        Assert.True((code = 0), output)
        Assert.Equal(3, Regex.Matches(output, @"epoch \d/3: train loss").Count)
        Assert.True(finalAccuracy output >= 95.0, output)
        Assert.True(File.Exists(Path.Combine(folder, "model.safetensors")), output)
    finally
        Directory.Delete(folder, true)

[<Fact>]
let ``MnistCnn trains on MNIST-format files, reloads its checkpoint and draws the four curves as SVG`` () =
    let code, output, folder =
        runExampleOnSyntheticMnist "MnistCnn" 2000 (fun folder -> [ "--epochs"; "2"; "--chart"; Path.Combine(folder, "curves.svg") ])
    try
        Assert.True((code = 0), output)
        Assert.True(finalAccuracy output >= 95.0, output)
        Assert.Contains("wrote the loss and accuracy curves to " + Path.Combine(folder, "curves.svg"), output)
        let svg = File.ReadAllText(Path.Combine(folder, "curves.svg"))
        Assert.StartsWith("<svg", svg)
        // Train and test loss, train and test accuracy: one polyline each, one point per epoch.
        let lines = Regex.Matches(svg, "<polyline [^>]*points=\"([^\"]*)\"")
        Assert.Equal(4, lines.Count)
        for line in lines do Assert.Equal(2, line.Groups.[1].Value.Split(' ').Length)
    finally
        Directory.Delete(folder, true)
