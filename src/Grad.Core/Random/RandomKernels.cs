using System.Numerics;

namespace Autodiff;

/// <summary>
/// Turns a key's bit stream into samples. Each fill writes elements <c>first</c>, <c>first + 1</c>, … and
/// element <c>i</c> reads only stream positions computed from <c>i</c>, so filling a tensor in any chunks,
/// in any order, on any number of threads gives the same values.
/// </summary>
internal static class RandomKernels
{
    /// <summary>Cost hint for <see cref="ParallelKernel.For"/>: a Threefry block is a few dozen integer operations.</summary>
    public const int CostPerElement = 16;

    /// <summary>A uniform double in [0, 1) from the top 24 bits of a stream word: exactly a float32 grid point.</summary>
    public static double Unit24(uint word) => (word >> 8) * (1.0 / (1 << 24));

    /// <summary>A uniform double in [0, 1) from the top 53 bits of stream block <paramref name="index"/> (two words).</summary>
    public static double Unit53(Key key, long index) => (key.Bits64(index) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [low, high): float32 element i uses word i (24 bits), float64 element i uses block i (53 bits).</summary>
    public static void Uniform<T>(Key key, long first, Span<T> destination, double low, double high)
        where T : IFloatingPointIeee754<T>
    {
        var width = high - low;
        // low + width·u can round up to high in T; the largest value below high is the right answer then.
        var belowHigh = T.BitDecrement(T.CreateChecked(high));
        if (typeof(T) == typeof(float))
        {
            // Words come a batch at a time so that each Threefry block serves two elements.
            Span<uint> words = stackalloc uint[256];
            for (var k = 0; k < destination.Length; k += words.Length)
            {
                var batch = words[..Math.Min(words.Length, destination.Length - k)];
                key.FillBits(first + k, batch);
                for (var j = 0; j < batch.Length; j++)
                    destination[k + j] = T.Min(T.CreateChecked(low + width * Unit24(batch[j])), belowHigh);
            }
        }
        else
        {
            for (var k = 0; k < destination.Length; k++)
                destination[k] = T.Min(T.CreateChecked(low + width * Unit53(key, first + k)), belowHigh);
        }
    }

    /// <summary>
    /// mean + std·z with z standard normal by the Box–Muller transform, computed in double for every dtype:
    /// elements 2p and 2p + 1 are r·cos θ and r·sin θ for r = √(−2 ln(1 − u₁)), θ = 2π u₂, where u₁ and u₂ are
    /// 53-bit uniforms from blocks 2p and 2p + 1. A float32 normal is therefore the rounded float64 normal.
    /// </summary>
    public static void Normal<T>(Key key, long first, Span<T> destination, double mean, double std)
        where T : IFloatingPointIeee754<T>
    {
        var end = first + destination.Length;
        for (var i = first; i < end;)
        {
            var (z0, z1) = BoxMuller(key, i >> 1);
            if ((i & 1) == 0)
            {
                destination[(int)(i - first)] = T.CreateChecked(mean + std * z0);
                if (i + 1 < end) destination[(int)(i + 1 - first)] = T.CreateChecked(mean + std * z1);
                i += 2;
            }
            else
            {
                destination[(int)(i - first)] = T.CreateChecked(mean + std * z1);
                i += 1;
            }
        }
    }

    private static (double, double) BoxMuller(Key key, long pair)
    {
        // 1 − u lies in (0, 1], so the logarithm is finite; the largest |z| is √(2·53·ln 2) ≈ 8.6.
        var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - Unit53(key, 2 * pair)));
        var (sin, cos) = Math.SinCos(2.0 * Math.PI * Unit53(key, 2 * pair + 1));
        return (radius * cos, radius * sin);
    }

    /// <summary>True with probability p: element i is <c>u &lt; p</c> for the 53-bit uniform u of block i, so p = 0 and p = 1 are exact.</summary>
    public static void Bernoulli(Key key, long first, Span<bool> destination, double p)
    {
        for (var k = 0; k < destination.Length; k++) destination[k] = Unit53(key, first + k) < p;
    }

    /// <summary>Integers in [low, high): element i is low + ⌊r·(high − low) / 2^64⌋ for the 64-bit block r = block i.</summary>
    public static void Integers(Key key, long first, Span<int> destination, int low, int high)
    {
        var range = (ulong)((long)high - low);
        for (var k = 0; k < destination.Length; k++)
            destination[k] = (int)(low + (long)Below(key, first + k, range));
    }

    /// <summary>⌊r·n / 2^64⌋ for the 64-bit block r at <paramref name="index"/>: in [0, n), biased by at most n / 2^64.</summary>
    public static ulong Below(Key key, long index, ulong n) => Math.BigMul(key.Bits64(index), n, out _);
}
