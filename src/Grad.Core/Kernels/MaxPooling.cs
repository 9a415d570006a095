using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Autodiff;

/// <summary>
/// Max-pooling kernels over [N·C] planes, with a window laid out as a one-channel convolution's (<see cref="ConvGeometry"/>,
/// N = planes). Tie rule, shared by all three: the maxima of a window (NaN counting as the maximum when present) share it equally.
/// Planes run in parallel; each writes only its own output plane.
/// </summary>
internal static class MaxPooling
{
    /// <summary>y = the maximum of each window, [planes, OH, OW].</summary>
    public static void Forward<T>(T[] x, ConvGeometry g, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ForEachWindow(x, g, new MaximumSink<T>(y));
    }

    /// <summary>y = the mean of t over each window's maxima in x, [planes, OH, OW]: the JVP of max pooling in direction t.</summary>
    public static void Gather<T>(T[] x, T[] t, ConvGeometry g, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ForEachWindow(x, g, new GatherSink<T>(t, y));
    }

    /// <summary>gx = each window's gy shared equally among its maxima in x, [planes, H, W]: the transpose of <see cref="Gather"/>.</summary>
    public static void Scatter<T>(T[] x, T[] gy, ConvGeometry g, T[] gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ForEachWindow(x, g, new ScatterSink<T>(gy, gx));
    }

    /// <summary>What is done with each window; a struct type parameter, so the JIT inlines it into the window loop.</summary>
    private interface IWindowSink<T>
    {
        /// <summary>Whether the sink reads the maxima' indices (the forward pass needs only the maximum).</summary>
        static abstract bool NeedsMaxima { get; }


        /// <summary>Window <paramref name="output"/> (flat index into the pooled tensor) has maximum <paramref name="best"/> at the flat x indices <paramref name="maxima"/>.</summary>
        void Window(int output, T best, ReadOnlySpan<int> maxima);
    }

    private readonly struct MaximumSink<T>(T[] y) : IWindowSink<T>
    {
        public static bool NeedsMaxima => false;

        public void Window(int output, T best, ReadOnlySpan<int> maxima) => y[output] = best;
    }

    private readonly struct GatherSink<T>(T[] t, T[] y) : IWindowSink<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool NeedsMaxima => true;

