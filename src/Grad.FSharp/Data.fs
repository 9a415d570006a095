namespace Autodiff.FSharp

open System
open Autodiff
open Autodiff.Data

/// F# forms of `Autodiff.Data.Idx`: IDX files (raw or gzip) as tensors.
[<RequireQualifiedAccess>]
module Idx =
    /// The array in the IDX file at `path`: integer types as int32, float32 as float32, float64 as float64.
    let read (path: string) : Tensor = Idx.Read path

    /// The element type and shape of the IDX file at `path`.
    let readHeader (path: string) : IdxHeader = Idx.ReadHeader path

/// F# forms of `Autodiff.Data.Mnist`: images float32 [n, 784] in [0, 1] (or [n, 1, 28, 28] by the options), labels int32 [n].
[<RequireQualifiedAccess>]
module Mnist =
    /// Loads both splits from the default cache folder, downloading missing files.
    let load () : MnistDataset = Mnist.Load()

    /// Loads both splits as the options say (folder, layout, downloads).
    let loadWith (options: DatasetOptions) : MnistDataset = Mnist.Load options

    /// (x − 0.1307) / 0.3081, MNIST's usual standardisation.
    let normalize (x: Tensor) : Tensor = Mnist.Normalizer.Apply x

/// F# forms of `Autodiff.Data.FashionMnist`, shaped as `Mnist`.
[<RequireQualifiedAccess>]
module FashionMnist =
    /// Loads both splits from the default cache folder, downloading missing files.
    let load () : MnistDataset = FashionMnist.Load()

    /// Loads both splits as the options say (folder, layout, downloads).
    let loadWith (options: DatasetOptions) : MnistDataset = FashionMnist.Load options

/// F# forms of `Autodiff.Data.DataLoader`: batches of a tree of tensors that share their leading axis.
[<RequireQualifiedAccess>]
module DataLoader =
    /// Batches of `data` in order, the last one smaller when `batchSize` does not divide the count.
    let create (batchSize: int) (data: 'T) : DataLoader<'T> = DataLoader.Create(data, batchSize)

    /// Batches of `data` in a fresh order each epoch, drawn from `key` folded with the epoch number.
    let shuffled (key: Key) (batchSize: int) (data: 'T) : DataLoader<'T> = DataLoader.Create(data, batchSize, Nullable key)

    /// Every option: an optional shuffle key and whether to drop a last partial batch.
    let createWith (shuffleKey: Key option) (dropLast: bool) (batchSize: int) (data: 'T) : DataLoader<'T> =
        DataLoader.Create(data, batchSize, Option.toNullable shuffleKey, dropLast)

    /// The batches of epoch `epoch`.
    let epoch (epoch: int) (loader: DataLoader<'T>) : seq<'T> = loader.Epoch epoch

/// F# forms of `Autodiff.Data.Normalizer`: (x − mean) / std, overall or per channel.
[<RequireQualifiedAccess>]
module Normalizer =
    /// The mean and std of all elements of `x`.
    let fit (x: Tensor) : Normalizer = Normalizer.Fit x

    /// The mean and std of each entry along `axis` of `x`.
    let fitChannels (axis: int) (x: Tensor) : Normalizer = Normalizer.Fit(x, Nullable axis)

    /// (x − mean) / std.
    let apply (normalizer: Normalizer) (x: Tensor) : Tensor = normalizer.Apply x

    /// y · std + mean.
    let invert (normalizer: Normalizer) (y: Tensor) : Tensor = normalizer.Invert y
