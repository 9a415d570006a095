/// Parameter trees: every node kind round-trips, structure equality, map/zip, custom nodes, cycles, and
/// gradients coming back in the shape of the parameters.
module TreeTests

open System
open System.Collections.Generic
open System.Collections.Immutable
open System.Collections.ObjectModel
open Xunit
open FsCheck
open FsCheck.FSharp
open Autodiff
open Numeric

// ---- Test types: F# records and classes stand in for C# records and classes (same IL shapes). ----

type Linear = { W: Tensor; B: Tensor; Name: string; Fan: int }

[<CLIMutable>]
type Moments = { Mu: Tensor; Count: int }

/// F# compiles a private record's fields as non-public properties; they are still its data.
type private Hidden = { Weight: Tensor; Label: string }

type Mlp = { Layers: Linear list; Activation: string; Sizes: int[] }

/// A record holding arbitrary subtrees, for randomly generated trees.
type Boxed = { Value: obj | null; Tag: int }

/// Rebuilt by its parameterless constructor and setters; Doubled is computed, so not part of the tree.
type Holder() =
    member val Weight: Tensor = Unchecked.defaultof<Tensor> with get, set
    member val Label = "" with get, set
    member this.Doubled = this.Weight * 2.0

/// Constructor parameter names match no property: rebuilt by cloning and assigning the backing field.
type Cloned(a: Tensor, b: int) =
    member val Weight = a with get, set
    member val Count = b

/// Rebuilt through its constructor (w ↔ W); Next makes cycles possible.
type Link(w: Tensor) =
    member _.W = w
    member val Next: objnull = null with get, set

/// Public fields count like properties.
[<Struct>]
type Fields =
    val W: Tensor
    val Steps: int
    new(w, steps) = { W = w; Steps = steps }

/// F# unions are classes per case with a constructor taking the fields.
type Layer =
    | Dense of weight: Tensor * bias: (Tensor | null)
    | Act of string

/// Keeps its tensors private: a tree only once registered.
type Opaque(a: Tensor, b: Tensor, scale: float) =
    member internal _.A = a
    member internal _.B = b
    member _.Scale = scale

let private vec (xs: float list) = Tensor.FromArray(List.toArray xs, [| xs.Length |])

let private flatten (tree: obj | null) =
    let struct (leaves, def) = Tree.Flatten tree
    leaves, def

/// Flatten, unflatten, flatten again: same structure, the very same leaf objects, same concrete types.
let private roundTrips (tree: obj | null) =
    let leaves, def = flatten tree
    let back: objnull = def.Unflatten<obj>(leaves)
    let leaves2, def2 = flatten back
    def2 = def
    && Tree.SameStructure(def, def2)
    && def2.GetHashCode() = def.GetHashCode()
    && def.LeafCount = leaves.Length
    && Array.forall2 (fun (a: Tensor) b -> Object.ReferenceEquals(a, b)) leaves leaves2
    && (match tree, back with
        | null, null -> true
        | null, _ | _, null -> false
        | tree, back -> back.GetType() = tree.GetType())

let private assertRoundTrips (name: string) (tree: obj | null) =
    if not (roundTrips tree) then failwithf "%s did not round-trip: %s" name (Tree.Structure(tree).Description)

let private checkProperty (gen: Gen<'a>) (property: 'a -> bool) =
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true), Prop.forAll (Arb.fromGen gen) property)

// ---- Random trees over every built-in node kind ----

let private leafGen =
    gen {
        let! n = Gen.choose (0, 3)
        let! xs = Gen.arrayOfLength n (Gen.choose (-9, 9))
        return (box (Tensor.FromArray(Array.map float xs, [| n |])) : obj | null)
    }

let private staticGen : Gen<obj | null> =
    Gen.oneof [ Gen.choose (0, 9) |> Gen.map (fun n -> box n); Gen.elements [ "relu"; "tanh" ] |> Gen.map (fun s -> box s); Gen.constant null ]

