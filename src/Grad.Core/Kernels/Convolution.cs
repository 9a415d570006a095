using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Autodiff;

/// <summary>
/// The sizes of one 2-D convolution y = conv(x, w): x [N, C, H, W], w [O, C/groups, KH, KW], y [N, O, OH, OW].
/// Every conv-family kernel (forward, input gradient, weight gradient) works from one of these.
/// </summary>
internal readonly record struct ConvGeometry(
    int N, int C, int H, int W, int O, int KH, int KW, int OH, int OW, Conv2dParams P)
{
    /// <summary>Input channels per group.</summary>
    public int Cg => C / P.Groups;

    /// <summary>Output channels per group.</summary>
    public int Og => O / P.Groups;

    /// <summary>Rows of the im2col matrix: one per (input channel of the group, kernel row, kernel column).</summary>
    public int K => Cg * KH * KW;

    /// <summary>Output positions per image: columns of the im2col matrix.</summary>
    public int Positions => OH * OW;

    /// <summary>The output length along one axis, as PyTorch: ⌊(n + pads − d·(k − 1) − 1) / s⌋ + 1 (may be ≤ 0).</summary>
    public static int OutSize(int n, int padBefore, int padAfter, int kernel, int stride, int dilation) =>
        (int)Math.Floor((n + padBefore + padAfter - dilation * (kernel - 1) - 1) / (double)stride) + 1;

    /// <summary>
    /// Checks and builds the geometry of conv(x, w) for x of shape <paramref name="x"/> and a weight of
    /// [<paramref name="o"/>, <paramref name="cg"/>, kh, kw]; <paramref name="what"/> names the op and its operands in errors.
    /// </summary>
    public static ConvGeometry Create(string what, ReadOnlySpan<int> x, int o, int cg, int kh, int kw, Conv2dParams p)
    {
        if (p.StrideHeight < 1 || p.StrideWidth < 1 || p.DilationHeight < 1 || p.DilationWidth < 1 || p.Groups < 1
            || p.Padding.Top < 0 || p.Padding.Bottom < 0 || p.Padding.Left < 0 || p.Padding.Right < 0)
            throw new ArgumentException($"{what}: strides, dilations and groups must be ≥ 1 and padding ≥ 0, got {p}");
        if (kh < 1 || kw < 1)
            throw new ArgumentException($"{what}: the kernel must be at least 1×1, got {kh}×{kw}");
        var (n, c, h, w) = (x[0], x[1], x[2], x[3]);
        if (c % p.Groups != 0 || o % p.Groups != 0)
            throw new ArgumentException($"{what}: groups = {p.Groups} must divide both the input channels ({c}) and the output channels ({o})");
        if (c / p.Groups != cg)
            throw new ArgumentException($"{what}: the input has {c} channels, so with groups = {p.Groups} the weight needs {c / p.Groups} input channels per group, not {cg}");
        var oh = OutSize(h, p.Padding.Top, p.Padding.Bottom, kh, p.StrideHeight, p.DilationHeight);
        var ow = OutSize(w, p.Padding.Left, p.Padding.Right, kw, p.StrideWidth, p.DilationWidth);
        if (oh < 1 || ow < 1)
            throw new ArgumentException($"{what}: the {kh}×{kw} kernel (dilation {p.DilationHeight}×{p.DilationWidth}) is larger than the padded {h}×{w} input (padding {p.Padding}): output would be {oh}×{ow}");
        return new ConvGeometry(n, c, h, w, o, kh, kw, oh, ow, p);
    }
}

/// <summary>
/// Convolution by im2col + the packed GEMM, one generic kernel over the element type. For each (image, group)
/// the receptive fields are unrolled into a [K, OH·OW] matrix, so that y = w·cols, cols = wᵀ·gy (then folded
/// back by col2im) and gw = gy·colsᵀ are each one GEMM, with transposes given to the GEMM as strides.
/// (image, group) pairs run in parallel when there are enough of them; otherwise each GEMM splits its rows.
/// </summary>
internal static class Convolution
{
    /// <summary>y = conv(x, w), written over every element of y, of shape [N, O, OH, OW].</summary>
    public static void Forward<T>(T[] x, T[] w, ConvGeometry g, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // A 1×1 kernel with stride 1 and no padding reads x as it lies: the image itself is the im2col matrix.
        var direct = g.KH == 1 && g.KW == 1 && g.P.StrideHeight == 1 && g.P.StrideWidth == 1 && g.P.Padding == default;
        // Each group's weight [Og, K] is the left operand of every image's product: packed once for all of them.
        var weights = PackPerGroup(g, group => Gemm.PackLeft(w, group * g.Og * g.K, g.K, 1, g.Og, g.K));
        ForEachImageGroup<T>(g, direct ? 0 : g.K * g.Positions, (n, group, cols, parallel) =>
        {
            var xOffset = (n * g.C + group * g.Cg) * g.H * g.W;
            if (!direct) Im2Col<T>(x.AsSpan(xOffset, g.Cg * g.H * g.W), g, cols);
            Gemm.Multiply(weights[group],
                direct ? x : cols, direct ? xOffset : 0, g.Positions, 1,
                y, (n * g.O + group * g.Og) * g.Positions, g.Positions, parallel);
        });
        foreach (var packed in weights) packed.Dispose();
    }

