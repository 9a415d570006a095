namespace Autodiff;

public sealed partial class Tensor
{
    /// <summary>
    /// Max pooling of this [N, C, H, W] over <paramref name="kernel"/>×<paramref name="kernel"/> windows moving by
    /// <paramref name="stride"/> (default: the kernel), with −∞ padding; tied maxima share the gradient equally.
    /// </summary>
    public Tensor MaxPool2d(int kernel, int? stride = null, int padding = 0) =>
        MaxPool2d((kernel, kernel), (stride ?? kernel, stride ?? kernel), padding, (1, 1));

    /// <summary>
    /// Max pooling with per-axis window, stride and dilation and per-side −∞ padding (each side at most half the
    /// dilated window); tied maxima share the gradient equally.
    /// </summary>
    public Tensor MaxPool2d((int Height, int Width) kernel, (int Height, int Width) stride, Padding2d padding, (int Height, int Width) dilation) =>
        MaxPool2dOp.Instance.Bind(new MaxPool2dParams(kernel.Height, kernel.Width, new Conv2dParams(stride.Height, stride.Width, padding, dilation.Height, dilation.Width, 1)), this);

    /// <summary>
    /// Average pooling of this [N, C, H, W] over <paramref name="kernel"/>×<paramref name="kernel"/> windows moving by
    /// <paramref name="stride"/> (default: the kernel) with zero padding; padded zeros count in the average unless
    /// <paramref name="countIncludePad"/> is false, as in PyTorch.
    /// </summary>
    public Tensor AvgPool2d(int kernel, int? stride = null, int padding = 0, bool countIncludePad = true) =>
        AvgPool2d((kernel, kernel), (stride ?? kernel, stride ?? kernel), padding, countIncludePad);

    /// <summary>
    /// Average pooling with per-axis window and stride and per-side zero padding. A linear map, so it is composed
    /// rather than primitive: each plane is convolved with a constant 1/(KH·KW) kernel (and, without
    /// <paramref name="countIncludePad"/>, rescaled by the constant count of real elements per window).
    /// </summary>
    public Tensor AvgPool2d((int Height, int Width) kernel, (int Height, int Width) stride, Padding2d padding, bool countIncludePad = true)
    {
        if (Rank != 4)
            throw new ArgumentException($"avg_pool2d: needs x of rank 4 [N, C, H, W], got {DType.Name()} {ShapeText}");
        RequireFloat("avg_pool2d");
        if (padding.Top > kernel.Height / 2 || padding.Bottom > kernel.Height / 2 || padding.Left > kernel.Width / 2 || padding.Right > kernel.Width / 2)
            throw new ArgumentException($"avg_pool2d of {DType.Name()} {ShapeText} with a {kernel.Height}×{kernel.Width} window: padding {padding} must be at most half the window on each side");
        var window = new Conv2dParams(stride.Height, stride.Width, padding, 1, 1, 1);
        var planes = Reshape(Dims[0] * Dims[1], 1, Dims[2], Dims[3]);
        var averaging = Full(1.0 / (kernel.Height * kernel.Width), DType, 1, 1, kernel.Height, kernel.Width);
        var y = PlanesConv(planes, averaging, window, "avg_pool2d");
        if (!countIncludePad && padding != default)
        {
            // The fraction of each window inside the image; a constant, so it carries no derivative.
            var inside = PlanesConv(Ones(DType, 1, 1, Dims[2], Dims[3]), averaging, window, "avg_pool2d");
            y /= inside;
        }
        return y.Reshape(Dims[0], Dims[1], y.Dims[2], y.Dims[3]);
    }

    /// <summary>The mean over the spatial axes of this [N, C, H, W] → [N, C].</summary>
    public Tensor GlobalAvgPool2d()
    {
        if (Rank != 4)
            throw new ArgumentException($"global_avg_pool2d: needs x of rank 4 [N, C, H, W], got {DType.Name()} {ShapeText}");
        return Mean(2, 3);
    }

    /// <summary>conv2d of one-channel planes, naming <paramref name="op"/> when the window does not fit.</summary>
    private static Tensor PlanesConv(Tensor planes, Tensor weight, Conv2dParams window, string op)
    {
        ConvGeometry.Create($"{op} of {planes.DType.Name()} planes {planes.ShapeText}", planes.Dims, 1, 1, weight.Dims[2], weight.Dims[3], window);
        return Conv2dOp.Instance.Bind(window, planes, weight);
    }
}
