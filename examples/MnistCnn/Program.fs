/// A small CNN on MNIST from F#: two 3×3 conv layers (32 and 64 channels) with max pooling, a 128-unit hidden layer
/// and dropout, trained with Adam and a cosine schedule. The model is an F# record of layers, so it is its own
/// parameter tree; the loss and accuracy curves go to an SVG chart.
module Autodiff.Examples.MnistCnn.Program

open System
open System.Globalization
open Autodiff
open Autodiff.Checkpoints
open Autodiff.Data
open Autodiff.Examples
open Autodiff.FSharp
open Autodiff.Nn
open Autodiff.Training

/// The model: an F# record whose fields are layers (records of tensors), so Grad sees one parameter tree.
type Cnn =
    { Conv1: Conv2d
      Conv2: Conv2d
      Hidden: Linear
      Output: Linear }

let create (key: Key) =
    let keys = Key.splitN 4 key
    { Conv1 = Layer.conv2dWith 1 32 3 1 1 keys[0]
      Conv2 = Layer.conv2dWith 32 64 3 1 1 keys[1]
      Hidden = Layer.linear (64 * 7 * 7) 128 keys[2]
      Output = Layer.linear 128 10 keys[3] }

let private pool = Layer.maxPool2d 2
let private dropout = Layer.dropout 0.5

/// Logits [n, 10] of images [n, 1, 28, 28]; `mode` switches dropout on in training.
let forward (model: Cnn) (mode: Mode) (x: Tensor) =
    x
    |> Layer.apply model.Conv1 |> Tensor.relu |> Layer.apply pool      // [n, 32, 14, 14]
    |> Layer.apply model.Conv2 |> Tensor.relu |> Layer.apply pool      // [n, 64, 7, 7]
    |> Tensor.flattenAxes 1 -1
    |> Layer.apply model.Hidden |> Tensor.relu
    |> fun h -> dropout.Apply(h, mode)
    |> Layer.apply model.Output

[<EntryPoint>]
let main args =
    let defaults =
        ExampleOptions(Epochs = 5, BatchSize = 64, LearningRate = 1e-3, CheckpointPath = "mnist-cnn.safetensors")
    match ExampleOptions.Parse(args, defaults, "MnistCnn", readOnlyDict [ "chart", "mnist-cnn.svg" ]) with
    | null -> 0
    | options ->
        printfn "MnistCnn: %s" (options.Describe())
        let mnist =
            Mnist.loadWith (DatasetOptions(Directory = options.DataDirectory, Layout = ImageLayout.ChannelsFirst, Log = Console.Out))
        let trainX, testX = Mnist.normalize mnist.Train.Images, Mnist.normalize mnist.Test.Images
        printfn "train %s, test %s" trainX.ShapeText testX.ShapeText

        let keys = Key.create options.Seed |> Key.splitN 3
        let loader = DataLoader.shuffled keys[1] options.BatchSize (struct (trainX, mnist.Train.Labels))
        let optimizer = Optim.adam (Schedule.cosineAnnealing options.LearningRate (options.Epochs * loader.BatchCount) 0.0)
        let result =
            TrainingDisplay.Run(options.Epochs, fun onStep onEpoch ->
                let fitOptions = FitOptions(Epochs = options.Epochs, OnStep = onStep, OnEpoch = onEpoch)
                create keys[0] |> Trainer.fitWith (fitOptions.WithTest(testX, mnist.Test.Labels)) optimizer forward keys[2] loader)

        let history = List.ofSeq result.History
        // Trainer.Fit evaluates after every epoch when given a test set, so every report has one.
        let test (epoch: EpochReport) = nonNull epoch.Test
        let final = (test (List.last history)).Accuracy.Value
        let seconds = history |> List.sumBy _.TrainSeconds
        printfn "final test accuracy %s%% (%.1f s of training)" ((100.0 * final).ToString("F2", CultureInfo.InvariantCulture)) seconds

        let chart = options.Extra["chart"]
        Chart.write chart
            [ { Name = "train"; Colour = "#1f77b4"; Values = history |> List.map _.TrainLoss }
              { Name = "test"; Colour = "#d62728"; Values = history |> List.map (fun e -> (test e).Loss) } ]
            [ { Name = "train"; Colour = "#1f77b4"; Values = history |> List.map (fun e -> 100.0 * e.TrainAccuracy.Value) }
              { Name = "test"; Colour = "#d62728"; Values = history |> List.map (fun e -> 100.0 * (test e).Accuracy.Value) } ]
        printfn "wrote the loss and accuracy curves to %s" chart

        Checkpoint.save options.CheckpointPath result.Model
        let reloaded = Checkpoint.load (create (Key.create (options.Seed + 1))) options.CheckpointPath
        let again = (Trainer.evaluate forward testX mnist.Test.Labels reloaded).Accuracy.Value
        printfn "reloaded %s: test accuracy %s%%%s" options.CheckpointPath ((100.0 * again).ToString("F2", CultureInfo.InvariantCulture))
            (if again = final then ", the same" else ", DIFFERENT")
        if again = final then 0 else 1