let rec private treeGen size : Gen<obj | null> =
    if size <= 1 then
        Gen.frequency [ 3, leafGen; 1, staticGen ]
    else
        let sub = treeGen (size / 3)
        let children = gen {
            let! n = Gen.choose (0, 4)
            return! Gen.listOfLength n sub
        }
        let dictionary = gen {
            let! keys = Gen.subListOf [ "a"; "B"; "b"; "z"; "aa" ]
            let! values = Gen.listOfLength keys.Length sub
            let d = Dictionary<string, obj | null>()
            List.iter2 (fun k v -> d.[k] <- v) keys values
            return box d
        }
        Gen.oneof [
            leafGen
            staticGen
            children |> Gen.map (fun xs -> box (List.toArray xs))
            children |> Gen.map (fun xs -> box (ResizeArray xs))
            children |> Gen.map box
            Gen.map2 (fun a b -> box (struct (a, b))) sub sub
            Gen.map2 (fun a b -> box (a, b)) sub sub
            dictionary
            Gen.map2 (fun v t -> box { Value = v; Tag = t }) sub (Gen.choose (0, 3))
            sub |> Gen.map (fun v -> box (Some v))
        ]

[<Fact>]
let ``flatten then unflatten rebuilds any random tree with the same structure and the same leaves`` () =
    checkProperty (Gen.sized treeGen) roundTrips

[<Fact>]
let ``every node kind round-trips to the same concrete type`` () =
    let t () = vec [ 1.0; 2.0 ]
    let linear = { W = t (); B = t (); Name = "fc"; Fan = 2 }
    let cases : (string * int * (obj | null)) list =
        [ "tensor", 1, box (t ())
          "null", 0, null
          "Tensor[]", 2, box [| t (); t () |]
          "record[]", 4, box [| linear; linear |]
          "obj[] with statics", 1, box [| box (t ()); box 3; box "x"; null |]
          "List<Tensor>", 2, box (ResizeArray [ t (); t () ])
          "ReadOnlyCollection", 1, box (ReadOnlyCollection<Tensor>([| t () |]))
          "ImmutableArray", 2, box (ImmutableArray.Create(t (), t ()))
          "ImmutableList", 2, box (ImmutableList.Create(t (), t ()))
          "Queue", 2, box (Queue<Tensor>([ t (); t () ]))
          "Stack", 2, box (Stack<Tensor>([ t (); t () ]))
          "ValueTuple", 2, box (struct (t (), 1, t ()))
          "ValueTuple of 10", 3, box (struct (t (), 2, 3, 4, 5, 6, 7, t (), "nine", t ()))
          "ValueTuple of 15", 1, box (struct (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, t ()))
          "Tuple", 1, box (t (), "x")
          "Tuple of 9", 1, box (1, 2, 3, 4, 5, 6, 7, 8, t ())
          "Dictionary", 2, box (Dictionary<string, Tensor>(dict [ "w", t (); "b", t () ]))
          "SortedDictionary", 1, box (SortedDictionary<string, Tensor>(dict [ "w", t () ]))
          "ReadOnlyDictionary", 1, box (ReadOnlyDictionary<string, Tensor>(Dictionary<string, Tensor>(dict [ "w", t () ])))
          "int-keyed Dictionary", 2, box (Dictionary<int, Tensor>(dict [ 3, t (); 1, t () ]))
          "F# Map", 2, box (Map.ofList [ "z", t (); "a", t () ])
          "KeyValuePair", 1, box (KeyValuePair("k", t ()))
          "F# record", 2, box linear
          "CLIMutable record", 1, box { Mu = t (); Count = 3 }
          "record of list of records", 4, box { Layers = [ linear; linear ]; Activation = "relu"; Sizes = [| 2; 2 |] }
          "class with setters", 1, box (Holder(Weight = t (), Label = "h"))
          "class rebuilt by cloning", 1, box (Cloned(t (), 5))
          "class rebuilt by constructor", 1, box (Link(t ()))
          "F# list", 2, box [ t (); t () ]
          "Some", 1, box (Some(t ()))
          "None", 0, box (None: Tensor option)
          "ValueSome", 1, box (ValueSome(t ()))
          "ValueNone", 0, box (ValueNone: Tensor voption)
          "anonymous record", 1, box {| W = t (); Steps = 4 |}
          "struct with public fields", 1, box (Fields(t (), 4))
          "F# union", 3, box [ Dense(t (), t ()); Act "relu"; Dense(t (), null) ] ]
    for name, leafCount, tree in cases do
        assertRoundTrips name tree
        Assert.True((leafCount = Tree.Leaves(tree).Length), sprintf "%s: %d leaves expected" name leafCount)