        public void Window(int output, T best, ReadOnlySpan<int> maxima)
        {
            var sum = T.Zero;
            foreach (var index in maxima) sum += t[index];
            y[output] = sum / T.CreateTruncating(maxima.Length);
        }
    }

    private readonly struct ScatterSink<T>(T[] gy, T[] gx) : IWindowSink<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool NeedsMaxima => true;

        public void Window(int output, T best, ReadOnlySpan<int> maxima)
        {
            var share = gy[output] / T.CreateTruncating(maxima.Length);
            foreach (var index in maxima) gx[index] += share;
        }
    }

    /// <summary>Calls the sink for every window with its maximum and the flat indices into x of the elements equal to it.</summary>
    private static void ForEachWindow<T, TSink>(T[] x, ConvGeometry g, TSink sink)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSink : struct, IWindowSink<T>
    {
        // 2×2 windows at stride 2 with no padding or dilation (the usual CNN pooling) never leave the image and never
        // overlap: an unrolled loop with no bounds tests does the same work several times faster.
        var twoByTwo = IsTwoByTwo(g);
        ParallelKernel.For(g.N, ParallelKernel.Cost((long)g.Positions * g.KH * g.KW), (start, count) =>
        {
            if (twoByTwo) Planes2x2(x, g, sink, start, count);
            else Planes(x, g, sink, start, count);
        });
    }

    private static bool IsTwoByTwo(ConvGeometry g) =>
        g.KH == 2 && g.KW == 2 && g.P.StrideHeight == 2 && g.P.StrideWidth == 2
        && g.P.DilationHeight == 1 && g.P.DilationWidth == 1 && g.P.Padding == default;

    /// <summary>The tie rule shared by every kernel here: v is a window's maximum if it equals it, or both are NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsMaximum<T>(T v, T best, bool bestIsNaN) where T : unmanaged, IFloatingPointIeee754<T> =>
        v == best || (bestIsNaN && T.IsNaN(v));

    /// <summary>Whether the windows are 2×2 at stride 2 and cover every input element exactly once (even height and width).</summary>
    public static bool TilesExactly(ConvGeometry g) => IsTwoByTwo(g) && g.H % 2 == 0 && g.W % 2 == 0;

    /// <summary>
    /// <see cref="Scatter"/> where <see cref="TilesExactly"/>: writes every element of <paramref name="gx"/> (the share
    /// or zero), so <paramref name="gx"/> need not be cleared first. Same maxima, same shares, same results.
    /// </summary>
    public static void ScatterTiled2x2<T>(T[] x, T[] gy, ConvGeometry g, T[] gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ParallelKernel.For(g.N, ParallelKernel.Cost((long)g.Positions * 4), (start, count) =>
        {
            int w = g.W, oh = g.OH, ow = g.OW;
            var lanes = Vector256<T>.Count;
            var vectorised = Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && w >= lanes;
            for (var row = start * oh; row < (start + count) * oh; row++)
            {
                var (top, output) = (row * 2 * w, row * ow);
                if (!vectorised)
                {
                    for (var b = 0; b < ow; b++) ScatterWindow(x, gy, gx, top, w, output + b, 2 * b);
                    continue;
                }
                // One vector spans lanes/2 windows of the row pair; the last one overlaps its neighbour where the
                // row is not a multiple of the vector (w is even, so it still starts on a window).
                for (var j = 0; j < w; j += lanes)
                    ScatterWindows(x, gy, gx, top, w, output, Math.Min(j, w - lanes));
            }
        });
    }

    /// <summary>
    /// The 2×2 windows whose top-left corners are columns <paramref name="j"/>, j + 2, … of the row pair at
    /// <paramref name="top"/>, one vector at a time: each lane finds its window's maximum through its pair partner
    /// and the row below, so every lane holds its window's maximum, tie count and share, with the scalar kernel's
    /// operations. Blocks holding a NaN go to <see cref="ScatterWindow"/>, where the NaN rule lives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScatterWindows<T>(T[] x, T[] gy, T[] gx, int top, int w, int output, int j) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lanes = Vector256<T>.Count;
        if ((uint)(top + w + j + lanes) > (uint)x.Length || (uint)(top + w + j + lanes) > (uint)gx.Length || (uint)(output + (j + lanes) / 2) > (uint)gy.Length)
            throw new IndexOutOfRangeException();
        ref var x0 = ref MemoryMarshal.GetArrayDataReference(x);
        var upper = Vector256.LoadUnsafe(ref x0, (nuint)(top + j));
        var lower = Vector256.LoadUnsafe(ref x0, (nuint)(top + w + j));
        if (!Vector256.EqualsAll(upper, upper) || !Vector256.EqualsAll(lower, lower))
        {
            for (var c = j; c < j + lanes; c += 2) ScatterWindow(x, gy, gx, top, w, output + c / 2, c);
            return;
        }
        var best = Vector256.Max(Vector256.Max(upper, SwapPairs(upper)), Vector256.Max(lower, SwapPairs(lower)));
        var (upperIsMax, lowerIsMax) = (Vector256.Equals(upper, best), Vector256.Equals(lower, best));
        var (upperCount, lowerCount) = (upperIsMax & Vector256<T>.One, lowerIsMax & Vector256<T>.One);
        var ties = (upperCount + SwapPairs(upperCount)) + (lowerCount + SwapPairs(lowerCount));
        var share = DuplicatePairs(Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(gy), (nuint)(output + j / 2))) / ties;
        ref var g0 = ref MemoryMarshal.GetArrayDataReference(gx);
        (upperIsMax & share).StoreUnsafe(ref g0, (nuint)(top + j));
        (lowerIsMax & share).StoreUnsafe(ref g0, (nuint)(top + w + j));
    }

    /// <summary>The window at column <paramref name="column"/> of the row pair at <paramref name="top"/>, written whole (share or zero).</summary>
    private static void ScatterWindow<T>(T[] x, T[] gy, T[] gx, int top, int w, int output, int column) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (i0, i2) = (top + column, top + w + column);
        T v0 = x[i0], v1 = x[i0 + 1], v2 = x[i2], v3 = x[i2 + 1];
        var best = T.Max(T.Max(v0, v1), T.Max(v2, v3));
        var bestIsNaN = T.IsNaN(best);
        bool m0 = IsMaximum(v0, best, bestIsNaN), m1 = IsMaximum(v1, best, bestIsNaN);
        bool m2 = IsMaximum(v2, best, bestIsNaN), m3 = IsMaximum(v3, best, bestIsNaN);
        var ties = (m0 ? 1 : 0) + (m1 ? 1 : 0) + (m2 ? 1 : 0) + (m3 ? 1 : 0);
        var share = gy[output] / T.CreateTruncating(ties);
        gx[i0] = m0 ? share : T.Zero;
        gx[i0 + 1] = m1 ? share : T.Zero;
        gx[i2] = m2 ? share : T.Zero;
        gx[i2 + 1] = m3 ? share : T.Zero;
    }

    /// <summary>Swaps each even lane with the odd lane after it: a window's other column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> SwapPairs<T>(Vector256<T> v)
    {
        if (typeof(T) == typeof(float)) return Vector256.Shuffle(v.AsSingle(), Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6)).As<float, T>();
        return Vector256.Shuffle(v.AsDouble(), Vector256.Create(1L, 0, 3, 2)).As<double, T>();
    }

    /// <summary>Lane k of the result is lane k/2 of <paramref name="half"/>: one window's output gradient for both its columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> DuplicatePairs<T>(Vector128<T> half)
    {
        var both = Vector256.Create(half, half);
        if (typeof(T) == typeof(float)) return Vector256.Shuffle(both.AsSingle(), Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3)).As<float, T>();
        return Vector256.Shuffle(both.AsDouble(), Vector256.Create(0L, 0, 1, 1)).As<double, T>();
    }

    /// <summary><see cref="Planes"/> for 2×2 windows at stride 2 inside the image, with the same maxima in the same order.</summary>
    private static void Planes2x2<T, TSink>(T[] x, ConvGeometry g, TSink sink, int start, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSink : struct, IWindowSink<T>
    {
        int h = g.H, w = g.W, oh = g.OH, ow = g.OW;
        Span<int> maxima = stackalloc int[4];
        for (var plane = start; plane < start + count; plane++)
            for (var a = 0; a < oh; a++)
            {
                var top = plane * h * w + 2 * a * w;
                var output = (plane * oh + a) * ow;
                for (var b = 0; b < ow; b++)
                {
                    var (i0, i2) = (top + 2 * b, top + w + 2 * b);
                    T v0 = x[i0], v1 = x[i0 + 1], v2 = x[i2], v3 = x[i2 + 1];
                    var best = T.Max(T.Max(v0, v1), T.Max(v2, v3));
                    var ties = 0;
                    if (TSink.NeedsMaxima)
                    {
                        var bestIsNaN = T.IsNaN(best);
                        maxima[ties] = i0;
                        ties += IsMaximum(v0, best, bestIsNaN) ? 1 : 0;
                        maxima[ties] = i0 + 1;
                        ties += IsMaximum(v1, best, bestIsNaN) ? 1 : 0;
                        maxima[ties] = i2;
                        ties += IsMaximum(v2, best, bestIsNaN) ? 1 : 0;
                        maxima[ties] = i2 + 1;
                        ties += IsMaximum(v3, best, bestIsNaN) ? 1 : 0;
                    }
                    sink.Window(output + b, best, maxima[..ties]);
                }
            }
    }

    private static void Planes<T, TSink>(T[] x, ConvGeometry g, TSink sink, int start, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSink : struct, IWindowSink<T>
    {
        int h = g.H, w = g.W, oh = g.OH, ow = g.OW, kh = g.KH, kw = g.KW;
        int sh = g.P.StrideHeight, sw = g.P.StrideWidth, dh = g.P.DilationHeight, dw = g.P.DilationWidth;
        int top = g.P.Padding.Top, left = g.P.Padding.Left;
        Span<int> maxima = stackalloc int[kh * kw];
        for (var plane = start; plane < start + count; plane++)
        {
            var offset = plane * h * w;
            for (var a = 0; a < oh; a++)
                for (var b = 0; b < ow; b++)
                {
                    // Pass 1: the maximum, branch-free (Max propagates NaN, so a NaN input is not dropped).
                    var best = T.NegativeInfinity;
                    for (var i = 0; i < kh; i++)
                    {
                        var row = a * sh - top + i * dh;
                        if ((uint)row >= (uint)h) continue;
                        for (var j = 0; j < kw; j++)
                        {
                            var column = b * sw - left + j * dw;
                            if ((uint)column < (uint)w) best = T.Max(best, x[offset + row * w + column]);
                        }
                    }
                    // Pass 2, for the derivatives only: where the maximum is (NaN matching NaN).
                    var ties = 0;
                    if (TSink.NeedsMaxima)
                    {
                        var bestIsNaN = T.IsNaN(best);
                        for (var i = 0; i < kh; i++)
                        {
                            var row = a * sh - top + i * dh;
                            if ((uint)row >= (uint)h) continue;
                            for (var j = 0; j < kw; j++)
                            {
                                var column = b * sw - left + j * dw;
                                if ((uint)column >= (uint)w) continue;
                                var index = offset + row * w + column;
                                var v = x[index];
                                // Written always and kept only on a match: no branch to mispredict on random data.
                                maxima[ties] = index;
                                ties += IsMaximum(v, best, bestIsNaN) ? 1 : 0;
                            }
                        }
                    }
                    sink.Window((plane * oh + a) * ow + b, best, maxima[..ties]);
                }
        }
    }
}
