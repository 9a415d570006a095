using System.Numerics;

namespace Autodiff;

/// <summary>
/// Adam's per-leaf update in one pass over θ, g, m and v, for updates outside any transform (where nothing needs the
/// intermediate tensors): the composite tensor code makes a dozen full-size temporaries and as many passes. Each
/// element goes through the same IEEE operations in the same order as that code, so the results are bitwise the same.
/// </summary>
internal static class AdamKernel
{
    /// <summary>The scalars of one step, already rounded to the leaf's dtype as the tensor code rounds its constants.</summary>
    public readonly record struct Constants<T>(
        T WeightDecay, bool Coupled, T Beta1, T OneMinusBeta1, T Beta2, T OneMinusBeta2, T BiasCorrection2Sqrt, T Eps,
        T NegativeStepSize, T DecoupledDecay, bool Decoupled)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// u = −stepSize·m / (√v / √bc₂ + ε) (− lr·λ·θ when decoupled), m = β₁m₀ + (1 − β₁)g, v = β₂v₀ + (1 − β₂)g², with
    /// g = g + λθ first when the decay is coupled; written into new tensors (u, m, v).
    /// </summary>
    public static (Tensor Update, Tensor M, Tensor V) Step<T>(Tensor theta, Tensor gradient, Tensor m0, Tensor v0, Constants<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (th, g, pm, pv) = (theta.Data<T>(), gradient.Data<T>(), m0.Data<T>(), v0.Data<T>());
        var shape = theta.ShapeArray;
        var update = Tensor.Allocate((int[])shape.Clone(), out T[] u);
        var m = Tensor.Allocate((int[])shape.Clone(), out T[] nm);
        var v = Tensor.Allocate((int[])shape.Clone(), out T[] nv);
        ParallelKernel.For(th.Length, 8, (start, length) =>
        {
            var i = start;
            var end = start + length;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            {
                var (wd, b1, c1, b2, c2) = (new Vector<T>(k.WeightDecay), new Vector<T>(k.Beta1), new Vector<T>(k.OneMinusBeta1), new Vector<T>(k.Beta2), new Vector<T>(k.OneMinusBeta2));
                var (bc2, eps, step, decay) = (new Vector<T>(k.BiasCorrection2Sqrt), new Vector<T>(k.Eps), new Vector<T>(k.NegativeStepSize), new Vector<T>(k.DecoupledDecay));
                for (; i <= end - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var t = new Vector<T>(th, i);
                    var gi = new Vector<T>(g, i);
                    if (k.Coupled) gi = gi + wd * t;
                    var mi = b1 * new Vector<T>(pm, i) + c1 * gi;
                    var vi = b2 * new Vector<T>(pv, i) + c2 * (gi * gi);
                    var ui = step * (mi / (Vector.SquareRoot(vi) / bc2 + eps));
                    if (k.Decoupled) ui = ui - decay * t;
                    ui.CopyTo(u, i);
                    mi.CopyTo(nm, i);
                    vi.CopyTo(nv, i);
                }
            }
            for (; i < end; i++)
            {
                var gi = g[i];
                if (k.Coupled) gi = gi + k.WeightDecay * th[i];
                var mi = k.Beta1 * pm[i] + k.OneMinusBeta1 * gi;
                var vi = k.Beta2 * pv[i] + k.OneMinusBeta2 * (gi * gi);
                var ui = k.NegativeStepSize * (mi / (T.Sqrt(vi) / k.BiasCorrection2Sqrt + k.Eps));
                if (k.Decoupled) ui = ui - k.DecoupledDecay * th[i];
                (u[i], nm[i], nv[i]) = (ui, mi, vi);
            }
        });
        GC.KeepAlive(theta); GC.KeepAlive(gradient); GC.KeepAlive(m0); GC.KeepAlive(v0); // read as arrays above (see Storage)
        return (update, m, v);
    }
}
