package dev.descent.engine.simd;

import dev.descent.engine.compiled.PassCompiler;
import dev.descent.lower.KernelPlan;

/**
 * Whether a pass's compiled loop gives the interpreter's results over the streams as bound now:
 * true unless a stream it writes overlaps another it uses (a caller passed one array twice),
 * except an update in place the plan allows ({@link KernelPlan#readsBefore}: every read of the
 * other stream comes before the write, so both tiers read old values).
 */
final class PassAliasing {
    private final KernelPlan plan;
    private final int n;
    /** Per phase, the streams its pass uses and those it writes. */
    private final int[][] passStreams, passWritten;
    /** Per pair of streams [used][written]: {@link KernelPlan#readsBefore}, asked once (0 not yet, 1 yes, 2 no). */
    private byte[][] readsBefore;

    PassAliasing(KernelPlan plan) {
        this.plan = plan;
        this.n = plan.n;
        passStreams = new int[plan.phases.size()][];
        passWritten = new int[plan.phases.size()][];
        for (KernelPlan.Phase ph : plan.phases)
            if (ph.pass != null) {
                passStreams[ph.pass.index] = PassCompiler.streams(ph.pass);
                passWritten[ph.pass.index] = ph.pass.writtenStreams();
            }
    }

    private boolean readsBefore(int used, int written) {
        if (readsBefore == null) readsBefore = new byte[plan.streamSlot.length][plan.streamSlot.length];
        if (readsBefore[used][written] == 0) readsBefore[used][written] = (byte) (plan.readsBefore(plan.streamSlot[used], written) ? 1 : 2);
        return readsBefore[used][written] == 1;
    }

    /** Whether pass p may run compiled over these stream arrays (float[] or double[] per stream) at these offsets. */
    boolean compiledSafe(KernelPlan.Pass p, Object[] arrays, int[] offs) {
        int[] used = passStreams[p.index], written = passWritten[p.index];
        for (int w : written)
            for (int u : used) {
                if (u == w || arrays[u] != arrays[w] || Math.abs(offs[u] - offs[w]) >= Math.max(1, n)) continue;
                if (offs[u] != offs[w] || !readsBefore(u, w)) return false;
            }
        return true;
    }
}
