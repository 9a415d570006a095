namespace Autodiff.FSharp

open Autodiff
open Autodiff.Nn

/// F# forms of `Autodiff.Nn.Init`: initialisers of (key, shape), float32 unless a dtype is given.
[<RequireQualifiedAccess>]
module Init =
    /// Zeros (the key is unused).
    let zeros (key: Key) (shape: int[]) : Tensor = Init.Zeros(key, shape)

    /// Ones (the key is unused).
    let ones (key: Key) (shape: int[]) : Tensor = Init.Ones(key, shape)

    /// N(mean, std²) entries.
    let normal (mean: float) (std: float) (key: Key) (shape: int[]) : Tensor = Init.Normal(key, shape, DType.Float32, mean, std)

    /// U[low, high) entries.
    let uniform (low: float) (high: float) (key: Key) (shape: int[]) : Tensor = Init.Uniform(key, shape, DType.Float32, low, high)

    /// Xavier (Glorot) uniform with the given gain: U(±gain·√(6 / (fan in + fan out))).
    let xavierUniform (gain: float) (key: Key) (shape: int[]) : Tensor = Init.XavierUniform(key, shape, DType.Float32, gain)

    /// Xavier (Glorot) normal with the given gain: N(0, (gain·√(2 / (fan in + fan out)))²).
    let xavierNormal (gain: float) (key: Key) (shape: int[]) : Tensor = Init.XavierNormal(key, shape, DType.Float32, gain)

    /// Kaiming (He) uniform: U(±√3·gain/√fan), the gain of `nonlinearity` with slope `a`, the fan chosen by `mode`.
    let kaimingUniform (a: float) (mode: FanMode) (nonlinearity: Nonlinearity) (key: Key) (shape: int[]) : Tensor = Init.KaimingUniform(key, shape, DType.Float32, a, mode, nonlinearity)

    /// Kaiming (He) normal: N(0, (gain/√fan)²).
    let kaimingNormal (a: float) (mode: FanMode) (nonlinearity: Nonlinearity) (key: Key) (shape: int[]) : Tensor = Init.KaimingNormal(key, shape, DType.Float32, a, mode, nonlinearity)

    /// The recommended gain of a nonlinearity (PyTorch's calculate_gain); `slope` is leaky ReLU's.
    let gain (nonlinearity: Nonlinearity) (slope: float) : float = Init.Gain(nonlinearity, slope)

    /// Fan in and fan out of a parameter shape: [in, out] for a matrix, [out, in, k…] for a kernel.
    let fans (shape: int[]) : int * int = let struct (i, o) = Init.Fans shape in i, o

