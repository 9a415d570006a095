namespace Autodiff.FSharp

open System
open Autodiff
open Autodiff.Optimizers

/// F# forms of `Autodiff.Optimizers.Schedule`: learning rates as pure functions of the completed step count.
[<RequireQualifiedAccess>]
module Schedule =
    /// A schedule from a pure function of the step count (0 for the first update).
    let ofFunction (rate: int -> float) : Schedule = Schedule(Func<int, float> rate)

    /// The same rate at every step.
    let constant (lr: float) : Schedule = Schedule.Constant lr

    /// torch's StepLR: lr · gamma^⌊k / stepSize⌋.
    let step (lr: float) (stepSize: int) (gamma: float) : Schedule = Schedule.Step(lr, stepSize, gamma)

    /// torch's ExponentialLR: lr · gamma^k.
    let exponential (lr: float) (gamma: float) : Schedule = Schedule.Exponential(lr, gamma)

    /// torch's CosineAnnealingLR (closed form): etaMin + (lr − etaMin)·(1 + cos(π·k / tMax)) / 2.
    let cosineAnnealing (lr: float) (tMax: int) (etaMin: float) : Schedule = Schedule.CosineAnnealing(lr, tMax, etaMin)

    /// Linear warmup from 0 to peakLr over warmupSteps, then cosine decay to 0 over decaySteps.
    let warmupCosine (peakLr: float) (warmupSteps: int) (decaySteps: int) : Schedule = Schedule.WarmupCosine(peakLr, warmupSteps, decaySteps)

    /// The rate for the update after `step` completed updates.
    let at (step: int) (schedule: Schedule) : float = schedule.At step

/// F# forms of `Autodiff.Optimizers.Optim`: torch.optim's optimizers with their default hyper-parameters (for the others,
/// call `Autodiff.Optimizers.Optim.Adam(lr, amsgrad = true)` and the like with named arguments), and `init`/`update`.
[<RequireQualifiedAccess>]
module Optim =
    /// torch.optim.SGD with learning rate `lr` and no momentum.
    let sgd (lr: Schedule) : GradientTransformation = Optimizers.Optim.Sgd lr

    /// torch.optim.SGD with momentum (no dampening, no Nesterov).
    let sgdMomentum (lr: Schedule) (momentum: float) : GradientTransformation = Optimizers.Optim.Sgd(lr, momentum = momentum)

    /// torch.optim.Adam with betas (0.9, 0.999), eps 1e-8, no weight decay.
    let adam (lr: Schedule) : GradientTransformation = Optimizers.Optim.Adam lr

    /// torch.optim.AdamW with decoupled weight decay `weightDecay`.
    let adamW (lr: Schedule) (weightDecay: float) : GradientTransformation = Optimizers.Optim.AdamW(lr, weightDecay = weightDecay)

    /// torch.optim.RMSprop with alpha 0.99, eps 1e-8.
    let rmsProp (lr: Schedule) : GradientTransformation = Optimizers.Optim.RmsProp lr

    /// torch.optim.Adagrad with eps 1e-10.
    let adagrad (lr: Schedule) : GradientTransformation = Optimizers.Optim.Adagrad lr

    /// Scales the gradients to a global 2-norm of at most `maxNorm` (torch's clip_grad_norm_).
    let clipByGlobalNorm (maxNorm: float) : GradientTransformation = Optimizers.Optim.ClipByGlobalNorm maxNorm

    /// Clamps every gradient element to [−clipValue, clipValue] (torch's clip_grad_value_).
    let clipByValue (clipValue: float) : GradientTransformation = Optimizers.Optim.ClipByValue clipValue

    /// The transformations applied in order: `Optim.chain [ Optim.clipByGlobalNorm 1.0; Optim.adam lr ]`.
    let chain (parts: GradientTransformation list) : GradientTransformation = Optimizers.Optim.Chain(Array.ofList parts)

    /// The initial state of `optimizer` for `parameters`.
    let init (optimizer: GradientTransformation) (parameters: 'T) : OptState = optimizer.Init parameters

    /// One step: the new parameters and state, `let p, s = Optim.update opt grads state p`.
    let update (optimizer: GradientTransformation) (grads: 'T) (state: OptState) (parameters: 'T) : 'T * OptState =
        let struct (p, s) = optimizer.Update(grads, state, parameters) in p, s

    /// The updates to add to the parameters (Optax's update) and the new state, without applying them.
    let computeUpdates (optimizer: GradientTransformation) (grads: 'T) (state: OptState) (parameters: 'T) : 'T * OptState =
        let struct (u, s) = optimizer.ComputeUpdates(grads, state, parameters) in u, s
