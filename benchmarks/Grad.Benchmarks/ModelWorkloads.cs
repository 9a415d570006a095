using Autodiff.Nn;
using Autodiff.Optimizers;

namespace Autodiff.Benchmarks;

/// <summary>
/// Issue 4's model workloads, written as a user of Grad writes them: <see cref="Sequential"/> of <see cref="Linear"/>,
/// <see cref="Conv2d"/>, <see cref="MaxPool2d"/>, <see cref="Relu"/> and <see cref="Flatten"/> layers,
/// <see cref="Losses.SoftmaxCrossEntropy"/>, <see cref="Grad.ValueAndGrad{TParams}(Func{TParams, Tensor})"/> and an
/// <c>Optim</c> optimizer. <c>torch_bench.py</c> has the same workloads with <c>nn.Sequential</c> and <c>torch.optim</c>.
/// </summary>
internal static class ModelWorkloads
{
    /// <summary>The MNIST MLP of the examples: 784→128→10 with a ReLU between.</summary>
    public static Sequential MnistMlp(Key key) => Mlp(key, 784, 128, 10);

    /// <summary>A wider MLP: 784→512→512→10, ReLUs between.</summary>
    public static Sequential WideMlp(Key key) => Mlp(key, 784, 512, 512, 10);

    /// <summary>conv(1→32, 3×3, pad 1)-relu-maxpool 2-conv(32→64, 3×3, pad 1)-relu-maxpool 2-flatten-linear(3136→128)-relu-linear(128→10).</summary>
    public static Sequential Cnn(Key key)
    {
        var keys = key.Split(4);
        return new Sequential(
            Conv2d.Create(1, 32, 3, keys[0], stride: 1, padding: 1), new Relu(), new MaxPool2d(2),
            Conv2d.Create(32, 64, 3, keys[1], stride: 1, padding: 1), new Relu(), new MaxPool2d(2),
            new Flatten(),
            Linear.Create(64 * 7 * 7, 128, keys[2]), new Relu(),
            Linear.Create(128, 10, keys[3]));
    }

    /// <summary>Linear layers of the given sizes with a ReLU after every one but the last.</summary>
    private static Sequential Mlp(Key key, params int[] sizes)
    {
        var keys = key.Split(sizes.Length - 1);
        var layers = new List<ILayer>();
        for (var i = 0; i + 1 < sizes.Length; i++)
        {
            layers.Add(Linear.Create(sizes[i], sizes[i + 1], keys[i]));
            if (i + 2 < sizes.Length) layers.Add(new Relu());
        }
        return new Sequential([.. layers]);
    }

    /// <summary>A batch of 128 flat MNIST-shaped images, pixels uniform in [0, 1), and int32 labels in [0, 10).</summary>
    public static (Tensor X, Tensor Labels) MnistBatch(Key key) => Batch(key, [128, 784]);

    /// <summary>A batch of 64 MNIST-shaped images [64, 1, 28, 28], pixels uniform in [0, 1), and int32 labels in [0, 10).</summary>
    public static (Tensor X, Tensor Labels) CnnBatch(Key key) => Batch(key, [64, 1, 28, 28]);

    private static (Tensor X, Tensor Labels) Batch(Key key, int[] shape)
    {
        var (kx, ky) = key.Split();
        return (Tensor.Uniform(kx, shape), Tensor.RandomInt(ky, [shape[0]], 0, 10));
    }

    /// <summary>The mean softmax cross-entropy of the model's logits (the fused log-softmax NLL primitive).</summary>
    private static Tensor Loss(Sequential model, Tensor x, Tensor labels) => Losses.SoftmaxCrossEntropy(model.Apply(x), labels);

    /// <summary>
    /// One training step on a fixed batch, as a closure over the model and optimizer state: value and gradient of the
    /// loss, then the optimizer's update. Returns the loss.
    /// </summary>
    public static Func<Tensor> TrainStep(Func<Key, Sequential> makeModel, Func<Key, (Tensor, Tensor)> makeBatch,
        Func<GradientTransformation> makeOptimizer, Key key)
    {
        var (modelKey, batchKey) = key.Split();
        var model = makeModel(modelKey);
        var (x, labels) = makeBatch(batchKey);
        var optimizer = makeOptimizer();
        var state = optimizer.Init(model);
        var valueAndGrad = Grad.ValueAndGrad<Sequential>(m => Loss(m, x, labels));
        return () =>
        {
            var (loss, grads) = valueAndGrad(model);
            (model, state) = optimizer.Update(grads, state, model);
            return loss;
        };
    }

