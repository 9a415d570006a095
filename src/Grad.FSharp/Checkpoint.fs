namespace Autodiff.FSharp

open Autodiff
open Autodiff.Checkpoints

/// F# forms of `Autodiff.Checkpoints.Checkpoint`: save a parameter tree (records, lists, maps, tuples of tensors) as a
/// safetensors file named by tree paths, and load it back into a tree shaped like a template; paths and templates last.
[<RequireQualifiedAccess>]
module Checkpoint =
    /// Writes the leaves of `tree` to `path` atomically, each named by its path (`Tree.flattenWithPaths`).
    let save (path: string) (tree: 'T) : unit = Checkpoint.Save(path, box tree)

    /// `save` with string metadata stored in the header's `__metadata__`.
    let saveWithMetadata (metadata: Map<string, string>) (path: string) (tree: 'T) : unit = Checkpoint.Save(path, box tree, metadata)

    /// A tree shaped like `template` holding the file's tensors; every leaf must be found with its shape and dtype, and no other tensor may be in the file.
    let load (template: 'T) (path: string) : 'T = Checkpoint.Load(path, template)

    /// `load` of the tensors named `prefix.path`: one part of a file that holds several trees.
    let loadPrefix (prefix: string) (template: 'T) (path: string) : 'T = Checkpoint.Load(path, template, CheckpointLoadOptions(Prefix = prefix))

    /// `load` with all the options (prefix, whether tensors the template does not use are allowed).
    let loadWith (options: CheckpointLoadOptions) (template: 'T) (path: string) : 'T = Checkpoint.Load(path, template, options)

/// F# forms of `Autodiff.Checkpoints.SafeTensors`: named tensors in the safetensors format.
[<RequireQualifiedAccess>]
module SafeTensors =
    /// Writes the named tensors of `tensors` to `path` atomically.
    let save (path: string) (tensors: Map<string, Tensor>) : unit = SafeTensors.Save(path, tensors)

    /// Every tensor of the file at `path` by name, with its metadata.
    let load (path: string) : SafeTensorsFile = SafeTensors.Load path
