// Trains a two-layer perceptron on MNIST with minibatch SGD with momentum, using only Grad's core:
// a record of tensors is the parameter tree, Grad.ValueAndGrad gives the gradient in the same shape,
// and Tree.Map updates parameters and momentum leaf by leaf.
using System.Diagnostics;
using System.Globalization;
using Autodiff;
using Autodiff.Examples.Mnist;

var epochs = args.Length > 0 ? int.Parse(args[0]) : 5;
var dataDirectory = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "data", "mnist");
var (train, test) = MnistData.Load(Path.GetFullPath(dataDirectory));
Console.WriteLine($"train {train.Images.ShapeText}, test {test.Images.ShapeText}");

const int batchSize = 128;
const double learningRate = 0.05;
const double momentum = 0.9;
var key = Key.Create(0);
var (initKey, shuffleKey) = key.Split();
var model = Mlp.Create(784, 256, 10, initKey);
var velocity = Tree.ZerosLike(model);

Tensor Loss(Mlp m, Tensor x, Tensor y) => -(m.Apply(x).LogSoftmax(1) * Tensor.OneHot(y, 10)).Sum() / x.Shape[0];

var clock = Stopwatch.StartNew();
for (var epoch = 1; epoch <= epochs; epoch++)
{
    var order = Tensor.Permutation(shuffleKey.FoldIn(epoch), train.Count);
    var lossSum = 0.0;
    var batches = train.Count / batchSize;
    for (var b = 0; b < batches; b++)
    {
        var index = order.Slice(0, b * batchSize, (b + 1) * batchSize);
        var x = train.Images.IndexSelect(0, index);
        var y = train.Labels.IndexSelect(0, index);
        var (loss, grads) = Grad.ValueAndGrad<Mlp>(m => Loss(m, x, y))(model);
        velocity = Tree.Map(velocity, grads, (v, g) => momentum * v + g);
        model = Tree.Map(model, velocity, (p, v) => p - learningRate * v);
        lossSum += loss.Item<double>();
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {epoch}: mean loss {lossSum / batches:F4}, test accuracy {100 * Accuracy(model, test):F2}% ({clock.Elapsed.TotalSeconds:F1} s)"));
}

static double Accuracy(Mlp model, MnistSplit split)
{
    var predicted = model.Apply(split.Images).ArgMax(1).ToArray<int>();
    var labels = split.Labels.ToArray<int>();
    return predicted.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;
}

/// <summary>A two-layer perceptron: relu(x·W1 + b1)·W2 + b2. A record of tensors is its own parameter tree.</summary>
internal sealed record Mlp(Tensor W1, Tensor B1, Tensor W2, Tensor B2)
{
    public static Mlp Create(int inputs, int hidden, int outputs, Key key)
    {
        var keys = key.Split(2);
        // He-uniform for the relu layer, Glorot-uniform for the output layer.
        var bound1 = Math.Sqrt(6.0 / inputs);
        var bound2 = Math.Sqrt(6.0 / (hidden + outputs));
        return new Mlp(
            Tensor.Uniform(keys[0], [inputs, hidden], -bound1, bound1),
            Tensor.Zeros(hidden),
            Tensor.Uniform(keys[1], [hidden, outputs], -bound2, bound2),
            Tensor.Zeros(outputs));
    }

    public Tensor Apply(Tensor x) => (x.MatMul(W1) + B1).Relu().MatMul(W2) + B2;
}
