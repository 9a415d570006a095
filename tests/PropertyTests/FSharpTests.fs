/// The F# skin: every Tensor method has a twin, the curried transforms agree with the C# ones and with calculus,
/// F# records, lists and options are parameter trees, and the quickstart script runs and fits its data.
[<Xunit.Collection("examples run as child processes")>]
module FSharpTests

open System
open System.Diagnostics
open System.IO
open System.Reflection
open System.Text.RegularExpressions
open FsCheck
open FsCheck.FSharp
open Xunit
open Autodiff
open Autodiff.FSharp
open Numeric

// ---- Parity: a public Tensor method without an F# twin fails the build's tests ----

/// Twins whose name cannot be the camelCase of the C# name: F# keywords, and numpy's spelling of matmul.
let private renamed = dict [ "And", "logicalAnd"; "Or", "logicalOr"; "Not", "logicalNot"; "MatMul", "matmul" ]

let private camelCase (name: string) = string (Char.ToLowerInvariant name.[0]) + name.Substring 1

/// The rule: a method is covered by an F# function whose name is the method's name in camelCase (or the renamed twin
/// above), or starts with it and continues with a capital letter, i.e. a new word: `Sum` is covered by `sum`, `sumAxes`
/// or `sumKeepDims`, but `Max` is not covered by `maximum`. Overloads share one name, so one twin covers them all by
/// this test; the module's naming rules (`…With`, `…Scalar`, `…Axes`, `…KeepDims`) give each overload its own.
let private covers (methodName: string) (functionName: string) =
    let twin = match renamed.TryGetValue methodName with | true, n -> n | _ -> camelCase methodName
    functionName = twin || (functionName.StartsWith(twin, StringComparison.Ordinal) && Char.IsUpper functionName.[twin.Length])

/// The public methods of Autodiff.Tensor that need a twin: instance and static, declared on Tensor, without operators
/// (op_*), property getters (special names) and the members every object has (ToString, Equals, GetHashCode, GetType).
let private tensorMethodNames () =
    typeof<Autodiff.Tensor>.GetMethods(BindingFlags.Public ||| BindingFlags.Instance ||| BindingFlags.Static ||| BindingFlags.DeclaredOnly)
    |> Array.filter (fun m -> not m.IsSpecialName)
    |> Array.map (fun m -> m.Name)
    |> Array.filter (fun n -> not (List.contains n [ "ToString"; "Equals"; "GetHashCode"; "GetType" ]))
    |> Array.distinct
    |> Array.sort

/// The public functions of the F# module Autodiff.FSharp.Tensor (compiled as a static class).
let private fsharpFunctionNames () =
    let skin = Assembly.Load "Grad.FSharp"
    let moduleType = skin.GetTypes() |> Array.find (fun t -> t.FullName = "Autodiff.FSharp.Tensor" || t.FullName = "Autodiff.FSharp.TensorModule")
    moduleType.GetMethods(BindingFlags.Public ||| BindingFlags.Static) |> Array.map (fun m -> m.Name) |> Array.distinct

[<Fact>]
let ``every public Tensor method has a camelCase twin in the F# Tensor module`` () =
    let functions = fsharpFunctionNames ()
    let missing = tensorMethodNames () |> Array.filter (fun m -> not (functions |> Array.exists (covers m)))
    if missing.Length > 0 then
        let wanted = missing |> Array.map (fun m -> sprintf "%s (as %s…)" m (match renamed.TryGetValue m with | true, n -> n | _ -> camelCase m))
        failwithf "%d public Tensor method(s) have no twin in src/Grad.FSharp/Tensor.fs: %s" missing.Length (String.Join(", ", wanted))

[<Fact>]
let ``the parity rule accepts new-word suffixes and rejects longer words`` () =
    Assert.True(covers "Sum" "sum")
    Assert.True(covers "Sum" "sumKeepDims")
    Assert.True(covers "MatMul" "matmul")
    Assert.True(covers "And" "logicalAnd")
    Assert.False(covers "Max" "maximum")
    Assert.False(covers "And" "and")
    Assert.NotEmpty(tensorMethodNames ())
    Assert.Contains("relu", fsharpFunctionNames ())

