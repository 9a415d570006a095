using Autodiff;

// Synthetic data: y = x·[2, −1, 0.5] + 0.3, with x drawn from an explicit PRNG key.
var x = Tensor.Normal(Key.Create(42), [64, 3], dtype: DType.Float64);
var y = x.MatMul(Tensor.FromArray([2.0, -1.0, 0.5], 3)) + 0.3;

// The model is a record of tensors: it is its own parameter tree.
var model = new Linear(Tensor.Zeros(DType.Float64, 3), Tensor.Zeros(DType.Float64));
Func<Linear, Tensor> loss = m => (x.MatMul(m.W) + m.B - y).Square().Mean();

for (var step = 0; step < 300; step++)
{
    var (value, grad) = Grad.ValueAndGrad(loss)(model);   // grad is a Linear too
    model = Tree.Map(model, grad, (p, g) => p - 0.1 * g);
}
Console.WriteLine($"loss {loss(model).Item<double>():E1}");
Console.WriteLine($"w = {string.Join(", ", model.W.ToArray<double>().Select(v => v.ToString("F3")))}, b = {model.B.Item<double>():F3}");

// Transforms nest: the second derivative of sin is −sin.
var d2Sin = Grad.Gradient<Tensor>(Grad.Gradient<Tensor>(t => t.Sin()));
Console.WriteLine($"d²/dx² sin(x) at 1 = {d2Sin(Tensor.Scalar(1.0, DType.Float64)).Item<double>():F6}, −sin(1) = {-Math.Sin(1):F6}");

record Linear(Tensor W, Tensor B);