    private static Gemm.PackedLeft<T>[] PackPerGroup<T>(ConvGeometry g, Func<int, Gemm.PackedLeft<T>> pack)
    {
        var packed = new Gemm.PackedLeft<T>[g.P.Groups];
        for (var group = 0; group < packed.Length; group++) packed[group] = pack(group);
        return packed;
    }

    /// <summary>gx = convᵀ(gy, w): the adjoint of <see cref="Forward"/> in x, of shape [N, C, H, W].</summary>
    /// <remarks><paramref name="gx"/> must be zero on entry: the folded columns are added into it.</remarks>
    public static void InputGrad<T>(T[] gy, T[] w, ConvGeometry g, T[] gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // cols[K, P] = w_gᵀ[K, Og] · gy_g[Og, P], with w_g read transposed through its strides and packed once.
        var weights = PackPerGroup(g, group => Gemm.PackLeft(w, group * g.Og * g.K, 1, g.K, g.K, g.Og));
        ForEachImageGroup<T>(g, g.K * g.Positions, (n, group, cols, parallel) =>
        {
            Gemm.Multiply(weights[group],
                gy, (n * g.O + group * g.Og) * g.Positions, g.Positions, 1,
                cols, 0, g.Positions, parallel);
            Col2ImAdd<T>(cols, g, gx.AsSpan((n * g.C + group * g.Cg) * g.H * g.W, g.Cg * g.H * g.W));
        });
        foreach (var packed in weights) packed.Dispose();
    }

    /// <summary>Images per chunk of <see cref="WeightGrad"/>: each chunk sums its images into its own partial.</summary>
    private const int WeightGradChunk = 8;

    /// <summary>gw = Σₙ gy_n · cols_nᵀ: the adjoint of <see cref="Forward"/> in w, of shape [O, C/groups, KH, KW].</summary>
    /// <remarks>
    /// <paramref name="gw"/> must be zero on entry. Computed transposed, gwᵀ[K, Og] += cols_n[K, P] · gy_nᵀ[P, Og], so
    /// that the big operand (the im2col matrix) is packed from contiguous rows and the common channel counts give
    /// whole tiles. The images are cut into chunks of a fixed size, each summed into its own partial by the GEMM, and
    /// the partials are added in chunk order: the result is the same for every thread count and every run.
    /// </remarks>
    public static void WeightGrad<T>(T[] x, T[] gy, ConvGeometry g, T[] gw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var items = g.N * g.P.Groups;
        var chunks = (items + WeightGradChunk - 1) / WeightGradChunk;
        var partialLength = g.P.Groups * g.K * g.Og;
        var partials = ArrayPool<T>.Shared.Rent(chunks * partialLength);
        // The im2col matrix is the GEMM's left operand: written straight into the packed layout, it skips a pass.
        var layout = new Gemm.PackedLeftLayout(g.K, g.Positions);
        var packs = Gemm.PacksFor<T>();
        void Chunks(int first, int count, bool parallel)
        {
            var cols = ArrayPool<T>.Shared.Rent(packs ? layout.Length : g.K * g.Positions);
            for (var chunk = first; chunk < first + count; chunk++)
            {
                var partial = partials.AsSpan(chunk * partialLength, partialLength);
                partial.Clear();
                for (var item = chunk * WeightGradChunk; item < Math.Min(items, (chunk + 1) * WeightGradChunk); item++)
                {
                    var (n, group) = (item / g.P.Groups, item % g.P.Groups);
                    var image = x.AsSpan((n * g.C + group * g.Cg) * g.H * g.W, g.Cg * g.H * g.W);
                    // partialᵀ_g[K, Og] += cols[K, P] · gy_gᵀ[P, Og], gy_g read transposed through its strides.
                    var (gyOffset, target) = ((n * g.O + group * g.Og) * g.Positions, chunk * partialLength + group * g.K * g.Og);
                    if (packs)
                    {
                        Im2ColPacked<T>(image, g, layout, cols);
                        Gemm.Multiply(Gemm.AdoptPackedLeft(cols, g.K, g.Positions), gy, gyOffset, 1, g.Positions,
                            partials, target, g.Og, parallel, accumulate: true);
                    }
                    else
                    {
                        Im2Col<T>(image, g, cols);
                        Gemm.Multiply(cols, 0, g.Positions, 1, gy, gyOffset, 1, g.Positions,
                            partials, target, g.K, g.Positions, g.Og, parallel, accumulate: true);
                    }
                }
            }
            ArrayPool<T>.Shared.Return(cols);
        }
        if (chunks >= 2)
            ParallelKernel.For(chunks, ParallelKernel.Cost(2L * g.Og * g.K * g.Positions * WeightGradChunk), (first, count) => Chunks(first, count, parallel: false));
        else
            Chunks(0, chunks, parallel: true);
        // The partials summed in chunk order into the first, then transposed into gw[group, o, k].
        var sum = partials.AsSpan(0, partialLength);
        for (var chunk = 1; chunk < chunks; chunk++) TensorPrimitives.Add(sum, partials.AsSpan(chunk * partialLength, partialLength), sum);
        for (var group = 0; group < g.P.Groups; group++)
        {
            var partial = sum.Slice(group * g.K * g.Og, g.K * g.Og);
            var target = gw.AsSpan(group * g.Og * g.K, g.Og * g.K);
            for (var o = 0; o < g.Og; o++)
                for (var k = 0; k < g.K; k++)
                    target[o * g.K + k] += partial[k * g.Og + o];
        }
        ArrayPool<T>.Shared.Return(partials);
    }