// ---- The module and the type share a name ----

[<Fact>]
let ``the Tensor module and the Tensor type resolve side by side in compiled code`` () =
    let a = Tensor.FromArray([| 1.0; -2.0 |], 2)
    let b = Tensor.fromArray [| 1.0; -2.0 |] [| 2 |]
    Assert.True(b.ArrayEqual a)
    Assert.Equal(1.0, a |> Tensor.relu |> Tensor.sum |> Tensor.item<float>)
    Assert.Equal<int[]>([| 2; 3 |], Tensor.Zeros(2, 3) |> Tensor.shape)
    Assert.Equal(Autodiff.Key.Create(7L), Key.create 7)

[<Fact>]
let ``the C# operators work from F# with tensors and floats on either side`` () =
    let x = Tensor.fromArray [| 1.0; -2.0; 4.0 |] [| 3 |]
    let y = Tensor.fromArray [| 2.0; 2.0; 2.0 |] [| 3 |]
    Assert.Equal<float[]>([| 2.0; -4.0; 8.0 |], doubles (x * 2.0))
    Assert.Equal<float[]>([| 2.0; -4.0; 8.0 |], doubles (2.0 * x))
    Assert.Equal<float[]>([| -1.0; 2.0; -4.0 |], doubles -x)
    Assert.Equal<float[]>([| 0.0; -3.0; 3.0 |], doubles (x - 1.0))
    Assert.Equal<float[]>([| 0.0; 3.0; -3.0 |], doubles (1.0 - x))
    Assert.Equal<float[]>([| 1.0; -0.5; 0.25 |], doubles (1.0 / x))
    Assert.Equal<float[]>([| 3.0; 0.0; 6.0 |], doubles (x + y))
    Assert.Equal<float[]>([| 0.5; -1.0; 2.0 |], doubles (x / y))
    Assert.Equal<float[]>(doubles (x * y), doubles (x |> Tensor.mul y))
    Assert.Equal<float[]>(doubles (x - y), doubles (x |> Tensor.sub y))

// ---- Pipelines ----

[<Fact>]
let ``a pipeline of matmul, relu and sum computes the known value`` () =
    // [[1, -2], [3, -4]]·[[1, 0], [0, -1]] = [[1, 2], [3, 4]]; minus 2.5 gives [[-1.5, -0.5], [0.5, 1.5]]; relu and sum: 2.
    let x = Tensor.fromArray [| 1.0; -2.0; 3.0; -4.0 |] [| 2; 2 |]
    let w = Tensor.fromArray [| 1.0; 0.0; 0.0; -1.0 |] [| 2; 2 |]
    let value = x |> Tensor.matmul w |> Tensor.sub (Tensor.scalarWith 2.5 DType.Float64) |> Tensor.relu |> Tensor.sum
    Assert.Equal(2.0, Tensor.item<float> value, 14)
    // Its gradient in w: d/dw Σ relu(x·w − 2.5) = xᵀ·[x·w > 2.5].
    let g = grad (fun w -> (x |> Tensor.matmul w) - 2.5 |> Tensor.relu |> Tensor.sum) w
    let mask = (x |> Tensor.matmul w |> Tensor.gtScalar 2.5 |> Tensor.cast DType.Float64)
    Assert.Equal<float[]>(doubles (x |> Tensor.transpose |> Tensor.matmul mask), doubles g)

