package dev.descent.lower;

import dev.descent.ir.Node;
import dev.descent.ir.Shape;
import java.util.List;

/**
 * A lowered program: what a SIMD engine runs, independent of precision and of how many
 * threads run it. Made by {@link Lowering}.
 *
 * <p>Every node reachable from the outputs has a <em>slot</em> (its index in {@link #nodes},
 * which is id order, so a topological order). A run is a sequence of {@link Phase}s: each
 * first evaluates its <em>host</em> nodes whole-array, one at a time, in float64 (scalars such
 * as hyperparameters, {@code t} and bias corrections, the results of reductions, and any node
 * the kernel does not cover: the fallback), then runs its {@link Pass}, if any: a list of
 * instructions run over the <em>loop</em> (every element of {@link #loopShape}, flat) block
 * by block, elementwise, with the reductions of the pass accumulating one partial per block.
 *
 * <p>Arrays a pass reads or writes whole are <em>streams</em>: a leaf of the loop shape, a host
 * array of the loop shape, or a loop node that must be stored ("materialized") because it is
 * an output, a host node reads it, or a later pass does.
 */
public final class KernelPlan {
    /** Ints per instruction in {@link Pass#code}: op, d, a, b, c, s0, s1, (spare). */
    public static final int STRIDE = 8;

    /** Where a stream's array comes from. */
    public enum StreamKind {
        /** A leaf's value (from the Env, or the caller's leaf array). */
        LEAF,
        /** A node evaluated on the host (a constant, a fallback). */
        HOST,
        /** A loop node, written by a pass. */
        LOOP
    }

    /** The reachable nodes in id order; a node's slot is its index here. */
    public final List<Node> nodes;
    /** The shape every pass runs over (flat, row-major); null when no node runs per element. */
    public final Shape loopShape;
    /** Elements of the loop shape (0 when there is none). */
    public final int n;
    /** The leaves (PARAM, DATA, INPUT, RANDOM), in id order: the order of a run's leaf arrays. */
    public final List<Node> leaves;
    public final int[] leafSlots;
    /** The slot of each output. */
    public final int[] outputSlots;
    /** For each output, the stream a pass writes its value into (so the caller's result array can be that stream), or -1. */
    public final int[] outputStream;
    /** Stream → slot, and where the stream's array comes from. */
    public final int[] streamSlot;
    public final StreamKind[] streamKind;
    /** Per slot, its stream or -1. */
    public final int[] streamOf;
    /** Per slot: a host step, or a pass's scalar table, reads its float64 value. */
    public final boolean[] hostReads;
    public final List<Phase> phases;
    /** Non-scalar nodes evaluated whole-array on the host (the fallback), for {@link #describe}. */
    public final List<Node> fallbacks;
    /** Number of scalar host nodes (evaluated once per run). */
    public final int hostScalars;

    KernelPlan(List<Node> nodes, Shape loopShape, List<Node> leaves, int[] leafSlots, int[] outputSlots, int[] outputStream,
               int[] streamSlot, StreamKind[] streamKind, int[] streamOf, boolean[] hostReads, List<Phase> phases,
               List<Node> fallbacks, int hostScalars) {
        this.nodes = nodes;
        this.loopShape = loopShape;
        this.n = loopShape == null ? 0 : loopShape.size();
        this.leaves = leaves;
        this.leafSlots = leafSlots;
        this.outputSlots = outputSlots;
        this.outputStream = outputStream;
        this.streamSlot = streamSlot;
        this.streamKind = streamKind;
        this.streamOf = streamOf;
        this.hostReads = hostReads;
        this.phases = phases;
        this.fallbacks = fallbacks;
        this.hostScalars = hostScalars;
    }

    /** One host step list, then (optionally) one pass. */
    public static final class Phase {
        /** Host nodes evaluated in this phase, in id order (constants are not steps: their values never change). */
        public final int[] hostSlots;
        /** Streams of host arrays computed by now that a pass reads: a float32 engine converts them before the pass. */
        public final int[] convertIn;
        /** The pass, or null. */
        public final Pass pass;
        /** Streams written by the pass whose float64 value a later host step reads: a float32 engine converts them after. */
        public final int[] convertOut;

        Phase(int[] hostSlots, int[] convertIn, Pass pass, int[] convertOut) {
            this.hostSlots = hostSlots;
            this.convertIn = convertIn;
            this.pass = pass;
            this.convertOut = convertOut;
        }
    }

    /**
     * A kernel pass. Vector operands in {@link #code}: a register r ≥ 0, or a stream s encoded
     * as {@code -(s + 1)}. Scalar operands index {@link #scalarSlots}. A reduction's {@code d}
     * is its first partial (of {@link #partials} per block).
     */
    public static final class Pass {
        public final int index;
        public final int[] code;
        public final int count;
        /** Block registers the pass needs (constant registers included). */
        public final int registers;
        /** Registers filled once per run with a scalar (for operations that have no scalar form). */
        public final int[] constRegister, constScalar;
        /** Scalar operand → the slot whose value it is. */
        public final int[] scalarSlots;
        /** Each reduction: its opcode, its slot (a scalar node), its first partial. */
        public final int[] reductionOp, reductionSlot, reductionPartial;
        /** Partials per block. */
        public final int partials;
        /** One line per instruction. */
        public final List<String> listing;

