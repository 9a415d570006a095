/// Trainer.Fit and Trainer.Evaluate: they learn a synthetic problem, report what they did, are pure functions of
/// their arguments, and refuse bad options by name.
module TrainingTests

open System
open Xunit
open Autodiff
open Autodiff.Data
open Autodiff.Nn
open Autodiff.Optimizers
open Autodiff.Training
open Numeric

let private key (seed: int) = Key.Create(int64 seed)

/// Four Gaussian blobs in 3-D (float32), labelled by blob, with a fixed shuffle of the rows.
let private blobs (n: int) (seed: int) =
    let labels = Array.init n (fun i -> i % 4)
    let centre c d = if d = c % 3 then (if c < 3 then 2.0f else -2.0f) else 0.0f
    let noise = Init.Normal(key seed, [| n; 3 |]) |> doubles
    let x = Array.init (n * 3) (fun k -> centre labels.[k / 3] (k % 3) + 0.5f * float32 noise.[k])
    Tensor.FromArray(x, n, 3), Tensor.FromArray(labels, n)

let private model0 () = Sequential(Linear.Create(3, 16, key 1), Relu(), Dropout(0.1), Linear.Create(16, 4, key 2))
let private forward = Func<Sequential, Tensor, Mode, Tensor>(fun m x mode -> m.Apply(x, mode))

let private fit (epochs: int) (onStep: StepReport -> unit) =
    let x, y = blobs 200 10
    let testX, testY = blobs 100 11
    let loader = DataLoader.Create(struct (x, y), 32, key 3)
    let options = FitOptions(Epochs = epochs, OnStep = Action<StepReport> onStep).WithTest(testX, testY)
    Trainer.Fit(model0 (), Optim.Adam(Schedule.op_Implicit 0.05), loader, forward, key 4, options), loader

[<Fact>]
let ``Fit learns a synthetic four-class problem and reports every epoch and step`` () =
    let steps = ResizeArray<StepReport>()
    let result, loader = fit 8 steps.Add
    Assert.Equal(8, result.History.Count)
    Assert.Equal(8 * loader.BatchCount, steps.Count)
    Assert.Equal<int list>([ 1 .. 8 ], [ for e in result.History -> e.Epoch ])
    Assert.True(steps |> Seq.forall (fun s -> s.StepsInEpoch = 7 && s.Step >= 1 && s.Step <= 7 && s.Accuracy.HasValue))
    let first, last = result.History.[0], result.History.[7]
    let test (e: EpochReport) = match e.Test with null -> failwith "no test evaluation" | t -> t
    Assert.True(last.TrainLoss < 0.2 && last.TrainLoss < first.TrainLoss / 3.0, sprintf "train loss %g -> %g" first.TrainLoss last.TrainLoss)
    Assert.True((test last).Accuracy.Value > 0.95, sprintf "test accuracy %g" (test last).Accuracy.Value)
    Assert.Equal(100, (test last).Count)
    Assert.True(last.SamplesPerSecond > 0.0 && last.TrainSeconds > 0.0)
    // The epoch's train loss is the example-weighted mean of its steps' losses (the last batch has 8 examples).
    let epoch8 = steps |> Seq.filter (fun s -> s.Epoch = 8) |> Seq.toArray
    let weighted = epoch8 |> Array.mapi (fun i s -> s.Loss * (if i = 6 then 8.0 else 32.0)) |> Array.sum
    Assert.Equal(weighted / 200.0, last.TrainLoss, 12)

[<Fact>]
let ``Fit is a pure function of its arguments: the same key gives the same model, another key another`` () =
    let a, _ = fit 2 ignore
    let b, _ = fit 2 ignore
    let leaves (m: Sequential) = Tree.Leaves m |> Array.collect doubles
    Assert.Equal<float[]>(leaves a.Model, leaves b.Model)
    let x, y = blobs 200 10
    let other = Trainer.Fit(model0 (), Optim.Adam(Schedule.op_Implicit 0.05), DataLoader.Create(struct (x, y), 32, key 3), forward, key 5,
                            FitOptions(Epochs = 2))
    Assert.NotEqual<float[]>(leaves a.Model, leaves other.Model)
    Assert.Null(other.History.[0].Test)

[<Fact>]
let ``Evaluate gives the mean loss and accuracy over all examples whatever the batch size`` () =
    let x, y = blobs 103 12
    let model = model0 ()
    let logits = model.Apply x
    let expectedLoss = Losses.SoftmaxCrossEntropy(logits, y).Item<float32>() |> float
    let expectedAccuracy = Losses.Accuracy(logits, y).Item<float32>() |> float
    for batch in [ 1; 10; 103; 1000 ] do
        let e = Trainer.Evaluate(model, forward, x, y, batchSize = batch)
        Assert.Equal(103, e.Count)
        Assert.True(abs (e.Loss - expectedLoss) < 1e-5, sprintf "batch %d: loss %g vs %g" batch e.Loss expectedLoss)
        Assert.Equal(expectedAccuracy, e.Accuracy.Value, 6)
    // A regression loss: no accuracy, and the loss is the mean over all examples of the mean squared output.
    let regression = Trainer.Evaluate(model, forward, x, Tensor.Zeros(103, 4),
                                      Func<Tensor, Tensor, Tensor>(fun p t -> Losses.Mse(p, t)), classification = false, batchSize = 10)
    Assert.False(regression.Accuracy.HasValue)
    Assert.True(abs (regression.Loss - float (logits.Square().Mean().Item<float32>())) < 1e-5)

