using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Autodiff;

/// <summary>
/// General matrix multiply C = A·B on row-major float data, organised as in BLIS/GotoBLAS. C is cut into one
/// rectangle per thread (over rows, columns or both, whichever keeps the parts even and the packing small); each
/// thread then walks its rectangle in column blocks of NC and depth panels of KC, packs that B block into
/// NR-column micro-panels (kept in L2), packs A in blocks of MC rows cut into MR-row micro-panels, and a
/// register-blocked micro-kernel keeps an MR×NR tile of C (MR = 12 rows × NR = 2 vectors: 24 accumulators) in
/// registers for a whole depth panel, so each loaded element of A and B feeds 2 or 12 fused multiply-adds.
/// </summary>
/// <remarks>
/// Results do not depend on the thread count: every element of C is the same sequence of operations — for each
/// depth panel in order, one fused multiply-add chain over the panel, then added to C — whichever rectangle
/// and tile it falls in. The micro-kernel needs 24 + 3 vector registers: AVX-512 machines have 32 (also for
/// 256-bit vectors); on AVX2-only machines (16) the JIT spills some accumulators, which is slower but correct.
/// </remarks>
internal static class Gemm
{
    private const int MR = 12;           // rows of C per micro-tile
    private const int KC = 256;          // depth of a packed panel: an A micro-panel (MR·KC) stays in L1; 128 and 192 measured slower

    /// <summary>
    /// The depth of each of the equal panels K is cut into: about <see cref="KC"/>, up to 5/4 of it, so that a depth
    /// just past a multiple of KC (288 = 256 + 32 in a 3×3 convolution over 32 channels, 784 = 3·256 + 16) does not
    /// end in a thin panel that costs a whole extra pass over C. A function of K alone, so results stay independent
    /// of the thread count.
    /// </summary>
    private static int PanelDepth(int k)
    {
        var panels = Math.Max((k + KC * 5 / 4 - 1) / (KC * 5 / 4), k / KC);
        return (k + panels - 1) / Math.Max(panels, 1);
    }
    private const int MC = 144;          // rows of A per packed block (a multiple of MR): 144 KiB (float32) in L2
    private const int PackedBBytes = 1 << 20; // a packed KC×NC block of B: 1 MiB, streamed from L2 (2 MiB) past each A micro-panel
    private const long MinFlopsPerThread = 1L << 21; // below ~10 µs of work per thread, forking costs more than it saves