[<Fact>]
let ``structures read as the values are written`` () =
    let t = vec [ 1.0 ]
    let describe (tree: obj) = Tree.Structure(tree).Description
    Assert.Equal("Linear(W: *, B: *, Name: \"fc\", Fan: 3)", describe { W = t; B = t; Name = "fc"; Fan = 3 })
    Assert.Equal("{\"B\": *, \"a\": [*, 2]}", describe (Dictionary<string, objnull>(dict [ "a", box [| box t; box 2 |]; "B", box t ])))
    Assert.Equal("(*, null, Tuple(*, \"x\"))", describe (struct (t, (null: Tensor | null), (t, "x"))))
    Assert.Equal("list[Some(*), null]", describe [ Some t; None ])

[<Fact>]
let ``dictionaries flatten in ordinal key order whatever the insertion order`` () =
    let keys = [ "b"; "a"; "B"; "aa"; "z"; "_" ]
    let gen = Gen.shuffle keys |> Gen.map Array.toList
    checkProperty gen (fun order ->
        let d = Dictionary<string, Tensor>()
        for k in order do d.[k] <- vec [ float (List.findIndex ((=) k) keys) ]
        let leaves, def = flatten d
        let expected = keys |> List.sortWith (fun a b -> String.CompareOrdinal(a, b)) |> List.map (fun k -> float (List.findIndex ((=) k) keys))
        def = Tree.Structure(Dictionary<string, Tensor>(dict [ for k in keys -> k, vec [ 0.0 ] ]))
        && (leaves |> Array.map (fun l -> l.Item<float>()) |> Array.toList) = expected)

[<Fact>]
let ``non-tensor values are carried into mapped trees unchanged`` () =
    let model = { Layers = [ { W = vec [ 1.0 ]; B = vec [ 2.0 ]; Name = "fc1"; Fan = 1 } ]; Activation = "gelu"; Sizes = [| 1; 1 |] }
    let doubled = Tree.Map(model, fun x -> x * 2.0)
    Assert.Equal("gelu", doubled.Activation)
    Assert.Same(model.Sizes, doubled.Sizes)
    Assert.Equal("fc1", doubled.Layers.Head.Name)
    Assert.Equal(1, doubled.Layers.Head.Fan)
    Assert.Equal(4.0, doubled.Layers.Head.B.Item<float>())
    let mixed = Tree.Map([| box (vec [ 1.0 ]); box 7; box "seven"; null |], fun x -> x + 1.0)
    Assert.Equal<obj>([| box 7; box "seven"; null |], mixed.[1..])
    Assert.Equal(2.0, (nonNull mixed.[0] :?> Tensor).Item<float>())

[<Fact>]
let ``zipping two or three trees combines them leaf by leaf in the first one's structure`` () =
    let gen = Gen.listOfLength 3 (Gen.choose (-50, 50) |> Gen.map float)
    checkProperty (Gen.zip gen gen) (fun (xs, ys) ->
        let tree (vs: float list) = { Mu = vec vs; Count = 1 }, [| vec [ vs.Head ] |]
        let sum = Tree.Map(tree xs, tree ys, fun a b -> a + b)
        let triple = Tree.Map(tree xs, tree ys, tree xs, fun a b c -> a + b - c)
        doubles (fst sum).Mu = (List.map2 (+) xs ys |> List.toArray)
        && doubles (snd sum).[0] = [| xs.Head + ys.Head |]
        && doubles (fst triple).Mu = (List.toArray ys)
        && (fst sum).Count = 1)
    let zeros = Tree.ZerosLike({ Mu = vec [ 3.0; 4.0 ]; Count = 9 })
    Assert.Equal<float[]>([| 0.0; 0.0 |], doubles zeros.Mu)
    Assert.Equal(9, zeros.Count)
    Assert.Equal(10.0, (Tree.Sum([| vec [ 1.0; 2.0 ]; vec [ 3.0; 4.0 ] |])).Item<float>())
    Assert.Equal(4, Tree.Reduce([| vec [ 1.0; 2.0 ]; vec [ 3.0; 4.0 ] |], 0, fun n t -> n + t.Size))