[<Fact>]
let ``data-last forms mean what the method means: x |> f a is x.F(a)`` () =
    let x = randomTensor 1 -2.0 2.0 [| 3; 4 |]
    let y = randomTensor 2 0.5 2.0 [| 3; 4 |]
    Assert.True((x |> Tensor.div y).ArrayEqual(x.Div y))
    Assert.True((y |> Tensor.pow x).ArrayEqual(y.Pow x))
    Assert.True((x |> Tensor.powScalar 2.0).ArrayEqual(x.Pow 2.0))
    Assert.True((x |> Tensor.sumAxes [| 1 |]).ArrayEqual(x.Sum 1))
    Assert.True((x |> Tensor.sumKeepDims [| 0 |]).ArrayEqual(x.Sum([| 0 |], true)))
    Assert.True((x |> Tensor.clampScalar -1.0 1.0).ArrayEqual(x.Clamp(-1.0, 1.0)))
    Assert.True((x |> Tensor.slice 1 1 3).ArrayEqual(x.Slice(1, 1, 3)))
    Assert.True((x |> Tensor.sliceWith 1 0 None 2).ArrayEqual(x.Slice(1, 0, step = 2)))
    Assert.True((x |> Tensor.padWith [ 1, 0; 0, 2 ] 7.0).ArrayEqual(x.Pad([| struct (1, 0); struct (0, 2) |], 7.0)))
    Assert.True(([ x; y ] |> Tensor.concatWith 1).ArrayEqual(Tensor.Concat([| x; y |], 1)))
    Assert.True(([ x; y ] |> Tensor.stack).ArrayEqual(Tensor.Stack([| x; y |])))
    Assert.True((Tensor.whereElseScalar (x |> Tensor.gtScalar 0.0) x 0.0).ArrayEqual(x.Relu()))
    Assert.Equal(2, (x |> Tensor.splitSizesWith [| 1; 3 |] 1).Length)
    Assert.True((Tensor.eyeWith 2 (Some 3) DType.Float64).ArrayEqual(Tensor.Eye(2, 3, DType.Float64)))
    Assert.True((Tensor.uniformWith (Key.create 3) [| 5 |] -1.0 1.0 DType.Float64).ArrayEqual(Tensor.Uniform(Key.Create 3L, [| 5 |], -1.0, 1.0, DType.Float64)))
    Assert.True((x |> Tensor.maxKeepDims [| 1 |]).ArrayEqual(x.Max([| 1 |], true)))
    Assert.True((x |> Tensor.varWith [| 0 |] false 1.0).ArrayEqual(x.Var([| 0 |], false, 1.0)))
    Assert.True((x |> Tensor.softmaxWith 0).ArrayEqual(x.Softmax 0))
    Assert.True((x |> Tensor.argMaxAxis 1).ArrayEqual(x.ArgMax 1))
    let picks = Tensor.fromArrayInt [| 3; 0; 1 |] [| 3; 1 |]
    Assert.True((x |> Tensor.takeAlongAxis picks 1).ArrayEqual(x.TakeAlongAxis(picks, 1)))
    Assert.True((Tensor.oneHot 4 (Tensor.arange 3)).ArrayEqual(Tensor.OneHot(Tensor.Arange 3, 4)))
    Assert.True((x |> Tensor.sliceAxes [ None, Some 2, 1; Some -1, None, -2 ]).ArrayEqual(x.Slice(struct (Nullable(), Nullable 2, 1), struct (Nullable -1, Nullable(), -2))))

// ---- Curried transforms against the C# transforms and against calculus ----

let private fsum (x: Tensor) = (x |> Tensor.sin) * x |> Tensor.sum
/// d/dx Σ x·sin x = sin x + x·cos x.
let private fsumGrad (x: Tensor) = Tensor.sin x + x * Tensor.cos x

let private genVector =
    gen {
        let! n = Gen.choose (1, 5)
        let! seed = Gen.choose (0, 10000)
        return randomTensor seed -2.0 2.0 [| n |]
    }

let private property (test: Tensor -> unit) =
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(30).WithQuietOnSuccess(true), Prop.forAll (Arb.fromGen genVector) test)