    private static int Cost(ConvGeometry g) => ParallelKernel.Cost(2L * g.Og * g.K * g.Positions);

    /// <summary>
    /// Calls <paramref name="body"/>(image, group, cols buffer, parallelGemm) for every (image, group): in parallel
    /// over pairs when there are at least as many as cores, otherwise one by one with each GEMM parallel inside.
    /// </summary>
    private static void ForEachImageGroup<T>(ConvGeometry g, int colsLength, Action<int, int, T[], bool> body)
    {
        var items = g.N * g.P.Groups;
        var acrossItems = items >= Environment.ProcessorCount;
        void Run(int start, int count)
        {
            var cols = ArrayPool<T>.Shared.Rent(Math.Max(colsLength, 1));
            for (var item = start; item < start + count; item++) body(item / g.P.Groups, item % g.P.Groups, cols, !acrossItems);
            ArrayPool<T>.Shared.Return(cols);
        }
        if (acrossItems) ParallelKernel.For(items, Cost(g), Run);
        else Run(0, items);
    }

    /// <summary>
    /// Unrolls one group's channels of one image, x [Cg, H, W], into cols [K, OH·OW]: row (c, i, j) holds, for each
    /// output position, the input under kernel tap (i, j) of channel c, or 0 where the tap falls in the padding.
    /// </summary>
    internal static void Im2Col<T>(ReadOnlySpan<T> x, ConvGeometry g, Span<T> cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = g.P;
        var row = 0;
        for (var c = 0; c < g.Cg; c++)
            for (var i = 0; i < g.KH; i++)
                for (var j = 0; j < g.KW; j++, row++)
                {
                    var columnStart = j * p.DilationWidth - p.Padding.Left;   // input column read by output column 0
                    var (lo, hi) = ValidOutputs(columnStart, p.StrideWidth, g.W, g.OW);
                    for (var oh = 0; oh < g.OH; oh++)
                    {
                        var dst = cols.Slice(row * g.Positions + oh * g.OW, g.OW);
                        var ih = oh * p.StrideHeight - p.Padding.Top + i * p.DilationHeight;
                        if (ih < 0 || ih >= g.H || lo >= hi)
                        {
                            dst.Clear();
                            continue;
                        }
                        var src = x.Slice((c * g.H + ih) * g.W, g.W);
                        dst[..lo].Clear();
                        dst[hi..].Clear();
                        if (p.StrideWidth == 1)
                            src.Slice(columnStart + lo, hi - lo).CopyTo(dst[lo..hi]);
                        else
                            for (var ow = lo; ow < hi; ow++) dst[ow] = src[columnStart + ow * p.StrideWidth];
                    }
                }
    }