[<Fact>]
let ``zipping trees of different structures names both structures`` () =
    let t = vec [ 1.0 ]
    let e = Assert.Throws<ArgumentException>(fun () -> Tree.Map<objnull>(box [| t; t |], box (t, t), fun a b -> a + b) |> ignore)
    Assert.Contains("[*, *]", e.Message)
    Assert.Contains("Tuple(*, *)", e.Message)
    let e2 = Assert.Throws<ArgumentException>(fun () ->
        Tree.Map({ W = t; B = t; Name = "a"; Fan = 1 }, { W = t; B = t; Name = "b"; Fan = 1 }, fun a b -> a + b) |> ignore)
    Assert.Contains("Name: \"a\"", e2.Message)
    Assert.Contains("Name: \"b\"", e2.Message)

[<Fact>]
let ``equal static values compare by content, so models built alike have the same structure`` () =
    let build () = { Layers = []; Activation = "relu"; Sizes = [| 784; 128 |] }
    Assert.True(Tree.SameStructure(build (), build ()))
    Assert.False(Tree.SameStructure(build (), { build () with Activation = "tanh" }))
    Assert.False(Tree.SameStructure(box [| vec [ 1.0 ] |], box (ResizeArray [ vec [ 1.0 ] ])))

[<Fact>]
let ``a registered type becomes a node with its own flatten and unflatten`` () =
    Tree.RegisterNode<Opaque>(
        (fun o -> struct (Seq.ofList [ box o.A; box o.B ], box o.Scale)),
        (fun aux children -> Opaque(nonNull children.[0] :?> Tensor, nonNull children.[1] :?> Tensor, nonNull aux :?> float)))
    let o = Opaque(vec [ 1.0 ], vec [ 2.0 ], 0.5)
    let leaves, def = flatten [| o |]
    Assert.Equal(2, leaves.Length)
    Assert.Equal("[Opaque<0.5>(*, *)]", def.Description)
    let back = Tree.Map([| o |], fun x -> x * 10.0)
    Assert.Equal(20.0, back.[0].B.Item<float>())
    Assert.Equal(0.5, back.[0].Scale)
    Assert.False(Tree.SameStructure(o, Opaque(vec [ 1.0 ], vec [ 2.0 ], 0.25)))

[<Fact>]
let ``a tree that contains itself is reported as a cycle, a shared subtree is not`` () =
    let a = Link(vec [ 1.0 ])
    let b = Link(vec [ 2.0 ])
    a.Next <- box b
    b.Next <- box [| box a |]
    let e = Assert.Throws<ArgumentException>(fun () -> Tree.Flatten(box a) |> ignore)
    Assert.Contains("cycle", e.Message)
    Assert.Contains("tree.Next.Next[0]", e.Message)
    let shared = { Mu = vec [ 1.0 ]; Count = 0 }
    Assert.Equal(2, Tree.Leaves([| shared; shared |]).Length)

[<Fact>]
let ``deeply nested and very long trees do not overflow the stack`` () =
    let mutable deep = box (vec [ 1.0 ])
    for _ in 1 .. 100_000 do deep <- box [| deep |]
    Assert.True(roundTrips deep)
    Assert.StartsWith("[[[[", Tree.Structure(deep).Description)
    let long = Array.init 1_000_000 (fun i -> if i % 2 = 0 then Tensor.Scalar(float i) else Unchecked.defaultof<Tensor>)
    Assert.Equal(500_000, Tree.Leaves(long).Length)

[<Fact>]
let ``unflatten rejects the wrong number of leaves and the wrong target type`` () =
    let _, def = flatten { Mu = vec [ 1.0 ]; Count = 0 }
    let e = Assert.Throws<ArgumentException>(fun () -> def.Unflatten<Moments>([| vec [ 1.0 ]; vec [ 2.0 ] |]) |> ignore)
    Assert.Contains("1 leaves, got 2", e.Message)
    let e2 = Assert.Throws<ArgumentException>(fun () -> def.Unflatten<Linear>([| vec [ 1.0 ] |]) |> ignore)
    Assert.Contains("not a Linear", e2.Message)