[<Fact>]
let ``grad and valueAndGrad agree with the C# transforms and with the analytic derivative`` () =
    property (fun x ->
        let g = grad fsum x
        assertAllClose 1e-12 1e-14 "grad vs analytic" (doubles (fsumGrad x)) (doubles g)
        assertAllClose 0.0 0.0 "grad vs C#" (doubles (Grad.Gradient(fn fsum).Invoke x)) (doubles g)
        let v, g2 = valueAndGrad fsum x
        let struct (cv, cg) = Grad.ValueAndGrad(fn fsum).Invoke x
        Assert.Equal(cv.Item<float>(), Tensor.item<float> v)
        assertAllClose 0.0 0.0 "valueAndGrad vs C#" (doubles cg) (doubles g2))

[<Fact>]
let ``vjp and jvp agree with the C# transforms and are each other's transpose`` () =
    property (fun x ->
        let f (x: Tensor) = x |> Tensor.tanh |> Tensor.outer x
        let n = Tensor.size x
        let u = randomTensor (n + 17) -1.0 1.0 [| n; n |]
        let t = randomTensor (n + 31) -1.0 1.0 [| n |]
        let y, pullback = vjp f x
        let struct (cy, cpullback) = Grad.Vjp(fn f, x)
        assertAllClose 0.0 0.0 "vjp value" (doubles cy) (doubles y)
        assertAllClose 0.0 0.0 "vjp pullback" (doubles (cpullback.Invoke u)) (doubles (pullback u))
        let y2, jt = jvp f x t
        let struct (_, cjt) = Grad.Jvp(fn f, x, t)
        assertAllClose 0.0 0.0 "jvp value" (doubles y) (doubles y2)
        assertAllClose 0.0 0.0 "jvp tangent" (doubles cjt) (doubles jt)
        Assert.True(close 1e-12 1e-14 (dot u jt) (dot (pullback u) t)))

[<Fact>]
let ``jacobian, hessian and hvp match their analytic forms`` () =
    property (fun x ->
        let n = Tensor.size x
        // The Jacobian of sin is diag(cos x); the Hessian of Σ x·sin x is diag(2 cos x − x sin x).
        let diag (d: Tensor) = Tensor.eyeWith n None DType.Float64 * (d |> Tensor.reshape [| n; 1 |])
        assertAllClose 1e-12 1e-14 "jacobian" (doubles (diag (Tensor.cos x))) (doubles (jacobian Tensor.sin x))
        assertAllClose 1e-12 1e-14 "jacobianForward" (doubles (diag (Tensor.cos x))) (doubles (jacobianForward Tensor.sin x))
        assertAllClose 1e-12 1e-14 "jacobianReverse" (doubles (diag (Tensor.cos x))) (doubles (jacobianReverse Tensor.sin x))
        let h = 2.0 * Tensor.cos x - x * Tensor.sin x
        assertAllClose 1e-12 1e-14 "hessian" (doubles (diag h)) (doubles (hessian fsum x))
        let v = randomTensor (n + 5) -1.0 1.0 [| n |]
        assertAllClose 1e-12 1e-14 "hvp" (doubles (h * v)) (doubles (hvp fsum x v))
        // grad of grad of a scalar function: d²/dx² (x·sin x) elementwise through a sum.
        let d2 = grad (fun x -> grad fsum x |> Tensor.sum) x
        assertAllClose 1e-12 1e-14 "grad (grad f)" (doubles h) (doubles d2))

// ---- F# data as parameter trees ----

// Public, as parameter types must be: the tree walk reads public properties, and F# compiles a private type's
// record fields as internal ones.
type Dense = { W: Tensor; B: Tensor }

type Net =
    { Layers: Dense list
      Scale: Tensor option
      Shift: Tensor option
      Name: string }

let private vec (xs: float list) = Tensor.fromArray (Array.ofList xs) [| xs.Length |]

[<Fact>]
let ``an F# record of tensors round-trips through valueAndGrad with the gradient in the same record shape`` () =
    let p = { W = vec [ 1.0; -2.0; 3.0 ]; B = vec [ 0.5 ] }
    let loss (q: Dense) = (q.W |> Tensor.square |> Tensor.sum) + 3.0 * (q.B |> Tensor.sum)
    let value, g = valueAndGrad loss p
    Assert.Equal(14.0 + 1.5, Tensor.item<float> value, 12)
    Assert.Equal<float[]>([| 2.0; -4.0; 6.0 |], doubles g.W)
    Assert.Equal<float[]>([| 3.0 |], doubles g.B)