    /// <summary>
    /// <see cref="Im2Col"/> written straight into the GEMM's packed left-operand layout (row = kernel tap, depth =
    /// output position): the same values, and zeros in the rows that pad the last micro-panel.
    /// </summary>
    internal static void Im2ColPacked<T>(ReadOnlySpan<T> x, ConvGeometry g, Gemm.PackedLeftLayout layout, Span<T> packed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = g.P;
        var positions = g.Positions;
        for (var pc = 0; pc < positions; pc += layout.Step)
        {
            var kc = Math.Min(layout.Step, positions - pc);
            var row = 0;
            for (var c = 0; c < g.Cg; c++)
                for (var i = 0; i < g.KH; i++)
                    for (var j = 0; j < g.KW; j++, row++)
                    {
                        var columnStart = j * p.DilationWidth - p.Padding.Left;
                        var (lo, hi) = ValidOutputs(columnStart, p.StrideWidth, g.W, g.OW);
                        // Consecutive positions of one row are MR apart in the panel; walk them output row by output row.
                        ref var panel = ref packed[layout.Index(row, pc, pc, kc)];
                        for (var oh = pc / g.OW; oh * g.OW < pc + kc; oh++)
                        {
                            var (from, to) = (Math.Max(pc, oh * g.OW) - oh * g.OW, Math.Min(pc + kc, (oh + 1) * g.OW) - oh * g.OW);
                            ref var dst = ref Unsafe.Add(ref panel, (oh * g.OW + from - pc) * Gemm.PackedLeftLayout.MicroRows);
                            var ih = oh * p.StrideHeight - p.Padding.Top + i * p.DilationHeight;
                            var (validFrom, validTo) = ih < 0 || ih >= g.H ? (to, to) : (Math.Clamp(lo, from, to), Math.Clamp(hi, from, to));
                            if (validTo < validFrom) validTo = validFrom;
                            var ow = from;
                            for (; ow < validFrom; ow++, dst = ref Unsafe.Add(ref dst, Gemm.PackedLeftLayout.MicroRows)) dst = T.Zero;
                            if (validFrom < validTo)
                            {
                                var src = x.Slice((c * g.H + ih) * g.W + columnStart + validFrom * p.StrideWidth, (validTo - validFrom - 1) * p.StrideWidth + 1);
                                for (var s = 0; ow < validTo; ow++, s += p.StrideWidth, dst = ref Unsafe.Add(ref dst, Gemm.PackedLeftLayout.MicroRows)) dst = src[s];
                            }
                            for (; ow < to; ow++, dst = ref Unsafe.Add(ref dst, Gemm.PackedLeftLayout.MicroRows)) dst = T.Zero;
                        }
                    }
            for (; row < layout.Rows; row++)
            {
                var first = layout.Index(row, pc, pc, kc);
                for (var position = 0; position < kc; position++) packed[first + position * Gemm.PackedLeftLayout.MicroRows] = T.Zero;
            }
        }
    }

    /// <summary>The transpose of <see cref="Im2Col"/>: adds each entry of cols [K, OH·OW] to the input element it was read from.</summary>
    internal static void Col2ImAdd<T>(ReadOnlySpan<T> cols, ConvGeometry g, Span<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = g.P;
        var row = 0;
        for (var c = 0; c < g.Cg; c++)
            for (var i = 0; i < g.KH; i++)
                for (var j = 0; j < g.KW; j++, row++)
                {
                    var columnStart = j * p.DilationWidth - p.Padding.Left;
                    var (lo, hi) = ValidOutputs(columnStart, p.StrideWidth, g.W, g.OW);
                    if (lo >= hi) continue;
                    for (var oh = 0; oh < g.OH; oh++)
                    {
                        var ih = oh * p.StrideHeight - p.Padding.Top + i * p.DilationHeight;
                        if (ih < 0 || ih >= g.H) continue;
                        var src = cols.Slice(row * g.Positions + oh * g.OW, g.OW);
                        var dst = x.Slice((c * g.H + ih) * g.W, g.W);
                        if (p.StrideWidth == 1)
                        {
                            var target = dst.Slice(columnStart + lo, hi - lo);
                            TensorPrimitives.Add(target, src[lo..hi], target);
                        }
                        else
                            for (var ow = lo; ow < hi; ow++) dst[columnStart + ow * p.StrideWidth] += src[ow];
                    }
                }
    }

    /// <summary>The output columns [lo, hi) whose input column start + ow·stride lies inside [0, width).</summary>
    private static (int Lo, int Hi) ValidOutputs(int start, int stride, int width, int outWidth)
    {
        var lo = start >= 0 ? 0 : (-start + stride - 1) / stride;
        var hi = start >= width ? 0 : Math.Min(outWidth, (width - 1 - start) / stride + 1);
        return (Math.Min(lo, outWidth), Math.Max(hi, Math.Min(lo, outWidth)));
    }
}
