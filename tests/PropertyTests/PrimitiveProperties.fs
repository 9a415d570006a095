/// One generic property per derivative law, run over every primitive in the registry with inputs drawn
/// from each op's own domain. A new primitive is tested by registering it; one without a domain fails.
module PrimitiveProperties

open System
open System.Reflection
open Xunit
open FsCheck
open FsCheck.FSharp
open Autodiff
open Numeric

let private casesPerOp = 30

let private seeds = Arb.fromGen (Gen.choose (0, Int32.MaxValue - 1))

let private describe (op: Primitive) (c: OpCase) =
    let shapes = c.Inputs |> Array.map (fun t -> sprintf "%s %s" (t.DType.Name()) t.ShapeText) |> String.concat ", "
    sprintf "%s(%s) with %O" op.Name shapes c.Params

/// Checks `law` on sampled cases of every registered primitive that `applies`, naming the op and case on failure.
let private forEveryCase (applies: Primitive -> bool) (law: Primitive -> OpCase -> unit) =
    let ops = PrimitiveRegistry.All |> Seq.filter applies |> Seq.toArray
    Assert.NotEmpty ops
    for op in ops do
        let domain =
            match op.Domain with
            | null -> failwithf "primitive %s declares no domain" op.Name
            | d -> d
        let property seed =
            let case = domain.Sample.Invoke(CaseSampler(seed))
            try law op case
            with e -> raise (Exception(sprintf "%s, seed %d: %s" (describe op case) seed e.Message, e))
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(casesPerOp).WithQuietOnSuccess(true), Prop.forAll seeds property)

let private differentiable (op: Primitive) = op.IsDifferentiable

let private apply (op: Primitive) (p: OpParams) = Func<Tensor[], Tensor>(fun xs -> op.Bind(p, xs))

let private randomLike (r: Random) (t: Tensor) =
    Tensor.FromArray(Array.init t.Size (fun _ -> 2.0 * r.NextDouble() - 1.0), t.Shape)

[<Fact>]
let ``every concrete primitive in the library is registered`` () =
    let concrete =
        typeof<Primitive>.Assembly.GetTypes()
        |> Array.filter (fun t -> t.IsSubclassOf typeof<Primitive> && not t.IsAbstract)
        |> Array.map (fun t -> t.Name) |> Set.ofArray
    let registered = PrimitiveRegistry.All |> Seq.map (fun p -> p.GetType().Name) |> Set.ofSeq
    Assert.Equal<Set<string>>(concrete, registered)

[<Fact>]
let ``every registered primitive declares a domain and a unique name`` () =
    for op in PrimitiveRegistry.All do
        Assert.True(not (isNull (box op.Domain)), sprintf "%s has no domain" op.Name)
    let names = PrimitiveRegistry.All |> Seq.map (fun p -> p.Name) |> Seq.toList
    Assert.Equal(names.Length, (List.distinct names).Length)

[<Fact>]
let ``VJP and JVP of every primitive match central finite differences in float64`` () =
    forEveryCase differentiable (fun op case -> GradCheck.Assert(apply op case.Params, case.Inputs))

[<Fact>]
let ``VJP of every primitive is the transpose of its JVP`` () =
    // <u, J·t> = <Jᵀ·u, t> holds to rounding: no finite-difference noise, so the tolerance is tight.
    forEveryCase differentiable (fun op case ->
        let r = Random(case.Inputs.Length * 7919 + case.Inputs.[0].Size)
        let x = case.Inputs
        let y = op.Bind(case.Params, x)
        let t : (Tensor | null)[] = x |> Array.map (fun xi -> if xi.DType.IsFloat() then randomLike r xi else null)
        let u = randomLike r y
        let jt = op.Jvp(x, t, y, case.Params)
        let gx = op.Vjp(u, x, y, case.Params)
        let lhs = dot u jt
        let pairs =
            Array.zip gx t
            |> Array.choose (fun (g, ti) ->
                match g, ti with
                | null, _ | _, null -> None
                | g, ti -> Some(g, ti))
        let rhs = pairs |> Array.sumBy (fun (g, ti) -> dot g ti)
        let scale = absDot u jt + (pairs |> Array.sumBy (fun (g, ti) -> absDot g ti))
        if not (abs (lhs - rhs) <= 1e-12 + 1e-10 * scale) then
            failwithf "<u, Jt> = %.17g but <J^T u, t> = %.17g" lhs rhs)