[<Fact>]
let ``a record holding an F# list and options keeps its shape: None stays None, Some gets a gradient`` () =
    let layer a b = { W = vec [ a; b ]; B = vec [ 0.0 ] }
    let net = { Layers = [ layer 1.0 2.0; layer -3.0 4.0 ]; Scale = Some(vec [ 2.0 ]); Shift = None; Name = "net" }
    let loss (n: Net) =
        let body = n.Layers |> List.map (fun l -> (l.W |> Tensor.sum) + (l.B |> Tensor.sum)) |> List.reduce (+)
        match n.Scale with
        | Some s -> body * (s |> Tensor.sum)
        | None -> body
    let value, g = valueAndGrad loss net
    Assert.Equal((1.0 + 2.0 - 3.0 + 4.0) * 2.0, Tensor.item<float> value, 12)
    Assert.Equal(2, g.Layers.Length)
    for layer in g.Layers do
        Assert.Equal<float[]>([| 2.0; 2.0 |], doubles layer.W)
        Assert.Equal<float[]>([| 2.0 |], doubles layer.B)
    Assert.Equal<float[]>([| 4.0 |], doubles g.Scale.Value)
    Assert.True(g.Shift.IsNone)
    Assert.Equal("net", g.Name)
    Assert.True(Tree.sameStructure net g)
    // An SGD step over the whole record with Tree.map2, and the leaves in flattening order.
    let stepped = Tree.map2 (fun p dp -> p - 0.5 * dp) net g
    Assert.Equal<float[]>([| 0.0; 1.0 |], doubles stepped.Layers.Head.W)
    Assert.Equal(7, Tree.leaves net |> Array.sumBy Tensor.size)
    Assert.Equal(1.0 + 2.0 - 3.0 + 4.0 + 2.0, Tree.fold (fun acc leaf -> acc + (leaf |> Tensor.sum |> Tensor.item<float>)) 0.0 net, 12)

[<Fact>]
let ``Tree functions forward to the C# Tree: flatten, unflatten, map3, zerosLike, sum`` () =
    let p = { W = vec [ 1.0; 2.0 ]; B = vec [ 3.0 ] }
    let leaves, def = Tree.flatten p
    Assert.Equal(2, leaves.Length)
    let rebuilt: Dense = Tree.unflatten def (leaves |> Array.map Tensor.neg)
    Assert.Equal<float[]>([| -1.0; -2.0 |], doubles rebuilt.W)
    Assert.True(def.Equals(Tree.structure rebuilt))
    let sum3 = Tree.map3 (fun a b c -> a + b + c) p p p
    Assert.Equal<float[]>([| 9.0 |], doubles sum3.B)
    Assert.Equal<float[]>([| 0.0; 0.0 |], doubles (Tree.zerosLike p).W)
    Assert.Equal(6.0, Tree.sum p |> Tensor.item<float>)

// ---- Keys and gradient checks ----

[<Fact>]
let ``Key functions forward to the C# Key`` () =
    let key = Key.create 42
    let a, b = Key.split key
    let struct (ca, cb) = Autodiff.Key.Create(42L).Split()
    Assert.Equal((ca, cb), (a, b))
    Assert.Equal<Key[]>([| a; b |], Key.splitN 2 key)
    Assert.Equal(key.FoldIn 3, Key.foldIn 3 key)
    Assert.Equal(Autodiff.Key.Create(UInt64.MaxValue), Key.createUInt64 UInt64.MaxValue)