/// F# forms of `Autodiff.Nn` layers: constructors with PyTorch's initialisation, and apply functions taking the input last.
[<RequireQualifiedAccess>]
module Layer =
    /// y = x·W + b with W: [in, out], initialised as PyTorch's nn.Linear.
    let linear (inFeatures: int) (outFeatures: int) (key: Key) : Linear = Linear.Create(inFeatures, outFeatures, key)

    /// An embedding table [count, dim] with N(0, 1) entries.
    let embedding (count: int) (dim: int) (key: Key) : Embedding = Embedding.Create(count, dim, key)

    /// Layer normalisation over trailing axes of the given shape, γ = 1 and β = 0.
    let layerNorm (normalizedShape: int[]) : LayerNorm = LayerNorm.Create normalizedShape

    /// Batch normalisation over axis 1 with C channels, γ = 1, β = 0, eps 1e-5, momentum 0.1.
    let batchNorm (channels: int) : BatchNorm = BatchNorm.Create channels

    /// Inverted dropout with drop probability p.
    let dropout (p: float) : Dropout = Dropout p

    /// 2-D convolution with k×k kernels (stride 1, no padding), initialised as PyTorch's nn.Conv2d.
    let conv2d (inChannels: int) (outChannels: int) (kernelSize: int) (key: Key) : Conv2d = Conv2d.Create(inChannels, outChannels, kernelSize, key)

    /// 2-D convolution with k×k kernels and the given stride and padding, initialised as PyTorch's nn.Conv2d.
    let conv2dWith (inChannels: int) (outChannels: int) (kernelSize: int) (stride: int) (padding: int) (key: Key) : Conv2d = Conv2d.Create(inChannels, outChannels, kernelSize, key, stride, padding)

    /// Transposed 2-D convolution with k×k kernels and the given stride, initialised as PyTorch's nn.ConvTranspose2d.
    let convTranspose2d (inChannels: int) (outChannels: int) (kernelSize: int) (stride: int) (key: Key) : ConvTranspose2d = ConvTranspose2d.Create(inChannels, outChannels, kernelSize, key, stride)

    /// Max pooling over k×k windows moving by k.
    let maxPool2d (kernel: int) : MaxPool2d = MaxPool2d kernel

    /// Average pooling over k×k windows moving by k.
    let avgPool2d (kernel: int) : AvgPool2d = AvgPool2d kernel

    /// The mean over the spatial axes, [N, C, H, W] → [N, C].
    let globalAvgPool2d : GlobalAvgPool2d = GlobalAvgPool2d()

    /// Layers applied in order.
    let sequential (layers: seq<ILayer>) : Sequential = Sequential(Seq.toArray layers)

    /// Runs a layer without state or randomness: `x |> Layer.apply linear`.
    let apply (layer: IStatelessLayer) (x: Tensor) : Tensor = layer.Apply x

    /// Runs any layer with its state in a mode, returning the output and the new state.
    let applyWith (layer: ILayer) (state: obj | null) (mode: Mode) (x: Tensor) : Tensor * (obj | null) = let struct (y, s) = layer.Apply(x, state, mode) in y, s

    /// The layer's non-trainable state as created (null when it keeps none).
    let initialState (layer: ILayer) : obj | null = layer.InitialState()

/// F# forms of `Autodiff.Nn.Mode`: inference, or training with a key.
[<RequireQualifiedAccess>]
module Mode =
    /// Inference: dropout is the identity, batch norm reads its running statistics.
    let inference : Mode = Mode.Inference

    /// Training with `key` for the random layers.
    let train (key: Key) : Mode = Mode.Train key

/// F# forms of `Autodiff.Nn.Losses`, mean-reduced unless a reduction is given; the targets come first, the predictions last.
[<RequireQualifiedAccess>]
module Losses =
    /// Mean softmax cross-entropy of logits [..., C] against int32 labels, fused and stable.
    let softmaxCrossEntropy (labels: Tensor) (logits: Tensor) : Tensor = Losses.SoftmaxCrossEntropy(logits, labels)

    /// Softmax cross-entropy with label smoothing ε and the given reduction.
    let softmaxCrossEntropyWith (labelSmoothing: float) (reduction: Reduction) (labels: Tensor) (logits: Tensor) : Tensor = Losses.SoftmaxCrossEntropy(logits, labels, labelSmoothing, reduction)

    /// Mean negative log-likelihood from log-probabilities [..., C] and int32 labels.
    let nll (labels: Tensor) (logProbabilities: Tensor) : Tensor = Losses.Nll(logProbabilities, labels)

    /// Mean squared error between predictions and targets of one shape.
    let mse (targets: Tensor) (predictions: Tensor) : Tensor = Losses.Mse(predictions, targets)

    /// Mean absolute error between predictions and targets of one shape.
    let l1 (targets: Tensor) (predictions: Tensor) : Tensor = Losses.L1(predictions, targets)

    /// Mean binary cross-entropy from logits against targets in [0, 1], stable for any finite logit.
    let binaryCrossEntropyWithLogits (targets: Tensor) (logits: Tensor) : Tensor = Losses.BinaryCrossEntropyWithLogits(logits, targets)

    /// The fraction of rows whose largest logit is at their int32 label (a float32 scalar).
    let accuracy (labels: Tensor) (logits: Tensor) : Tensor = Losses.Accuracy(logits, labels)
