using System.Numerics;
using System.Runtime.CompilerServices;

namespace Autodiff;

/// <summary>
/// An explicit, immutable pseudo-random key in the style of JAX: two 32-bit words fed to the
/// counter-based Threefry-2x32 block cipher (20 rounds; Salmon et al., "Parallel random numbers: as easy as
/// 1, 2, 3", SC 2011). A key never changes; to draw several independent streams, <see cref="Split()"/> it
/// and use each child once.
/// </summary>
/// <remarks>
/// Everything a key produces is a pure function of the key and a counter. The counter's second word says
/// what it is for: below 2^31 it is the high half of a block index in the key's bit stream (so the stream
/// holds 2^63 blocks); <c>0xFFFFFFFF</c> derives <see cref="Split(int)"/> children and <c>0xFFFFFFFE</c>
/// derives <see cref="FoldIn"/> keys. The bit stream, the split children and the folded keys therefore
/// never share a counter.
/// </remarks>
/// <param name="Word0">The first key word.</param>
/// <param name="Word1">The second key word.</param>
public readonly record struct Key(uint Word0, uint Word1)
{
    private const uint SplitDomain = 0xFFFFFFFF;
    private const uint FoldInDomain = 0xFFFFFFFE;

    /// <summary>The key for <paramref name="seed"/>: its high 32 bits become the first word, its low 32 bits the second.</summary>
    public static Key Create(ulong seed) => new((uint)(seed >> 32), (uint)seed);

    /// <summary>The key for <paramref name="seed"/>, read as the 64 bits of its two's-complement form (so <c>Create(42)</c> equals <c>Create(42UL)</c>).</summary>
    public static Key Create(long seed) => Create(unchecked((ulong)seed));

    /// <summary>Two new keys, independent of each other and of this one's bit stream: <c>var (key, sub) = key.Split();</c>.</summary>
    public (Key, Key) Split() => (Child(0), Child(1));

    /// <summary><paramref name="n"/> new keys; child <c>i</c> depends only on this key and <c>i</c>, so <c>Split(2)</c> equals <see cref="Split()"/>.</summary>
    public Key[] Split(int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), $"Key.Split: cannot split into {n} keys; n must be 0 or more");
        var keys = new Key[n];
        for (var i = 0; i < n; i++) keys[i] = Child((uint)i);
        return keys;
    }

    /// <summary>A new key mixing <paramref name="data"/> into this one (e.g. a step or layer number); different data give unrelated keys.</summary>
    public Key FoldIn(int data)
    {
        var (x0, x1) = Threefry.Block(this, unchecked((uint)data), FoldInDomain);
        return new Key(x0, x1);
    }

    private Key Child(uint index)
    {
        var (x0, x1) = Threefry.Block(this, index, SplitDomain);
        return new Key(x0, x1);
    }

    /// <summary>The first <paramref name="count"/> 32-bit words of this key's bit stream; word <c>i</c> depends only on the key and <c>i</c>.</summary>
    internal uint[] RandomBits(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"Key.RandomBits: count {count} is negative");
        var bits = new uint[count];
        var key = this;
        ParallelKernel.For(count, RandomKernels.CostPerElement, (start, length) => key.FillBits(start, bits.AsSpan(start, length)));
        return bits;
    }

    /// <summary>Writes words <c>first</c>, <c>first + 1</c>, … of the bit stream into <paramref name="destination"/>; any chunking gives the same words.</summary>
    internal void FillBits(long first, Span<uint> destination)
    {
        var k = 0;
        if ((first & 1) == 1 && destination.Length > 0) destination[k++] = Word(first);
        // Now first + k is even: each block fills two words.
        for (; k + 1 < destination.Length; k += 2)
        {
            var (x0, x1) = Block((first + k) >> 1);
            destination[k] = x0;
            destination[k + 1] = x1;
        }
        if (k < destination.Length) destination[k] = Word(first + k);
    }

    /// <summary>Word <paramref name="index"/> of the bit stream: half of block <c>index / 2</c>.</summary>
    internal uint Word(long index)
    {
        var (x0, x1) = Block(index >> 1);
        return (index & 1) == 0 ? x0 : x1;
    }

    /// <summary>Block <paramref name="index"/> of the bit stream (words <c>2·index</c> and <c>2·index + 1</c>) as one 64-bit value, word <c>2·index</c> in the high half.</summary>
    internal ulong Bits64(long index)
    {
        var (x0, x1) = Block(index);
        return ((ulong)x0 << 32) | x1;
    }

    private (uint, uint) Block(long index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), $"Key: block index {index} is negative");
        return Threefry.Block(this, (uint)index, (uint)(index >> 32));
    }

    /// <summary>The two words in hexadecimal, e.g. <c>Key(0x00000000, 0x0000002a)</c>.</summary>
    public override string ToString() => $"Key(0x{Word0:x8}, 0x{Word1:x8})";
}

/// <summary>The Threefry-2x32 block function with 20 rounds, as specified by Random123.</summary>
internal static class Threefry
{
    // Skein's key-schedule parity constant, so that the third key word is never all zero.
    private const uint Parity = 0x1BD11BDA;

    /// <summary>Encrypts the counter (<paramref name="c0"/>, <paramref name="c1"/>) under <paramref name="key"/>.</summary>
    public static (uint, uint) Block(Key key, uint c0, uint c1) => Encrypt(key.Word0, key.Word1, c0, c1);

    /// <summary>
    /// Threefry-2x32-20 of counter (c0, c1) under key (k0, k1): five groups of four mix rounds, each group followed by a
    /// key injection s = 1…5 that adds schedule words s mod 3 and (s + 1) mod 3 (plus s) from (k0, k1, k2).
    /// Written out in full, as Random123 does, because a loop with table lookups runs several times slower.
    /// </summary>
    public static (uint, uint) Encrypt(uint k0, uint k1, uint c0, uint c1)
    {
        var k2 = Parity ^ k0 ^ k1;
        uint x0 = c0 + k0, x1 = c1 + k1;
        FourRounds(ref x0, ref x1, 13, 15, 26, 6);
        x0 += k1; x1 += k2 + 1;
        FourRounds(ref x0, ref x1, 17, 29, 16, 24);
        x0 += k2; x1 += k0 + 2;
        FourRounds(ref x0, ref x1, 13, 15, 26, 6);
        x0 += k0; x1 += k1 + 3;
        FourRounds(ref x0, ref x1, 17, 29, 16, 24);
        x0 += k1; x1 += k2 + 4;
        FourRounds(ref x0, ref x1, 13, 15, 26, 6);
        x0 += k2; x1 += k0 + 5;
        return (x0, x1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRounds(ref uint x0, ref uint x1, int r0, int r1, int r2, int r3)
    {
        x0 += x1; x1 = BitOperations.RotateLeft(x1, r0) ^ x0;
        x0 += x1; x1 = BitOperations.RotateLeft(x1, r1) ^ x0;
        x0 += x1; x1 = BitOperations.RotateLeft(x1, r2) ^ x0;
        x0 += x1; x1 = BitOperations.RotateLeft(x1, r3) ^ x0;
    }
}
