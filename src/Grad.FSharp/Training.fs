namespace Autodiff.FSharp

open System
open Autodiff
open Autodiff.Data
open Autodiff.Nn
open Autodiff.Optimizers
open Autodiff.Training

/// F# forms of `Autodiff.Training.Trainer`: a training loop as a function of the model, optimizer and data.
[<RequireQualifiedAccess>]
module Trainer =
    let private forwardOf (forward: 'T -> Mode -> Tensor -> Tensor) =
        Func<'T, Tensor, Mode, Tensor>(fun model x mode -> forward model mode x)

    /// Trains `model` for one epoch per `options.Epochs` with softmax cross-entropy (or `options.Loss`);
    /// `forward model mode x` gives the outputs. Returns the trained model, the optimizer state and the history.
    let fitWith (options: FitOptions) (optimizer: GradientTransformation) (forward: 'T -> Mode -> Tensor -> Tensor)
                (key: Key) (data: DataLoader<struct (Tensor * Tensor)>) (model: 'T) : FitResult<'T> =
        Trainer.Fit(model, optimizer, data, forwardOf forward, key, options)

    /// `fitWith` for `epochs` epochs, evaluating on `test` (inputs, labels) after each.
    let fit (epochs: int) (test: Tensor * Tensor) (optimizer: GradientTransformation) (forward: 'T -> Mode -> Tensor -> Tensor)
            (key: Key) (data: DataLoader<struct (Tensor * Tensor)>) (model: 'T) : FitResult<'T> =
        let testX, testY = test
        fitWith (FitOptions(Epochs = epochs).WithTest(testX, testY)) optimizer forward key data model

    /// `fitWith` for a model with state threaded through its forward pass (batch-norm statistics):
    /// `forward model state mode x` gives (outputs, next state); returns the trained model and its final state.
    let fitWithState (options: FitOptions) (optimizer: GradientTransformation) (forward: 'T -> 'S -> Mode -> Tensor -> Tensor * 'S)
                     (key: Key) (data: DataLoader<struct (Tensor * Tensor)>) (model: 'T, state: 'S) : FitResult<'T, 'S> =
        let step = Func<'T, Tensor, 'S, Mode, struct (Tensor * 'S)>(fun m x s mode -> let y, next = forward m s mode x in struct (y, next))
        Trainer.Fit(model, state, optimizer, data, step, key, options)

    /// Mean softmax cross-entropy and accuracy of `model` in inference mode over (x, labels).
    let evaluate (forward: 'T -> Mode -> Tensor -> Tensor) (x: Tensor) (labels: Tensor) (model: 'T) : Evaluation =
        Trainer.Evaluate(model, forwardOf forward, x, labels)
