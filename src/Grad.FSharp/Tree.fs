namespace Autodiff.FSharp

open System
open Autodiff

/// F# forms of `Autodiff.Tree` (JAX's tree_util): records, lists, options, tuples, arrays and maps of tensors are trees
/// with nothing to register; functions come first and trees last, as in `List.map`.
[<RequireQualifiedAccess>]
module Tree =
    /// The tensor leaves of `tree` in flattening order.
    let leaves (tree: 'T) : Tensor[] = Tree.Leaves(box tree)

    /// The structure of `tree`, without its leaves.
    let structure (tree: 'T) : TreeDef = Tree.Structure(box tree)

    /// The leaves of `tree` in flattening order and its structure.
    let flatten (tree: 'T) : Tensor[] * TreeDef = let struct (leaves, def) = Tree.Flatten(box tree) in leaves, def

    /// Builds a tree of structure `def` from leaves in flattening order: `Tree.unflatten<Model> def leaves`.
    let unflatten<'T> (def: TreeDef) (leaves: seq<Tensor>) : 'T = Tree.Unflatten<'T>(def, Seq.toArray leaves)

    /// Whether two trees have the same structure: node types, keys, static values and leaf positions.
    let sameStructure (a: 'T) (b: 'U) : bool = Tree.SameStructure(box a, box b)

    /// A tree of the same structure with `f` applied to every leaf.
    let map (f: Tensor -> Tensor) (tree: 'T) : 'T = Tree.Map(tree, Func<Tensor, Tensor> f)

    /// Zips two trees of one structure leaf by leaf: `Tree.map2 (fun p g -> p - 0.1 * g) parameters grads`.
    let map2 (f: Tensor -> Tensor -> Tensor) (a: 'T) (b: 'T) : 'T = Tree.Map(a, b, Func<Tensor, Tensor, Tensor> f)

    /// Zips three trees of one structure leaf by leaf.
    let map3 (f: Tensor -> Tensor -> Tensor -> Tensor) (a: 'T) (b: 'T) (c: 'T) : 'T = Tree.Map(a, b, c, Func<Tensor, Tensor, Tensor, Tensor> f)

    /// A tree of the same structure with every leaf replaced by zeros of its shape and dtype.
    let zerosLike (tree: 'T) : 'T = Tree.ZerosLike tree

    /// Folds `f` over the leaves in flattening order, starting from `state` (C#'s `Tree.Reduce`).
    let fold (f: 'State -> Tensor -> 'State) (state: 'State) (tree: 'T) : 'State = Tree.Reduce(box tree, state, Func<'State, Tensor, 'State> f)

    /// The sum of every element of every leaf, as a differentiable scalar.
    let sum (tree: 'T) : Tensor = Tree.Sum(box tree)

    /// Makes 'T a tree node: `flatten` gives its subtrees and the static data to rebuild it; `unflatten` rebuilds it from both.
    let registerNode (flatten: 'T -> seq<obj> * obj) (unflatten: obj -> obj[] -> 'T) : unit =
        Tree.RegisterNode<'T>(Func<'T, struct (seq<obj> * obj)>(fun t -> let children, aux = flatten t in struct (children, aux)), Func<obj, obj[], 'T> unflatten)

    /// The leaves of `tree` in flattening order, each with its dotted path (`Layers.0.W`, `Item1`, a map key): the names a checkpoint uses.
    let flattenWithPaths (tree: 'T) : (string * Tensor)[] = Tree.FlattenWithPaths(box tree) |> Array.map (fun struct (path, leaf) -> path, leaf)