    public static IReadOnlyList<Workload> All { get; } =
    [
        new("mnist_mlp_sgd_step", "MLP 784→128→10 (relu), batch 128, softmax cross-entropy: ValueAndGrad + Optim.Sgd(0.01) update", () =>
        {
            var step = TrainStep(MnistMlp, MnistBatch, () => Optim.Sgd(0.01), Key.Create(20));
            return () => step();
        }),
        Forward("mnist_mlp_forward", "MLP 784→128→10 (relu), batch 128: the softmax cross-entropy loss only, no gradient, under Grad.Evaluate", MnistMlp, MnistBatch, 21),
        new("wide_mlp_adam_step", "MLP 784→512→512→10 (relu), batch 128, softmax cross-entropy: ValueAndGrad + Optim.Adam(1e-3) update", () =>
        {
            var step = TrainStep(WideMlp, MnistBatch, () => Optim.Adam(1e-3), Key.Create(22));
            return () => step();
        }),
        Update("wide_mlp_adam_update", "Optim.Adam(1e-3) update alone on the 784→512→512→10 MLP's parameters, with fixed gradients", WideMlp, MnistBatch, 23),
        new("cnn_adam_step", "CNN conv32-pool-conv64-pool-128-10, batch 64 [64, 1, 28, 28]: ValueAndGrad + Optim.Adam(1e-3) update", () =>
        {
            var step = TrainStep(Cnn, CnnBatch, () => Optim.Adam(1e-3), Key.Create(24));
            return () => step();
        }),
        Forward("cnn_forward", "CNN conv32-pool-conv64-pool-128-10, batch 64: the softmax cross-entropy loss only, no gradient, under Grad.Evaluate", Cnn, CnnBatch, 25),
        Update("cnn_adam_update", "Optim.Adam(1e-3) update alone on the CNN's parameters, with fixed gradients", Cnn, CnnBatch, 26),
        new("seed_graph", "sum(log_softmax(relu(x·W), axis 1) ⊙ m), x [128, 784], W [784, 128], m [128, 128]: value and gradient w.r.t. W", () =>
        {
            var keys = Key.Create(27).Split(3);
            var x = Tensor.Uniform(keys[0], [128, 784]);
            var w = Tensor.Normal(keys[1], [784, 128], std: 0.05);
            var m = Tensor.Uniform(keys[2], [128, 128]);
            var valueAndGrad = Grad.ValueAndGrad<Tensor>(w => (x.MatMul(w).Relu().LogSoftmax(1) * m).Sum());
            return () => valueAndGrad(w);
        }),
        new("op_chain_1000", $"{OpChain.Ops} scalar float32 ops (×1.0001, +0.001, sin, repeated; then ×1.0001): value and gradient", () =>
        {
            var x = Tensor.Scalar(0.5);
            var valueAndGrad = Grad.ValueAndGrad<Tensor>(OpChain.Apply);
            return () => valueAndGrad(x);
        }),
    ];

    private static Workload Forward(string name, string description, Func<Key, Sequential> makeModel, Func<Key, (Tensor, Tensor)> makeBatch, int seed) =>
        new(name, description, () =>
        {
            var (modelKey, batchKey) = Key.Create(seed).Split();
            var model = makeModel(modelKey);
            var (x, labels) = makeBatch(batchKey);
            // Grad.Evaluate is Grad's inference call (as torch.no_grad is PyTorch's): the activations go back to the
            // pool when it returns, where a plain call would leave several MiB per call to the garbage collector.
            return () => Grad.Evaluate(_ => Loss(model, x, labels).Item<float>(), 0);
        });

    /// <summary>The optimizer's update alone: the gradients are computed once, untimed, and reused every call.</summary>
    private static Workload Update(string name, string description, Func<Key, Sequential> makeModel, Func<Key, (Tensor, Tensor)> makeBatch, int seed) =>
        new(name, description, () =>
        {
            var (modelKey, batchKey) = Key.Create(seed).Split();
            var model = makeModel(modelKey);
            var (x, labels) = makeBatch(batchKey);
            var grads = Grad.ValueAndGrad<Sequential>(m => Loss(m, x, labels))(model).Grad;
            var optimizer = Optim.Adam(1e-3);
            var state = optimizer.Init(model);
            return () =>
            {
                (model, state) = optimizer.Update(grads, state, model);
                return model;
            };
        });
}

/// <summary>
/// A chain of <see cref="Ops"/> elementwise ops on a scalar: (×1.0001, +0.001, sin) 333 times, then ×1.0001. The
/// arithmetic is nothing; the time is what every op costs in dispatch, taping and the backward pass.
/// </summary>
internal static class OpChain
{
    public const int Ops = 1000;

    public static Tensor Apply(Tensor x)
    {
        for (var i = 0; i < (Ops - 1) / 3; i++) x = (x * 1.0001 + 0.001).Sin();
        return x * 1.0001;
    }
}
