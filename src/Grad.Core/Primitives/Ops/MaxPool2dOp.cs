using System.Numerics;

namespace Autodiff;

/// <summary>A max-pooling window: its size, and how it moves (stride, padding with −∞, dilation) as a convolution's would.</summary>
/// <param name="KernelHeight">Window rows.</param>
/// <param name="KernelWidth">Window columns.</param>
/// <param name="Window">Stride, padding and dilation of the window (groups unused, 1).</param>
public sealed record MaxPool2dParams(int KernelHeight, int KernelWidth, Conv2dParams Window) : OpParams;

/// <summary>
/// y = max_pool2d(x): x [N, C, H, W] → [N, C, OH, OW], y[n, c, a, b] = the maximum of x[n, c] over the window at
/// (a·sh − top, b·sw − left) with taps dilation apart; padding counts as −∞. Tie rule: as <see cref="MaxOp"/>, tied
/// maxima of a window share its derivative equally. JVP: <see cref="MaxPool2dGatherOp"/>(x, tx), the mean of tx over
/// each window's maxima; VJP: <see cref="MaxPool2dScatterOp"/>(x, gy), gy shared among them. Those two are linear in
/// their second input and locally constant in x, and each one's derivative is the other, so the set is closed under
/// differentiation while every kernel stays a direct loop over windows.
/// </summary>
public sealed class MaxPool2dOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly MaxPool2dOp Instance = new();

    private MaxPool2dOp() : base("max_pool2d") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(MaxPool2dParams);

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x [N ≤ 2, C ≤ 3, H, W ≤ 6] with distinct values, window 1–3, stride 1–3, padding ≤ half the window, dilation 1–2",
        s => SampleWindow(s, (_, _) => []));

    /// <summary>Draws a small window, an input with distinct values (so that no window has tied maxima), and further inputs given the shapes of x and y.</summary>
    internal static OpCase SampleWindow(CaseSampler s, Func<int[], int[], Tensor[]> inputs)
    {
        while (true)
        {
            int kh = s.Int(1, 3), kw = s.Int(1, 3), dh = s.Int(1, 2), dw = s.Int(1, 2);
            int spanH = dh * (kh - 1) + 1, spanW = dw * (kw - 1) + 1;
            var window = new Conv2dParams(s.Int(1, 3), s.Int(1, 3),
                new Padding2d(s.Int(0, spanH / 2), s.Int(0, spanH / 2), s.Int(0, spanW / 2), s.Int(0, spanW / 2)), dh, dw, 1);
            int h = s.Int(Math.Max(1, spanH - window.Padding.Top - window.Padding.Bottom), 6);
            int w = s.Int(Math.Max(1, spanW - window.Padding.Left - window.Padding.Right), 6);
            var g = ConvGeometry.Create("max_pool2d", [1, 1, h, w], 1, 1, kh, kw, window);
            if (EmptyWindow(h, g.OH, kh, window.StrideHeight, window.Padding.Top, dh) >= 0 || EmptyWindow(w, g.OW, kw, window.StrideWidth, window.Padding.Left, dw) >= 0)
                continue;
            int[] shape = [s.Int(1, 2), s.Int(1, 3), h, w];
            return new OpCase([s.DistinctFloats(shape, -3, 3), .. inputs(shape, [shape[0], shape[1], g.OH, g.OW])], new MaxPool2dParams(kh, kw, window));
        }
    }

    /// <summary>The first output index along an axis whose window has no tap inside [0, n), or −1 if every window has one.</summary>
    private static int EmptyWindow(int n, int outputs, int kernel, int stride, int padBefore, int dilation)
    {
        for (var a = 0; a < outputs; a++)
        {
            var touches = false;
            for (var i = 0; i < kernel && !touches; i++)
            {
                var position = a * stride - padBefore + i * dilation;
                touches = position >= 0 && position < n;
            }
            if (!touches) return a;
        }
        return -1;
    }

    /// <summary>Checks x and the window and returns the geometry of the window's movement, as a one-channel convolution per plane.</summary>
    internal static ConvGeometry Geometry(Tensor x, MaxPool2dParams p)
    {
        var what = $"max_pool2d of {x.DType.Name()} {x.ShapeText} with a {p.KernelHeight}×{p.KernelWidth} window";
        x.RequireFloat("max_pool2d");
        if (x.Rank != 4)
            throw new ArgumentException($"{what}: needs x of rank 4 [N, C, H, W]");
        var wp = p.Window;
        int spanH = wp.DilationHeight * (p.KernelHeight - 1) + 1, spanW = wp.DilationWidth * (p.KernelWidth - 1) + 1;
        // As PyTorch: padding beyond half the window could leave a window of padding only, whose maximum is −∞.
        if (wp.Padding.Top > spanH / 2 || wp.Padding.Bottom > spanH / 2 || wp.Padding.Left > spanW / 2 || wp.Padding.Right > spanW / 2)
            throw new ArgumentException($"{what}: padding {wp.Padding} must be at most half the window ({spanH}×{spanW} with dilation) on each side");
        var planes = x.Dims[0] * x.Dims[1];
        var g = ConvGeometry.Create(what, [planes, 1, x.Dims[2], x.Dims[3]], 1, 1, p.KernelHeight, p.KernelWidth, wp with { Groups = 1 });
        // Dilated taps can step over a small input: a window of padding only has no maximum (PyTorch returns −∞ there).
        var (row, column) = (EmptyWindow(g.H, g.OH, g.KH, wp.StrideHeight, wp.Padding.Top, wp.DilationHeight), EmptyWindow(g.W, g.OW, g.KW, wp.StrideWidth, wp.Padding.Left, wp.DilationWidth));
        if (row >= 0 || column >= 0)
            throw new ArgumentException($"{what}, {wp}: the window of output {(row >= 0 ? $"row {row}" : $"column {column}")} covers padding only");
        return g;
    }

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var g = Geometry(x[0], (MaxPool2dParams)p);
        return x[0].DType == DType.Float32 ? Run<float>(x[0], g) : Run<double>(x[0], g);
    }

    private static Tensor Run<T>(Tensor x, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        Tensor.Wrap(MaxPooling.Forward(x.Data<T>(), g), x.Dims[0], x.Dims[1], g.OH, g.OW);

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => MaxPool2dGatherOp.Instance.Bind(p, x[0], tx[0]!);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [MaxPool2dScatterOp.Instance.Bind(p, x[0], gy)];
}