    /// <summary>
    /// C[m×n] = A[m×k]·B[k×n], overwriting C, or C += A·B when <paramref name="accumulate"/>. Operands are addressed
    /// by strides so that a transposed operand is packed straight from its storage: A[i, p] = a[aOffset + i·aRowStride + p·aColStride].
    /// </summary>
    public static void Multiply<T>(
        T[] a, int aOffset, int aRowStride, int aColStride,
        T[] b, int bOffset, int bRowStride, int bColStride,
        T[] c, int cOffset, int m, int k, int n, bool parallel, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        var operands = new Operands<T>(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, m, k, n, accumulate);
        if (k == 0 || !Vector256.IsHardwareAccelerated || !Vector256<T>.IsSupported)
        {
            // The packed kernels overwrite C with the first depth panel, so only this path needs C cleared.
            if (!accumulate) c.AsSpan(cOffset, m * n).Clear();
            Reference(operands);
            return;
        }
        // Where 512-bit vectors are fast, the micro-tile is twice as wide: each broadcast of A feeds twice the FMAs.
        // Narrow outputs keep the 256-bit tile, which pads less of each tile with zeros.
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && n >= 2 * Vector512<T>.Count)
            Run<T, Vector512<T>, Simd512<T>>(operands, parallel);
        else
            Run<T, Vector256<T>, Simd256<T>>(operands, parallel);
    }

    /// <summary>
    /// C = A·B (or C += A·B) for a left operand packed beforehand by <see cref="PackLeft"/>: a convolution multiplies
    /// one weight matrix by every image's columns, and packing it once spares repacking it per image.
    /// </summary>
    public static void Multiply<T>(PackedLeft<T> a, T[] b, int bOffset, int bRowStride, int bColStride,
        T[] c, int cOffset, int n, bool parallel, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Packed is null)
        {
            Multiply(a.Source, a.Offset, a.RowStride, a.ColStride, b, bOffset, bRowStride, bColStride, c, cOffset, a.M, a.K, n, parallel, accumulate);
            return;
        }
        if (a.M == 0 || n == 0) return;
        var operands = new Operands<T>(a.Source, a.Offset, a.RowStride, a.ColStride, b, bOffset, bRowStride, bColStride, c, cOffset, a.M, a.K, n, accumulate, a.Packed);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && n >= 2 * Vector512<T>.Count)
            Run<T, Vector512<T>, Simd512<T>>(operands, parallel);
        else
            Run<T, Vector256<T>, Simd256<T>>(operands, parallel);
    }

    /// <summary>
    /// Packs A[m×k] (addressed as in <see cref="Multiply{T}(T[], int, int, int, T[], int, int, int, T[], int, int, int, int, bool, bool)"/>)
    /// once, in the packed kernels' layout: for each depth panel of KC, every MR-row micro-panel of A in turn. Give it
    /// back with <see cref="PackedLeft{T}.Dispose"/>.
    /// </summary>
    public static PackedLeft<T> PackLeft<T>(T[] a, int aOffset, int aRowStride, int aColStride, int m, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || k == 0 || !Vector256.IsHardwareAccelerated || !Vector256<T>.IsSupported)
            return new PackedLeft<T>(a, aOffset, aRowStride, aColStride, m, k, null);
        var rows = (m + MR - 1) / MR * MR;
        var packed = System.Buffers.ArrayPool<T>.Shared.Rent(rows * k);
        var operands = new Operands<T>(a, aOffset, aRowStride, aColStride, a, 0, 0, 0, a, 0, m, k, 0, false);
        var step = PanelDepth(k);
        for (var pc = 0; pc < k; pc += step)
            PackA(operands, 0, m, pc, Math.Min(step, k - pc), ref packed[rows * pc]);
        return new PackedLeft<T>(a, aOffset, aRowStride, aColStride, m, k, packed);
    }

    /// <summary>
    /// Where <see cref="PackLeft"/>'s layout puts A's elements, for a producer that writes A straight into it (a
    /// convolution's im2col): depth panels of <see cref="Step"/>, each holding every MR-row micro-panel in turn.
    /// </summary>
    public readonly struct PackedLeftLayout(int m, int k)
    {
        /// <summary>Rows of A rounded up to whole micro-panels (the padding rows must hold zeros).</summary>
        public int Rows { get; } = (m + MR - 1) / MR * MR;

        /// <summary>The depth of every panel but possibly the last.</summary>
        public int Step { get; } = PanelDepth(k);

        /// <summary>Elements of the packed buffer.</summary>
        public int Length => Rows * k;

        /// <summary>Rows per micro-panel.</summary>
        public static int MicroRows => MR;

        /// <summary>The index of element (row <paramref name="i"/>, depth <paramref name="p"/>) in a panel starting at depth <paramref name="pc"/> of depth <paramref name="kc"/>.</summary>
        public int Index(int i, int p, int pc, int kc) => Rows * pc + i / MR * MR * kc + (p - pc) * MR + i % MR;
    }

    /// <summary>Whether the packed kernels run for <typeparamref name="T"/> here (otherwise a pre-packed A is never read).</summary>
    public static bool PacksFor<T>() where T : unmanaged => Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported;

    /// <summary>A left operand of <paramref name="m"/> rows and depth <paramref name="k"/> already in <see cref="PackedLeftLayout"/>, in an array rented from <c>ArrayPool&lt;T&gt;.Shared</c>.</summary>
    public static PackedLeft<T> AdoptPackedLeft<T>(T[] packed, int m, int k) where T : unmanaged, IFloatingPointIeee754<T> => new(packed, 0, 0, 0, m, k, packed);

    /// <summary>A left operand packed by <see cref="PackLeft"/> (or, where the packed kernels do not run, just its address).</summary>
    public sealed class PackedLeft<T>(T[] source, int offset, int rowStride, int colStride, int m, int k, T[]? packed) : IDisposable
    {
        internal T[] Source { get; } = source;
        internal int Offset { get; } = offset;
        internal int RowStride { get; } = rowStride;
        internal int ColStride { get; } = colStride;
        internal int M { get; } = m;
        internal int K { get; } = k;
        internal T[]? Packed { get; private set; } = packed;

        /// <summary>Returns the packed copy to the array pool.</summary>
        public void Dispose()
        {
            if (Packed is { } packedArray) System.Buffers.ArrayPool<T>.Shared.Return(packedArray);
            Packed = null;
        }
    }

    /// <summary>The operands of one product and how to address them; <paramref name="PackedA"/> is A already packed (or null).</summary>
    private readonly record struct Operands<T>(
        T[] A, int AOffset, int ARowStride, int AColStride,
        T[] B, int BOffset, int BRowStride, int BColStride,
        T[] C, int COffset, int M, int K, int N, bool Accumulate, T[]? PackedA = null);

    private static void Run<T, TVector, TSimd>(Operands<T> o, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVector : struct
        where TSimd : struct, ISimd<T, TVector>
    {
        var nr = 2 * TSimd.Count;
        var rowTiles = (o.M + MR - 1) / MR;
        var panels = (o.N + nr - 1) / nr;
        var threads = parallel ? (int)Math.Clamp(2L * o.M * o.K * o.N / MinFlopsPerThread, 1, Parallelism.MaxThreads) : 1;
        var (rowParts, colParts) = Grid(rowTiles, panels, threads, nr);
        void Part(int part)
        {
            var (rp, cp) = Math.DivRem(part, colParts);
            int r0 = rp * rowTiles / rowParts * MR, r1 = Math.Min(o.M, (rp + 1) * rowTiles / rowParts * MR);
            int j0 = cp * panels / colParts * nr, j1 = Math.Min(o.N, (cp + 1) * panels / colParts * nr);
            Rectangle<T, TVector, TSimd>(o, r0, r1, j0, j1);
        }
        var parts = rowParts * colParts;
        if (parts == 1) Part(0);
        else ParallelKernel.For(parts, int.MaxValue / 2, (start, count) =>
        {
            for (var part = start; part < start + count; part++) Part(part);
        });
    }

    /// <summary>
    /// How to cut C among <paramref name="threads"/> threads: rowParts × colParts rectangles of whole tiles, chosen
    /// to minimise the largest rectangle's cost (its multiply-adds per unit of depth, plus packing its rows of A and
    /// columns of B). Falls back to fewer threads when C has fewer tiles than threads in any grid.
    /// </summary>
    private static (int RowParts, int ColParts) Grid(int rowTiles, int panels, int threads, int nr)
    {
        for (var t = threads; t > 1; t--)
        {
            (int, int) best = (0, 0);
            var bestCost = long.MaxValue;
            for (var rowParts = 1; rowParts <= t; rowParts++)
            {
                if (t % rowParts != 0) continue;
                var colParts = t / rowParts;
                if (rowParts > rowTiles || colParts > panels) continue;
                long rows = (long)((rowTiles + rowParts - 1) / rowParts) * MR, cols = (long)((panels + colParts - 1) / colParts) * nr;
                var cost = rows * cols + 16 * (rows + cols);
                if (cost < bestCost) (best, bestCost) = ((rowParts, colParts), cost);
            }
            if (bestCost < long.MaxValue) return best;
        }
        return (1, 1);
    }

    /// <summary>C[r0..r1, j0..j1) = A[r0..r1, :]·B[:, j0..j1), on the calling thread, with its own packing buffers.</summary>
    private static void Rectangle<T, TVector, TSimd>(Operands<T> o, int r0, int r1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVector : struct
        where TSimd : struct, ISimd<T, TVector>
    {
        var nr = 2 * TSimd.Count;
        var depth = Math.Min(PanelDepth(o.K), o.K);
        var nc = PackedBBytes / (depth * Unsafe.SizeOf<T>()) / nr * nr; // whole micro-panels: packing pads each to nr columns
        var space = PackingSpace<T>.Take(
            Math.Min(MC, (r1 - r0 + MR - 1) / MR * MR) * depth,
            (Math.Min(nc, j1 - j0) + nr - 1) / nr * nr * depth);
        try
        {
            ref var packedA = ref space.A;
            ref var packedB = ref space.B;
            for (var jc = j0; jc < j1; jc += nc)
            {
                var cols = Math.Min(nc, j1 - jc);
                for (var pc = 0; pc < o.K; pc += depth)
                {
                    var kc = Math.Min(depth, o.K - pc);
                    PackB(o, pc, kc, jc, cols, nr, ref packedB);
                    for (var ic = r0; ic < r1; ic += MC)
                    {
                        var mc = Math.Min(MC, r1 - ic);
                        // Pre-packed A: panel pc holds every micro-panel of A, row block ic starts ic·kc into it.
                        ref var blockA = ref o.PackedA is { } pre
                            ? ref pre[(o.M + MR - 1) / MR * MR * pc + ic * kc]
                            : ref packedA;
                        if (o.PackedA is null) PackA(o, ic, mc, pc, kc, ref packedA);
                        // Each A micro-panel (MR x KC, 12 KiB in float32) stays in L1 while B's micro-panels stream past it from L2.
                        for (var ir = 0; ir < mc; ir += MR)
                        {
                            ref var panelA = ref Unsafe.Add(ref blockA, ir * kc);
                            for (var jr = 0; jr < cols; jr += nr)
                                MicroKernel<T, TVector, TSimd>(
                                    ref panelA, ref Unsafe.Add(ref packedB, jr * kc), kc,
                                    o.C, o.COffset + (ic + ir) * o.N + jc + jr, o.N, Math.Min(MR, mc - ir), Math.Min(nr, cols - jr),
                                    accumulate: pc > 0 || o.Accumulate);
                        }
                    }
                }
            }
        }
        finally
        {
            PackingSpace<T>.Give(space);
        }
    }

    /// <summary>Packs B[pc..pc+kc, jc..jc+cols) as micro-panels of nr columns: panel j holds kc rows of nr values, zero-padded past cols.</summary>
    private static void PackB<T>(Operands<T> o, int pc, int kc, int jc, int cols, int nr, ref T packed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dst = 0;
        var b = o.B;
        for (var j0 = 0; j0 < cols; j0 += nr)
        {
            var width = Math.Min(nr, cols - j0);
            for (var p = 0; p < kc; p++)
            {
                var src = o.BOffset + (pc + p) * o.BRowStride + (jc + j0) * o.BColStride;
                var row = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref packed, dst), nr);
                if (o.BColStride == 1)
                    b.AsSpan(src, width).CopyTo(row);
                else
                    for (var j = 0; j < width; j++) row[j] = b[src + j * o.BColStride];
                row[width..].Clear();
                dst += nr;
            }
        }
    }

    /// <summary>Packs A[ic..ic+mc, pc..pc+kc) as micro-panels of MR rows: for each depth p, MR values, zero-padded past mc.</summary>
    private static void PackA<T>(Operands<T> o, int ic, int mc, int pc, int kc, ref T packed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dst = 0;
        var a = o.A;
        for (var i0 = 0; i0 < mc; i0 += MR)
        {
            var rows = Math.Min(MR, mc - i0);
            var first = o.AOffset + (ic + i0) * o.ARowStride + pc * o.AColStride;
            if (o.AColStride == 1)
            {
                // Row-major A: read each row contiguously, write it down one column of the micro-panel.
                for (var i = 0; i < rows; i++)
                {
                    var row = a.AsSpan(first + i * o.ARowStride, kc);
                    for (var p = 0; p < kc; p++) Unsafe.Add(ref packed, dst + p * MR + i) = row[p];
                }
            }
            else
            {
                for (var p = 0; p < kc; p++)
                {
                    var src = first + p * o.AColStride;
                    for (var i = 0; i < rows; i++) Unsafe.Add(ref packed, dst + p * MR + i) = a[src + i * o.ARowStride];
                }
            }
            if (rows < MR)
                for (var p = 0; p < kc; p++)
                    MemoryMarshal.CreateSpan(ref Unsafe.Add(ref packed, dst + p * MR + rows), MR - rows).Clear();
            dst += MR * kc;
        }
    }

    /// <summary>
    /// C[tile] = Apanel·Bpanel, or C[tile] += Apanel·Bpanel when <paramref name="accumulate"/> (every depth panel after
    /// the first), for one MR×NR tile (NR = two vectors), accumulating the panel's whole depth in registers. Overwriting
    /// on the first panel spares clearing C beforehand, a full extra pass over it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void MicroKernel<T, TVector, TSimd>(ref T packedA, ref T packedB, int kc, T[] c, int cStart, int ldc, int rows, int cols, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVector : struct
        where TSimd : struct, ISimd<T, TVector>
    {
        var w = TSimd.Count;
        // Where the tile goes is settled before the loop: a call (zeroing the scratch, a range-check failure) after
        // it, with the 24 accumulators live, would make the JIT spill every accumulator on every iteration.
        var full = rows == MR && cols == 2 * w;
        // An edge tile is stored whole into the scratch (every element written, so it needs no clearing) and only
        // its part inside C is copied out below.
        Unsafe.SkipInit(out TileScratch scratch);
        ref var t = ref full ? ref c[cStart] : ref Unsafe.As<TileScratch, T>(ref scratch);
        var ld = full ? ldc : 2 * w;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TVector c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        TVector c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        TVector c90 = default, c91 = default, cA0 = default, cA1 = default, cB0 = default, cB1 = default;
        ref var pa = ref packedA;
        ref var pb = ref packedB;
        for (var p = 0; p < kc; p++)
        {
            var b0 = TSimd.Load(ref pb, 0);
            var b1 = TSimd.Load(ref pb, w);
            var a = TSimd.Broadcast(pa);
            c00 = TSimd.Fma(a, b0, c00); c01 = TSimd.Fma(a, b1, c01);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 1));
            c10 = TSimd.Fma(a, b0, c10); c11 = TSimd.Fma(a, b1, c11);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 2));
            c20 = TSimd.Fma(a, b0, c20); c21 = TSimd.Fma(a, b1, c21);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 3));
            c30 = TSimd.Fma(a, b0, c30); c31 = TSimd.Fma(a, b1, c31);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 4));
            c40 = TSimd.Fma(a, b0, c40); c41 = TSimd.Fma(a, b1, c41);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 5));
            c50 = TSimd.Fma(a, b0, c50); c51 = TSimd.Fma(a, b1, c51);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 6));
            c60 = TSimd.Fma(a, b0, c60); c61 = TSimd.Fma(a, b1, c61);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 7));
            c70 = TSimd.Fma(a, b0, c70); c71 = TSimd.Fma(a, b1, c71);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 8));
            c80 = TSimd.Fma(a, b0, c80); c81 = TSimd.Fma(a, b1, c81);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 9));
            c90 = TSimd.Fma(a, b0, c90); c91 = TSimd.Fma(a, b1, c91);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 10));
            cA0 = TSimd.Fma(a, b0, cA0); cA1 = TSimd.Fma(a, b1, cA1);
            a = TSimd.Broadcast(Unsafe.Add(ref pa, 11));
            cB0 = TSimd.Fma(a, b0, cB0); cB1 = TSimd.Fma(a, b1, cB1);
            pa = ref Unsafe.Add(ref pa, MR);
            pb = ref Unsafe.Add(ref pb, 2 * w);
        }

        // After the first depth panel a full tile adds to C; otherwise (the first panel, or the scratch) it overwrites.
        var add = accumulate && full;
        Put<T, TVector, TSimd>(ref t, 0, c00, add); Put<T, TVector, TSimd>(ref t, w, c01, add);
        Put<T, TVector, TSimd>(ref t, ld, c10, add); Put<T, TVector, TSimd>(ref t, ld + w, c11, add);
        Put<T, TVector, TSimd>(ref t, 2 * ld, c20, add); Put<T, TVector, TSimd>(ref t, 2 * ld + w, c21, add);
        Put<T, TVector, TSimd>(ref t, 3 * ld, c30, add); Put<T, TVector, TSimd>(ref t, 3 * ld + w, c31, add);
        Put<T, TVector, TSimd>(ref t, 4 * ld, c40, add); Put<T, TVector, TSimd>(ref t, 4 * ld + w, c41, add);
        Put<T, TVector, TSimd>(ref t, 5 * ld, c50, add); Put<T, TVector, TSimd>(ref t, 5 * ld + w, c51, add);
        Put<T, TVector, TSimd>(ref t, 6 * ld, c60, add); Put<T, TVector, TSimd>(ref t, 6 * ld + w, c61, add);
        Put<T, TVector, TSimd>(ref t, 7 * ld, c70, add); Put<T, TVector, TSimd>(ref t, 7 * ld + w, c71, add);
        Put<T, TVector, TSimd>(ref t, 8 * ld, c80, add); Put<T, TVector, TSimd>(ref t, 8 * ld + w, c81, add);
        Put<T, TVector, TSimd>(ref t, 9 * ld, c90, add); Put<T, TVector, TSimd>(ref t, 9 * ld + w, c91, add);
        Put<T, TVector, TSimd>(ref t, 10 * ld, cA0, add); Put<T, TVector, TSimd>(ref t, 10 * ld + w, cA1, add);
        Put<T, TVector, TSimd>(ref t, 11 * ld, cB0, add); Put<T, TVector, TSimd>(ref t, 11 * ld + w, cB1, add);
        if (full) return;
        // Edge tile: the scratch holds the product; add or write only the part inside C.
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++)
                c[cStart + i * ldc + j] = accumulate ? c[cStart + i * ldc + j] + Unsafe.Add(ref t, i * ld + j) : Unsafe.Add(ref t, i * ld + j);
    }

    /// <summary>Adds <paramref name="value"/> to, or stores it at, <paramref name="target"/>[<paramref name="offset"/>...].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<T, TVector, TSimd>(ref T target, int offset, TVector value, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVector : struct
        where TSimd : struct, ISimd<T, TVector>
    {
        if (add) TSimd.AddTo(ref target, offset, value);
        else TSimd.Store(ref target, offset, value);
    }

    /// <summary>Room for one MR × 2·64-byte tile (the widest): where an edge tile is spilled.</summary>
    [InlineArray(MR * 2 * 64)]
    private struct TileScratch
    {
        private byte first;
    }

    /// <summary>
    /// Packing buffers for one thread, reused across calls rather than rented or allocated per product: pinned, so
    /// that their 64-byte alignment (every packed vector load within one cache line) survives compaction.
    /// </summary>
    private sealed class PackingSpace<T> where T : unmanaged
    {
        // One per thread and element type. Take empties the slot, so a re-entrant call on the same thread
        // (not expected: kernels call no user code) would get fresh buffers rather than share these.
        [ThreadStatic] private static PackingSpace<T>? cached;

        private readonly T[] storageA, storageB;
        private readonly int startA, startB;

        private PackingSpace(int lengthA, int lengthB)
        {
            (storageA, startA) = Aligned(lengthA);
            (storageB, startB) = Aligned(lengthB);
        }

        public ref T A => ref storageA[startA];

        public ref T B => ref storageB[startB];

        private int CapacityA => storageA.Length - startA;

        private int CapacityB => storageB.Length - startB;

        public static PackingSpace<T> Take(int lengthA, int lengthB)
        {
            var space = cached;
            cached = null;
            if (space is not null && space.CapacityA >= lengthA && space.CapacityB >= lengthB) return space;
            // Grow to the largest size seen, so that alternating shapes do not reallocate (bounded by MC·KC and KC·NC).
            return new PackingSpace<T>(Math.Max(lengthA, space?.CapacityA ?? 0), Math.Max(lengthB, space?.CapacityB ?? 0));
        }

        public static void Give(PackingSpace<T> space) => cached = space;

        private static unsafe (T[] Storage, int Start) Aligned(int length)
        {
            const int Alignment = 64;
            var storage = GC.AllocateUninitializedArray<T>(length + Alignment / sizeof(T), pinned: true);
            var address = (nint)Unsafe.AsPointer(ref storage[0]);
            var start = (int)((Alignment - address % Alignment) % Alignment) / sizeof(T);
            return (storage, start);
        }
    }

    /// <summary>The few vector operations the micro-kernel needs, so one kernel serves 256- and 512-bit registers.</summary>
    private interface ISimd<T, TVector>
    {
        static abstract int Count { get; }
        static abstract TVector Load(ref T source, int offset);
        static abstract TVector Broadcast(T value);
        static abstract TVector Fma(TVector a, TVector b, TVector c);
        static abstract void AddTo(ref T target, int offset, TVector value);
        static abstract void Store(ref T target, int offset, TVector value);
    }

    private readonly struct Simd256<T> : ISimd<T, Vector256<T>> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => Vector256<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Load(ref T source, int offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        {
            // The JIT folds these type tests away; float and double get one fused instruction.
            if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double)) return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            return a * b + c;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void AddTo(ref T target, int offset, Vector256<T> value) =>
            (Vector256.LoadUnsafe(ref target, (nuint)offset) + value).StoreUnsafe(ref target, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(ref T target, int offset, Vector256<T> value) => value.StoreUnsafe(ref target, (nuint)offset);
    }

    private readonly struct Simd512<T> : ISimd<T, Vector512<T>> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => Vector512<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Load(ref T source, int offset) => Vector512.LoadUnsafe(ref source, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        {
            if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            return a * b + c;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void AddTo(ref T target, int offset, Vector512<T> value) =>
            (Vector512.LoadUnsafe(ref target, (nuint)offset) + value).StoreUnsafe(ref target, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(ref T target, int offset, Vector512<T> value) => value.StoreUnsafe(ref target, (nuint)offset);
    }

    /// <summary>The plain triple loop, for hardware without 256-bit vectors.</summary>
    private static void Reference<T>(Operands<T> o) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < o.M; i++)
            for (var p = 0; p < o.K; p++)
            {
                var aip = o.A[o.AOffset + i * o.ARowStride + p * o.AColStride];
                for (var j = 0; j < o.N; j++) o.C[o.COffset + i * o.N + j] += aip * o.B[o.BOffset + p * o.BRowStride + j * o.BColStride];
            }
    }
}