[<Fact>]
let ``the gradient with respect to an F# record comes back as the same record`` () =
    let p = { W = vec [ 1.0; -2.0; 3.0 ]; B = vec [ 0.5 ]; Name = "fc"; Fan = 3 }
    let loss (q: Linear) = (q.W * q.W).Sum() + q.B.Sum() * 3.0
    let struct (value, g) = Grad.ValueAndGrad(fn loss).Invoke(p)
    Assert.Equal(14.0 + 1.5, value.Item<float>(), 12)
    Assert.Equal<float[]>([| 2.0; -4.0; 6.0 |], doubles g.W)
    Assert.Equal<float[]>([| 3.0 |], doubles g.B)
    Assert.Equal("fc", g.Name)
    Assert.Equal(3, g.Fan)

[<Fact>]
let ``the gradient with respect to a dictionary of lists of tuples has the same nesting`` () =
    let entry (a: float) (b: float) = struct (vec [ a ], vec [ b ])
    let p = Dictionary<string, List<struct (Tensor * Tensor)>>()
    p.["second"] <- List [ entry 1.0 2.0; entry 3.0 4.0 ]
    p.["first"] <- List [ entry 5.0 6.0 ]
    let loss (q: Dictionary<string, List<struct (Tensor * Tensor)>>) =
        q.Values |> Seq.collect id |> Seq.map (fun struct (a, b) -> (a * b).Sum()) |> Seq.reduce (+)
    let struct (value, g) = Grad.ValueAndGrad(fn loss).Invoke(p)
    Assert.Equal(2.0 + 12.0 + 30.0, value.Item<float>(), 12)
    Assert.True(Tree.SameStructure(p, g))
    for KeyValue (key, pairs) in p do
        Seq.iter2 (fun (struct (a: Tensor, b: Tensor)) (struct (ga: Tensor, gb: Tensor)) ->
            Assert.Equal(b.Item<float>(), ga.Item<float>())
            Assert.Equal(a.Item<float>(), gb.Item<float>())) pairs g.[key]

[<Fact>]
let ``Jvp rejects a tangent whose tree differs from the input's`` () =
    let f (q: Tensor[]) = q.[0].Sum()
    let e = Assert.Throws<ArgumentException>(fun () ->
        Grad.Jvp(fn f, [| vec [ 1.0 ]; vec [ 2.0 ] |], [| vec [ 1.0 ] |]) |> ignore)
    Assert.Contains("tangent", e.Message)
    Assert.Contains("[*, *]", e.Message)

[<Fact>]
let ``a private F# record is a tree: its gradient is not silently the parameters themselves`` () =
    let p = { Weight = vec [ 3.0; -1.0 ]; Label = "w" }
    let g = Grad.Gradient(Func<Hidden, Tensor>(fun h -> (h.Weight * h.Weight).Sum())).Invoke(p)
    Assert.Equal<float[]>([| 6.0; -2.0 |], g.Weight.ToArray<float>())
    Assert.Equal("w", g.Label)

/// Holds its weight in a framework wrapper, which no rule can rebuild.
type Boxed2 = { Cache: Lazy<Tensor[]>; Steps: int }

[<Fact>]
let ``framework wrappers around tensors are an error, not static data whose tensors get no gradient`` () =
    let t = vec [ 1.0; 2.0 ]
    let wrapped : (string * objnull) list =
        [ "Lazy<Tensor>", box (Lazy<Tensor>(fun () -> t))
          "StrongBox<Tensor>", box (Runtime.CompilerServices.StrongBox<Tensor>(t))
          "Memory<Tensor>", box (Memory<Tensor>([| t |]))
          "Lazy<Tensor[]>", box { Cache = Lazy<Tensor[]>(fun () -> [| t |]); Steps = 1 } ]
    for name, tree in wrapped do
        let e = Assert.Throws<NotSupportedException>(fun () -> Tree.Flatten tree |> ignore)
        Assert.Contains(name, e.Message)
    // Framework types that hold no tensors are still static data.
    let leaves, def = flatten (struct (t, Random(1), Lazy<int>(fun () -> 3), Collections.Generic.EqualityComparer<string>.Default))
    Assert.Equal(1, leaves.Length)
    Assert.Equal(1, def.LeafCount)