        public Pass(int index, int[] code, int count, int registers, int[] constRegister, int[] constScalar, int[] scalarSlots,
             int[] reductionOp, int[] reductionSlot, int[] reductionPartial, int partials, List<String> listing) {
            this.index = index;
            this.code = code;
            this.count = count;
            this.registers = registers;
            this.constRegister = constRegister;
            this.constScalar = constScalar;
            this.scalarSlots = scalarSlots;
            this.reductionOp = reductionOp;
            this.reductionSlot = reductionSlot;
            this.reductionPartial = reductionPartial;
            this.partials = partials;
            this.listing = listing;
        }

        /** The streams this pass writes (each instruction's destination that is a stream), ascending. */
        public int[] writtenStreams() {
            java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
            for (int i = 0; i < count; i++) {
                int at = i * STRIDE;
                if (!Opcode.isReduction(code[at]) && code[at + 1] < 0) out.add(-code[at + 1] - 1);
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        /** Whether instruction i reads stream st as a vector operand. */
        boolean readsStream(int i, int st) {
            int at = i * STRIDE, enc = -(st + 1);
            return code[at + 2] == enc || code[at + 3] == enc || code[at + 4] == enc;
        }

        /** The instruction that writes stream st, or -1. */
        int writer(int st) {
            for (int i = 0; i < count; i++) {
                int at = i * STRIDE;
                if (!Opcode.isReduction(code[at]) && code[at + 1] == -(st + 1)) return i;
            }
            return -1;
        }

        /** Number of superinstructions among the instructions. */
        public int superinstructions() {
            int k = 0;
            for (int i = 0; i < count; i++) if (Opcode.isSuper(code[i * STRIDE])) k++;
            return k;
        }
    }

    /**
     * Whether every read of slot {@code slot}'s value (a host step that takes it, or a pass
     * instruction that streams it) comes no later than the write of stream {@code written}: so
     * that the two may be one array, updated in place, and a run still reads only old values.
     * Order: phase by phase, a phase's host steps before its pass; within the writing pass,
     * instruction by instruction, where an instruction reads an element before it writes it
     * (true of the interpreter's kernels, and of the compiled loop, which loads each stream of
     * an element before the instructions that follow use it).
     */
    public boolean readsBefore(int slot, int written) {
        int wPass = -1, wIns = -1;
        for (Phase ph : phases) {
            if (ph.pass == null) continue;
            int w = ph.pass.writer(written);
            if (w >= 0) {
                wPass = ph.pass.index;
                wIns = w;
            }
        }
        if (wPass < 0) return false;
        Node value = nodes.get(slot);
        int st = streamOf[slot];
        for (int ph = 0; ph < phases.size(); ph++) {
            Phase phase = phases.get(ph);
            if (ph > wPass)
                for (int h : phase.hostSlots)
                    if (nodes.get(h).inputs().contains(value)) return false;
            Pass p = phase.pass;
            if (p == null || st < 0) continue;
            for (int i = 0; i < p.count; i++)
                if (p.readsStream(i, st) && (p.index > wPass || p.index == wPass && i > wIns)) return false;
        }
        return true;
    }

    /**
     * Whether a run may write output {@code output} over the very array range that leaf
     * {@code leaf} (an index into {@link #leaves}) is read from, as an update in place does: the
     * leaf is read before the output is written ({@link #readsBefore}), or the output is not
     * written by a pass (it is copied out at the end of a run, after every read), and no other
     * output is the leaf itself (that one is copied out at the end, from the overwritten array).
     */
    public boolean canWriteOver(int leaf, int output) {
        int ls = leafSlots[leaf];
        for (int o = 0; o < outputSlots.length; o++) if (o != output && outputSlots[o] == ls) return false;
        int st = outputStream[output];
        if (st < 0) return true;
        return readsBefore(ls, st);
    }

    /** Number of passes. */
    public int passCount() {
        int k = 0;
        for (Phase p : phases) if (p.pass != null) k++;
        return k;
    }

    /** A short description: the loop, the passes and their instructions, what falls back. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("loop ").append(loopShape == null ? "none" : loopShape + " (" + n + " elements)")
                .append(", ").append(passCount()).append(passCount() == 1 ? " pass" : " passes")
                .append(", ").append(hostScalars).append(" scalar host nodes");
        if (!fallbacks.isEmpty()) {
            sb.append(", fallback (whole-array on the host):");
            for (Node f : fallbacks) sb.append(' ').append(f.op).append(" %").append(f.id).append(' ').append(f.shape);
        }
        sb.append('\n');
        for (Phase ph : phases) {
            if (ph.pass == null) continue;
            Pass p = ph.pass;
            sb.append("pass ").append(p.index).append(": ").append(p.count).append(" instructions (")
                    .append(p.superinstructions()).append(" superinstructions), ").append(p.registers).append(" registers, ")
                    .append(p.reductionOp.length).append(p.reductionOp.length == 1 ? " reduction" : " reductions").append('\n');
            for (String line : p.listing) sb.append("  ").append(line).append('\n');
        }
        return sb.toString();
    }
}