[<Fact>]
let ``GradCheck passes a correct derivative and reports a wrong custom VJP`` () =
    let x = randomTensor 9 -1.0 1.0 [| 3 |]
    let f (xs: Tensor[]) = xs.[0] |> Tensor.sin |> Tensor.mul xs.[1] |> Tensor.sum
    GradCheck.assertPasses f [| x; x |> Tensor.exp |]
    Assert.True(GradCheck.check f [| x; x |] |> Array.forall (fun r -> r.Passed))
    let wrong = customVjp (fun xs -> xs.[0] |> Tensor.sin |> Tensor.sum) (fun xs _ gy -> [| gy * Tensor.sin xs.[0] |])
    Assert.Throws<GradCheckException>(fun () -> GradCheck.assertPasses wrong [| x |]) |> ignore
    let loose = GradCheckOptions(Atol = 10.0, Rtol = 10.0)
    GradCheck.assertPassesWith loose wrong [| x |]
    Assert.Equal(2, (GradCheck.checkWith loose wrong [| x |]).Length)

// ---- The quickstart script ----

let rec private repoRoot (dir: string) =
    if File.Exists(Path.Combine(dir, "Grad.sln")) then dir
    else
        match Path.GetDirectoryName dir with
        | null -> failwith "Grad.sln not found above the test's directory"
        | parent -> repoRoot parent

/// Runs `dotnet fsi script` and returns its exit code, standard output and standard error.
let private runFsi (script: string) =
    let dotnet = match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with | null | "" -> "dotnet" | path -> path
    let info = ProcessStartInfo(dotnet, [ "fsi"; script ], RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    use proc = match Process.Start info with | null -> failwithf "could not start %s fsi" dotnet | p -> p
    let stderr = proc.StandardError.ReadToEndAsync()
    let stdout = proc.StandardOutput.ReadToEnd()
    if not (proc.WaitForExit(TimeSpan.FromMinutes 3.0)) then
        proc.Kill true
        failwithf "dotnet fsi %s did not finish in 3 minutes; output so far:\n%s" script stdout
    proc.ExitCode, stdout, stderr.Result

let private numbers (pattern: string) (text: string) =
    let m = Regex.Match(text, pattern)
    if not m.Success then failwithf "no line matching %s in the script's output:\n%s" pattern text
    [ for g in Seq.tail m.Groups -> float g.Value ]

#if DEBUG
[<Fact>]
#else
[<Fact(Skip = "examples/quickstart.fsx loads the Debug build; run the tests in Debug")>]
#endif
let ``examples/quickstart.fsx runs, fits its synthetic data and prints the derivatives of x cubed`` () =
    let script = Path.Combine(repoRoot AppContext.BaseDirectory, "examples", "quickstart.fsx")
    let code, out, err = runFsi script
    if code <> 0 then failwithf "dotnet fsi exited with %d\nstdout:\n%s\nstderr:\n%s" code out err
    let num = @"(-?\d+(?:\.\d+)?)"
    match numbers (sprintf @"fitted w = \[%s, %s\], b = %s" num num num) out with
    | [ w0; w1; b ] ->
        // y = x·[2, −3] + 0.5 + noise of std 0.01 over 256 points: the least-squares fit is within a few 1e-3.
        Assert.True(abs (w0 - 2.0) < 0.01 && abs (w1 + 3.0) < 0.01 && abs (b - 0.5) < 0.01, sprintf "fitted %g %g %g\n%s" w0 w1 b out)
    | other -> failwithf "unexpected %A" other
    Assert.Equal<float list>([ 12.0 ], numbers (sprintf @"d2/dx2 x\^3 at x = 2: %s" num) out)
    let h = numbers (sprintf @"hessian of sum x\^3 at \[1, 2\] = \[\|%s; %s; %s; %s\|\]" num num num num) out
    Assert.Equal<float list>([ 6.0; 0.0; 0.0; 12.0 ], h)
    let losses = Regex.Matches(out, @"loss = (\d+\.\d+)") |> Seq.map (fun m -> float m.Groups.[1].Value) |> List.ofSeq
    Assert.True(losses.Length >= 2 && List.last losses < 1e-3, sprintf "losses %A" losses)