[<Fact>]
let ``Fit and Evaluate name the problem with bad options and mismatched data`` () =
    let x, y = blobs 20 13
    let loader = DataLoader.Create(struct (x, y), 4)
    let e = Assert.Throws<ArgumentException>(fun () ->
        Trainer.Fit(model0 (), Optim.Sgd(Schedule.op_Implicit 0.1), loader, forward, key 0, FitOptions(Epochs = 0)) |> ignore)
    Assert.Contains("Trainer.Fit: 0 epochs", e.Message)
    let e = Assert.Throws<ArgumentException>(fun () -> Trainer.Evaluate(model0 (), forward, x, y.Slice(0, 0, 10)) |> ignore)
    Assert.Contains("Trainer.Evaluate", e.Message)
    Assert.Contains("[20, 3]", e.Message)
    Assert.Contains("[10]", e.Message)

[<Fact>]
let ``the stateful Fit threads batch-norm statistics from step to step and evaluates with the final ones`` () =
    let x, y = blobs 200 14
    let testX, testY = blobs 100 15
    let model = Sequential(Linear.Create(3, 16, key 6), BatchNorm.Create(16), Relu(), Linear.Create(16, 4, key 7))
    let forward = Func<Sequential, Tensor, (obj | null)[], Mode, struct (Tensor * (obj | null)[])>(fun m x s mode -> m.Apply(x, s, mode))
    let options = FitOptions(Epochs = 4).WithTest(testX, testY)
    let initialState = model.InitialState()
    let result = Trainer.Fit(model, initialState, Optim.Adam(Schedule.op_Implicit 0.05), DataLoader.Create(struct (x, y), 32, key 8), forward, key 9, options)
    let stats = match result.State.[1] with :? BatchNormState as s -> s | other -> failwithf "layer 1 state is %A" other
    // The running mean left zero and moved to the hidden layer's batch means; the test set is classified with it.
    Assert.True(doubles stats.RunningMean |> Array.exists (fun m -> abs m > 1e-2), "running mean still at zero")
    let test = match result.History.[3].Test with null -> failwith "no test evaluation" | t -> t
    Assert.True(test.Accuracy.Value > 0.95, sprintf "test accuracy %g" test.Accuracy.Value)
    // The reported evaluation is the model in inference mode with the returned state, exactly.
    let struct (logits, _) = result.Model.Apply(testX, result.State, Mode.Inference)
    Assert.Equal(float (Losses.Accuracy(logits, testY).Item<float32>()), test.Accuracy.Value, 6)
    // The state passed in was not mutated: it still holds zeros.
    let initial = match initialState.[1] with :? BatchNormState as s -> s | other -> failwithf "%A" other
    Assert.True(doubles initial.RunningMean |> Array.forall (fun m -> m = 0.0))

[<Fact>]
let ``the F# fitWithState runs the same stateful loop`` () =
    let x, y = blobs 200 16
    let model = Sequential(Linear.Create(3, 8, key 10), BatchNorm.Create(8), Relu(), Linear.Create(8, 4, key 11))
    let forward (m: Sequential) (s: (obj | null)[]) (mode: Mode) (input: Tensor) = let struct (out, next) = m.Apply(input, s, mode) in out, next
    let loader = Autodiff.FSharp.DataLoader.shuffled (key 12) 32 (struct (x, y))
    let viaFSharp = Autodiff.FSharp.Trainer.fitWithState (FitOptions(Epochs = 2)) (Optim.Adam(Schedule.op_Implicit 0.05)) forward (key 13) loader (model, model.InitialState())
    let viaCSharp =
        Trainer.Fit(model, model.InitialState(), Optim.Adam(Schedule.op_Implicit 0.05), loader,
                    Func<Sequential, Tensor, (obj | null)[], Mode, struct (Tensor * (obj | null)[])>(fun m i s mode -> m.Apply(i, s, mode)), key 13, FitOptions(Epochs = 2))
    let leaves (m: Sequential) = Tree.Leaves m |> Array.collect doubles
    Assert.Equal<float[]>(leaves viaCSharp.Model, leaves viaFSharp.Model)
    Assert.Equal<float[]>(Tree.Leaves viaCSharp.State |> Array.collect doubles, Tree.Leaves viaFSharp.State |> Array.collect doubles)
    Assert.Equal(2, viaFSharp.History.Count)
