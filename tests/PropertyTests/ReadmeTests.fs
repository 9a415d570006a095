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
    Assert.Contains("dotnet run --project examples/Mnist -c Release", text)
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

[<Fact>]
let ``the README's MNIST command trains the MLP to at least 97% test accuracy`` () =
    // Exactly the README command (it fetches the data on first run): 5 epochs of SGD with momentum.
    let code, output = run "dotnet" [ "run"; "--project"; "examples/Mnist"; "-c"; "Release" ]
    Assert.True((code = 0), output)
    let epochs = Regex.Matches(output, @"epoch (\d+): mean loss (\S+), test accuracy (\S+)%")
    Assert.True(epochs.Count = 5, output)
    let last = epochs.[epochs.Count - 1]
    let accuracy = float last.Groups.[3].Value
    Assert.True(accuracy >= 97.0, sprintf "final test accuracy %.2f%% is below 97%%\n%s" accuracy output)
    // Training reduces the loss epoch over epoch from the first to the last.
    Assert.True(float last.Groups.[2].Value < float epochs.[0].Groups.[2].Value, output)
