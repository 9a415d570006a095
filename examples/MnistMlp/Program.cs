// The seed model: a 784-128-10 ReLU perceptron trained on MNIST with Adam and a cosine learning-rate schedule.
// The model is a Sequential record, so Grad.ValueAndGrad differentiates it whole; Trainer.Fit runs the loop;
// the trained model is saved as safetensors, loaded back into a fresh model and evaluated again.
using System.Globalization;
using Autodiff;
using Autodiff.Checkpoints;
using Autodiff.Data;
using Autodiff.Examples;
using Autodiff.Nn;
using Autodiff.Optimizers;
using Autodiff.Training;

var options = ExampleOptions.Parse(args, new ExampleOptions
{
    Epochs = 10,
    BatchSize = 128,
    LearningRate = 1e-3,
    CheckpointPath = "mnist-mlp.safetensors",
}, "MnistMlp");
if (options is null) return 0;
Console.WriteLine($"MnistMlp: {options.Describe()}");

var mnist = Mnist.Load(new DatasetOptions { Directory = options.DataDirectory, Log = Console.Out });
var (train, test) = (mnist.Train, mnist.Test);
var trainX = Mnist.Normalizer.Apply(train.Images);
var testX = Mnist.Normalizer.Apply(test.Images);
Console.WriteLine($"train {trainX.ShapeText}, test {testX.ShapeText}");

var (initKey, shuffleKey, dropoutKey) = Key.Create(options.Seed).Split(3) switch { var k => (k[0], k[1], k[2]) };
var (key1, key2) = initKey.Split();
var model = new Sequential(Linear.Create(784, 128, key1), new Relu(), Linear.Create(128, 10, key2));

var loader = DataLoader.Create((trainX, train.Labels), options.BatchSize, shuffleKey);
var optimizer = Optim.Adam(Schedule.CosineAnnealing(options.LearningRate, options.Epochs * loader.BatchCount));
Func<Sequential, Tensor, Mode, Tensor> forward = (m, x, mode) => m.Apply(x, mode);

var result = TrainingDisplay.Run(options.Epochs, (onStep, onEpoch) =>
    Trainer.Fit(model, optimizer, loader, forward, dropoutKey,
        new FitOptions { Epochs = options.Epochs, OnStep = onStep, OnEpoch = onEpoch }.WithTest(testX, test.Labels)));

var accuracy = result.History[^1].Test!.Accuracy!.Value;
var seconds = result.History.Sum(epoch => epoch.TrainSeconds);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"final test accuracy {100 * accuracy:F2}% ({seconds:F1} s of training)"));

Checkpoint.Save(options.CheckpointPath, result.Model);
// A fresh, differently initialised model of the same structure is the template the checkpoint fills.
var (fresh1, fresh2) = Key.Create(options.Seed + 1).Split();
var template = new Sequential(Linear.Create(784, 128, fresh1), new Relu(), Linear.Create(128, 10, fresh2));
var reloaded = Checkpoint.Load(options.CheckpointPath, template);
var reloadedAccuracy = Trainer.Evaluate(reloaded, forward, testX, test.Labels).Accuracy!.Value;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"reloaded {options.CheckpointPath}: test accuracy {100 * reloadedAccuracy:F2}%{(reloadedAccuracy == accuracy ? ", the same" : ", DIFFERENT")}"));
return reloadedAccuracy == accuracy ? 0 : 1;