[<Fact>]
let ``float32 forward of every primitive agrees with float64 forward`` () =
    forEveryCase (fun _ -> true) (fun op case ->
        let to32 (t: Tensor) = if t.DType = DType.Float64 then Tensor.FromArray(t.ToArray<float32>(), t.Shape) else t
        let y64 = op.Bind(case.Params, case.Inputs)
        let y32 = op.Bind(case.Params, case.Inputs |> Array.map to32)
        Assert.Equal<int[]>(y64.Shape, y32.Shape)
        if y64.DType.IsFloat() then
            // Float ops compute in their input's dtype; a cast's output dtype is its parameter instead.
            let expectedDType = match case.Params with :? CastParams as c -> c.To | _ -> DType.Float32
            Assert.Equal(expectedDType, y32.DType)
            let expected = doubles y64
            let scale = if expected.Length = 0 then 0.0 else expected |> Array.map abs |> Array.max
            // float32 carries ~7 digits; 1e-5 of the output's scale leaves room for short sums only.
            assertAllClose 0.0 (1e-5 * (1.0 + scale)) op.Name expected (doubles y32)
        else
            Assert.Equal(y64.DType, y32.DType)
            Assert.Equal<float[]>(doubles y64, doubles y32))

[<Fact>]
let ``every primitive returns a fresh tensor object`` () =
    forEveryCase (fun _ -> true) (fun op case ->
        let y = op.Bind(case.Params, case.Inputs)
        for x in case.Inputs do Assert.False(obj.ReferenceEquals(x, y), sprintf "%s returned its input" op.Name))

/// x with `v` added `scale` times to its float inputs (int and bool inputs unchanged).
let private shifted (x: Tensor[]) (v: Tensor[]) (scale: float) =
    Array.map2 (fun (xi: Tensor) (vi: Tensor) -> if xi.DType.IsFloat() then xi + vi * scale else xi) x v

[<Fact>]
let ``forward-over-reverse Hessian-vector products of every primitive match finite differences of its VJP`` () =
    // d/dε Jᵀ(x + εv)·u by JVP of the pullback (the rules differentiating themselves) against central differences of
    // the pullback. Ops with piecewise-constant derivatives (relu, abs, max, where) give 0 both ways off their kinks.
    forEveryCase differentiable (fun op case ->
        let r = Random(case.Inputs.Length * 7919 + case.Inputs.[0].Size)
        let x = case.Inputs
        let u = randomLike r (op.Bind(case.Params, x))
        // Int and bool inputs are their own (ignored) tangents, as in GradCheck.
        let v = x |> Array.map (fun xi -> if xi.DType.IsFloat() then randomLike r xi else xi)
        let pullback (xs: Tensor[]) = let struct (_, back) = Grad.Vjp(apply op case.Params, xs) in back.Invoke u
        let struct (_, hv) = Grad.Jvp(Func<Tensor[], Tensor[]>(pullback), x, v)
        let step = 1e-5
        let plus, minus = pullback (shifted x v step), pullback (shifted x v -step)
        for i in 0 .. x.Length - 1 do
            if x.[i].DType.IsFloat() then
                let numeric = Array.map2 (fun p m -> (p - m) / (2.0 * step)) (doubles plus.[i]) (doubles minus.[i])
                Array.iteri2 (fun k a n ->
                    if not (close 1e-5 1e-6 a n) then failwithf "input %d element %d: H·v is %.17g, finite differences give %.17g" i k a n)
                    (doubles hv.[i]) numeric)

[<Fact>]
let ``JVP and VJP rules of every primitive keep float32 in float32 and agree with float64`` () =
    // Catches a constant made in float64 inside a rule (a dtype mismatch in float32) and rules that lose precision.
    forEveryCase differentiable (fun op case ->
        let r = Random(case.Inputs.Length * 104729 + case.Inputs.[0].Size)
        let to32 (t: Tensor) = if t.DType = DType.Float64 then t.Cast(DType.Float32) else t
        let p32 = match case.Params with :? CastParams -> CastParams(DType.Float32) :> OpParams | p -> p
        let x, x32 = case.Inputs, Array.map to32 case.Inputs
        let y, y32 = op.Bind(case.Params, x), op.Bind(p32, x32)
        let u = randomLike r y
        let t : (Tensor | null)[] = x |> Array.map (fun xi -> if xi.DType.IsFloat() then randomLike r xi else null)
        let t32 = t |> Array.map (fun ti -> match ti with null -> null | ti -> to32 ti)
        let agree what (expected: Tensor) (actual: Tensor) =
            Assert.True((DType.Float32 = actual.DType), sprintf "%s is %s in float32" what (actual.DType.Name()))
            let e = doubles expected
            let scale = if e.Length = 0 then 0.0 else e |> Array.map abs |> Array.max
            assertAllClose 0.0 (1e-4 * (1.0 + scale)) what e (doubles actual)
        agree "JVP" (op.Jvp(x, t, y, case.Params)) (op.Jvp(x32, t32, y32, p32))
        let gx, gx32 = op.Vjp(u, x, y, case.Params), op.Vjp(to32 u, x32, y32, p32)
        for i in 0 .. x.Length - 1 do
            match gx.[i], gx32.[i] with
            | null, null -> ()
            | null, _ | _, null -> failwithf "VJP of input %d is null in one dtype only" i
            | g, g32 -> agree (sprintf "VJP of input %d" i) g g32)
