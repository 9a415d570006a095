using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Autodiff;

/// <summary>
/// General matrix multiply C = A·B on row-major float data, organised as in BLIS/GotoBLAS: B is packed into
/// depth-KC panels of NR columns, A into blocks of MC rows cut into micro-panels of MR rows, and a register-
/// blocked micro-kernel keeps an MR×NR tile of C in 12 vector registers for a whole depth panel, so each
/// loaded element of A and B feeds several fused multiply-adds. Row blocks run in parallel.
/// </summary>
internal static class Gemm
{
    private const int MR = 6;     // rows of C per micro-tile
    private const int KC = 256;   // depth of a packed panel: an NR-wide B micro-panel (KC·NR) stays in L1
    private const int MC = 96;    // rows of A per packed block (a multiple of MR): the block stays in L2

    /// <summary>
    /// C[m×n] = A[m×k]·B[k×n], overwriting C. Operands are addressed by strides so that a transposed
    /// operand is packed straight from its storage: A[i, p] = a[aOffset + i·aRowStride + p·aColStride].
    /// </summary>
    public static void Multiply<T>(
        T[] a, int aOffset, int aRowStride, int aColStride,
        T[] b, int bOffset, int bRowStride, int bColStride,
        T[] c, int cOffset, int m, int k, int n, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        c.AsSpan(cOffset, m * n).Clear();
        if (m == 0 || n == 0 || k == 0) return;
        if (!Vector256.IsHardwareAccelerated || !Vector256<T>.IsSupported)
        {
            Reference(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, m, k, n);
            return;
        }

        // Where 512-bit vectors are fast, the micro-tile is twice as wide: each broadcast of A feeds twice the FMAs.
        // Narrow outputs keep the 256-bit tile, which pads less of each tile with zeros.
        var wide = Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && n >= 2 * Vector512<T>.Count;
        var nr = 2 * (wide ? Vector512<T>.Count : Vector256<T>.Count);
        var panels = (n + nr - 1) / nr;
        var packedB = ArrayPool<T>.Shared.Rent(KC * panels * nr);
        var rowBlocks = (m + MC - 1) / MC;
        try
        {
            for (var pc = 0; pc < k; pc += KC)
            {
                var kc = Math.Min(KC, k - pc);
                PackB(b, bOffset, bRowStride, bColStride, pc, kc, n, nr, packedB);
                void Blocks(int start, int count)
                {
                    var packedA = ArrayPool<T>.Shared.Rent(MC * kc);
                    for (var block = start; block < start + count; block++)
                    {
                        var ic = block * MC;
                        var mc = Math.Min(MC, m - ic);
                        PackA(a, aOffset, aRowStride, aColStride, ic, mc, pc, kc, packedA);
                        for (var jp = 0; jp < panels; jp++)
                        {
                            var cols = Math.Min(nr, n - jp * nr);
                            for (var ir = 0; ir < mc; ir += MR)
                            {
                                if (wide) MicroKernel<T, Vector512<T>, Simd512<T>>(packedA, ir * kc, packedB, jp * nr * kc, kc, c, cOffset + (ic + ir) * n + jp * nr, n, Math.Min(MR, mc - ir), cols);
                                else MicroKernel<T, Vector256<T>, Simd256<T>>(packedA, ir * kc, packedB, jp * nr * kc, kc, c, cOffset + (ic + ir) * n + jp * nr, n, Math.Min(MR, mc - ir), cols);
                            }
                        }
                    }
                    ArrayPool<T>.Shared.Return(packedA);
                }
                if (parallel) ParallelKernel.For(rowBlocks, ParallelKernel.Cost(2L * MC * kc * n), Blocks);
                else Blocks(0, rowBlocks);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(packedB);
        }
    }

    /// <summary>Packs B[pc..pc+kc, 0..n) as panels of nr columns: panel j holds kc rows of nr values, zero-padded past n.</summary>
    private static void PackB<T>(T[] b, int offset, int rowStride, int colStride, int pc, int kc, int n, int nr, T[] packed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dst = 0;
        for (var j0 = 0; j0 < n; j0 += nr)
        {
            var cols = Math.Min(nr, n - j0);
            for (var p = 0; p < kc; p++)
            {
                var src = offset + (pc + p) * rowStride + j0 * colStride;
                if (colStride == 1)
                    Array.Copy(b, src, packed, dst, cols);
                else
                    for (var j = 0; j < cols; j++) packed[dst + j] = b[src + j * colStride];
                for (var j = cols; j < nr; j++) packed[dst + j] = T.Zero;
                dst += nr;
            }
        }
    }

    /// <summary>Packs A[ic..ic+mc, pc..pc+kc) as micro-panels of MR rows: for each depth p, MR values, zero-padded past mc.</summary>
    private static void PackA<T>(T[] a, int offset, int rowStride, int colStride, int ic, int mc, int pc, int kc, T[] packed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dst = 0;
        for (var i0 = 0; i0 < mc; i0 += MR)
        {
            var rows = Math.Min(MR, mc - i0);
            for (var p = 0; p < kc; p++)
            {
                var src = offset + (ic + i0) * rowStride + (pc + p) * colStride;
                for (var i = 0; i < rows; i++) packed[dst + i] = a[src + i * rowStride];
                for (var i = rows; i < MR; i++) packed[dst + i] = T.Zero;
                dst += MR;
            }
        }
    }

    /// <summary>C[tile] += Apanel·Bpanel for one MR×NR tile (NR = two vectors), accumulating the whole depth in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel<T, TVector, TSimd>(T[] packedA, int aStart, T[] packedB, int bStart, int kc, T[] c, int cStart, int ldc, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVector : struct
        where TSimd : struct, ISimd<T, TVector>
    {
        var w = TSimd.Count;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TVector c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref var pa = ref packedA[aStart];
        ref var pb = ref packedB[bStart];
        for (var p = 0; p < kc; p++)
        {
            var b0 = TSimd.Load(ref pb, 2 * p * w);
            var b1 = TSimd.Load(ref pb, (2 * p + 1) * w);
            ref var ap = ref Unsafe.Add(ref pa, p * MR);
            var a = TSimd.Broadcast(ap);
            c00 = TSimd.Fma(a, b0, c00); c01 = TSimd.Fma(a, b1, c01);
            a = TSimd.Broadcast(Unsafe.Add(ref ap, 1));
            c10 = TSimd.Fma(a, b0, c10); c11 = TSimd.Fma(a, b1, c11);
            a = TSimd.Broadcast(Unsafe.Add(ref ap, 2));
            c20 = TSimd.Fma(a, b0, c20); c21 = TSimd.Fma(a, b1, c21);
            a = TSimd.Broadcast(Unsafe.Add(ref ap, 3));
            c30 = TSimd.Fma(a, b0, c30); c31 = TSimd.Fma(a, b1, c31);
            a = TSimd.Broadcast(Unsafe.Add(ref ap, 4));
            c40 = TSimd.Fma(a, b0, c40); c41 = TSimd.Fma(a, b1, c41);
            a = TSimd.Broadcast(Unsafe.Add(ref ap, 5));
            c50 = TSimd.Fma(a, b0, c50); c51 = TSimd.Fma(a, b1, c51);
        }

        if (rows == MR && cols == 2 * w)
        {
            ref var cr = ref c[cStart];
            TSimd.AddTo(ref cr, 0, c00); TSimd.AddTo(ref cr, w, c01);
            TSimd.AddTo(ref cr, ldc, c10); TSimd.AddTo(ref cr, ldc + w, c11);
            TSimd.AddTo(ref cr, 2 * ldc, c20); TSimd.AddTo(ref cr, 2 * ldc + w, c21);
            TSimd.AddTo(ref cr, 3 * ldc, c30); TSimd.AddTo(ref cr, 3 * ldc + w, c31);
            TSimd.AddTo(ref cr, 4 * ldc, c40); TSimd.AddTo(ref cr, 4 * ldc + w, c41);
            TSimd.AddTo(ref cr, 5 * ldc, c50); TSimd.AddTo(ref cr, 5 * ldc + w, c51);
            return;
        }
        // Edge tile: spill the registers and add only the part inside C.
        Span<T> tile = stackalloc T[MR * 2 * w];
        tile.Clear();
        ref var t = ref tile[0];
        TSimd.AddTo(ref t, 0, c00); TSimd.AddTo(ref t, w, c01);
        TSimd.AddTo(ref t, 2 * w, c10); TSimd.AddTo(ref t, 3 * w, c11);
        TSimd.AddTo(ref t, 4 * w, c20); TSimd.AddTo(ref t, 5 * w, c21);
        TSimd.AddTo(ref t, 6 * w, c30); TSimd.AddTo(ref t, 7 * w, c31);
        TSimd.AddTo(ref t, 8 * w, c40); TSimd.AddTo(ref t, 9 * w, c41);
        TSimd.AddTo(ref t, 10 * w, c50); TSimd.AddTo(ref t, 11 * w, c51);
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++)
                c[cStart + i * ldc + j] += tile[i * 2 * w + j];
    }

    /// <summary>The few vector operations the micro-kernel needs, so one kernel serves 256- and 512-bit registers.</summary>
    private interface ISimd<T, TVector>
    {
        static abstract int Count { get; }
        static abstract TVector Load(ref T source, int offset);
        static abstract TVector Broadcast(T value);
        static abstract TVector Fma(TVector a, TVector b, TVector c);
        static abstract void AddTo(ref T target, int offset, TVector value);
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
    }

    /// <summary>The plain triple loop, for hardware without 256-bit vectors.</summary>
    private static void Reference<T>(
        T[] a, int aOffset, int aRowStride, int aColStride,
        T[] b, int bOffset, int bRowStride, int bColStride,
        T[] c, int cOffset, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < m; i++)
            for (var p = 0; p < k; p++)
            {
                var aip = a[aOffset + i * aRowStride + p * aColStride];
                for (var j = 0; j < n; j++) c[cOffset + i * n + j] += aip * b[bOffset + p * bRowStride + j * bColStride];
            }
    }
}
