package dev.descent.lower;

import dev.descent.ir.Node;
import dev.descent.ir.Reach;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers a DAG's outputs to a {@link KernelPlan}.
 *
 * <ol>
 *   <li><b>The loop shape.</b> The shape whose elementwise work is largest (elementwise nodes
 *       and full reductions of that shape, weighted by size). Its elementwise nodes whose
 *       inputs are that shape or scalars are <em>loop</em> nodes; a scalar broadcast to it is a
 *       scalar operand; SUM, MAX, MIN and LOGSUMEXP of it are fused <em>reductions</em>.
 *       Everything else is a <em>host</em> node: scalars, and the fallback (MATMUL, SOLVE,
 *       INDEX, PACK, axis reductions, vector-over-rows broadcasts, …) evaluated whole-array.</li>
 *   <li><b>Passes by reduction depth.</b> A loop node can run in the first pass after its
 *       inputs exist: a reduction's result exists after the pass that accumulates it; a host
 *       node runs in the phase after everything it reads. Loop nodes are then placed as late
 *       as their consumers allow (so a value used only in pass 2 is computed there, not
 *       stored), and a loop node read by a later pass, a host node or the caller is
 *       materialized (stored whole).</li>
 *   <li><b>Instruction selection.</b> In each pass, nodes used once in the same pass fold into
 *       their consumer's superinstruction ({@code a*x + b*y}, {@code a*x + b*y²}, {@code x + a*y},
 *       {@code x - a*y}, {@code sqrt(x)/a + b}, {@code sqrt(x) + a}, {@code x - a*y/z},
 *       {@code a*x/y}, {@code a*x + b}, {@code x*x}, {@code sum(x²)}, {@code dot(x, y)}).</li>
 *   <li><b>Registers.</b> Linear scan over each pass's instructions: a register is free after
 *       its last read (an instruction may write a register it reads: every kernel reads an
 *       element before it writes that element).</li>
 * </ol>
 */
public final class Lowering {
    private enum Kind { LEAF, HOST, LOOP, FILL, RED }

    private final List<Node> outputs;
    private final List<Node> nodes;
    private final IdentityHashMap<Node, Integer> slot = new IdentityHashMap<>();
    private final Kind[] kind;
    private Shape loop;
    /** Consumers of each slot (deduplicated), by resolved operands for loop/reductions, raw inputs for host nodes. */
    private final List<List<Integer>> consumers = new ArrayList<>();
    private final int[] uses;
    private final boolean[] isOutput;
    private final int[] hostAt, earliest, pass;
    private final boolean[] materialized, absorbed;
    private int lastPass = -1;

    private Lowering(List<Node> outputs) {
        this.outputs = outputs;
        this.nodes = Reach.inIdOrder(outputs);
        for (int s = 0; s < nodes.size(); s++) slot.put(nodes.get(s), s);
        int n = nodes.size();
        kind = new Kind[n];
        uses = new int[n];
        isOutput = new boolean[n];
        hostAt = new int[n];
        earliest = new int[n];
        pass = new int[n];
        materialized = new boolean[n];
        absorbed = new boolean[n];
        for (int s = 0; s < n; s++) consumers.add(new ArrayList<>());
    }

    /** Plans the evaluation of {@code outputs} (nodes of one Dag). */
    public static KernelPlan lower(List<Node> outputs) {
        return new Lowering(outputs).plan();
    }

    /**
     * The shape the passes of {@code outputs}' plan would loop over (the one with the most
     * elementwise work), or null: what {@link #lower} chooses, without planning the rest.
     */
    public static Shape loopShape(List<Node> outputs) {
        return new Lowering(outputs).chooseLoopShape();
    }

    private KernelPlan plan() {
        loop = chooseLoopShape();
        classify();
        countUses();
        levels();
        place();
        return emit();
    }

    // ------------------------------------------------------------- classification

    private static boolean isLeaf(Op op) { return op == Op.PARAM || op == Op.DATA || op == Op.INPUT || op == Op.RANDOM; }

    private static boolean isFullReduction(Op op) { return op == Op.SUM || op == Op.MAX_ALL || op == Op.MIN_ALL || op == Op.LSE; }

    /** An elementwise node whose every input is its own shape or a scalar (or a scalar broadcast). */
    private static boolean flatElementwise(Node x) {
        if (!x.op.isElementwise() || x.shape.isScalar()) return false;
        for (int k = 0; k < x.arity(); k++) {
            Node c = x.in(k);
            if (c.shape.isScalar() || c.shape.equals(x.shape)) continue;
            return false;
        }
        return true;
    }

    private Shape chooseLoopShape() {
        Map<Shape, Long> score = new LinkedHashMap<>();
        for (Node x : nodes) {
            Shape s = null;
            if (flatElementwise(x)) s = x.shape;
            else if (isFullReduction(x.op) && !x.in(0).shape.isScalar()) s = x.in(0).shape;
            if (s != null) score.merge(s, (long) Math.max(1, s.size()), Long::sum);
        }
        Shape best = null;
        long bestScore = -1;
        for (Map.Entry<Shape, Long> e : score.entrySet())
            if (e.getValue() > bestScore || e.getValue() == bestScore && e.getKey().size() > best.size()) {
                best = e.getKey();
                bestScore = e.getValue();
            }
        return best;
    }

    private void classify() {
        for (int s = 0; s < nodes.size(); s++) {
            Node x = nodes.get(s);
            Kind k;
            if (isLeaf(x.op)) k = Kind.LEAF;
            else if (loop == null) k = Kind.HOST;
            else if (x.op == Op.BCAST && x.in(0).shape.isScalar() && x.shape.equals(loop)) k = Kind.FILL;
            else if (flatElementwise(x) && x.shape.equals(loop)) k = Kind.LOOP;
            else if (isFullReduction(x.op) && x.in(0).shape.equals(loop)) k = Kind.RED;
            else k = Kind.HOST;
            kind[s] = k;
        }
    }

    /** Input k of x as a loop instruction sees it: a scalar broadcast is its scalar. */
    private Node operand(Node x, int k) {
        Node c = x.in(k);
        int cs = slot.get(c);
        if ((kind[slot.get(x)] == Kind.LOOP || kind[slot.get(x)] == Kind.RED) && kind[cs] == Kind.FILL) return c.in(0);
        return c;
    }

    private int s(Node x) { return slot.get(x); }

    private void countUses() {
        for (int s = 0; s < nodes.size(); s++) {
            Node x = nodes.get(s);
            for (int k = 0; k < x.arity(); k++) {
                int c = s(operand(x, k));
                uses[c]++;
                List<Integer> cs = consumers.get(c); // consumers arrive in increasing order: a repeat is the last one
                if (cs.isEmpty() || cs.get(cs.size() - 1) != s) cs.add(s);
            }
        }
        for (Node o : outputs) {
            isOutput[s(o)] = true;
            uses[s(o)]++;
        }
    }

    // -------------------------------------------------------------------- levels

    /** The first pass in which a loop instruction can read x. */
    private int streamAt(int x) {
        return switch (kind[x]) {
            case LEAF -> 0;
            case HOST -> hostAt[x];
            case LOOP, FILL -> earliest[x];
            case RED -> earliest[x] + 1;
        };
    }

    /** The first host phase in which x's value exists (a loop node's once materialized). */
    private int hostReady(int x) {
        return switch (kind[x]) {
            case LEAF -> 0;
            case HOST -> hostAt[x];
            case LOOP, FILL, RED -> earliest[x] + 1;
        };
    }

    private void levels() {
        for (int s = 0; s < nodes.size(); s++) {
            Node x = nodes.get(s);
            switch (kind[s]) {
                case LEAF -> {}
                case HOST -> {
                    int h = 0;
                    for (int k = 0; k < x.arity(); k++) h = Math.max(h, hostReady(s(x.in(k))));
                    hostAt[s] = h;
                }
                case LOOP, FILL, RED -> {
                    int e = 0;
                    for (int k = 0; k < x.arity(); k++) e = Math.max(e, streamAt(s(operand(x, k))));
                    earliest[s] = e;
                    lastPass = Math.max(lastPass, e);
                }
            }
        }
    }

    /** Loop nodes as late as their consumers allow; reductions where their input is computed. */
    private void place() {
        Arrays.fill(pass, -1);
        for (int s = nodes.size() - 1; s >= 0; s--) {
            if (kind[s] == Kind.RED) { pass[s] = earliest[s]; continue; }
            if (kind[s] != Kind.LOOP && kind[s] != Kind.FILL) continue;
            int need = isOutput[s] ? lastPass : Integer.MAX_VALUE;
            for (int c : consumers.get(s)) {
                int at = switch (kind[c]) {
                    case LOOP, FILL -> pass[c];
                    case RED -> pass[c];
                    case HOST -> hostAt[c] - 1;
                    case LEAF -> throw new IllegalStateException();
                };
                if (at >= 0) need = Math.min(need, at);
            }
            if (need == Integer.MAX_VALUE) continue; // dead: only a loop node's scalar broadcast, read as its scalar
            pass[s] = Math.max(need, earliest[s]);
            boolean later = isOutput[s];
            for (int c : consumers.get(s)) {
                if (kind[c] == Kind.HOST) later = true;
                else if (pass[c] > pass[s]) later = true;
            }
            materialized[s] = later;
        }
    }

    // --------------------------------------------------------- instruction selection

    /** An instruction over nodes: d (null for a reduction's), vector operands a, b, c, scalar operands s0, s1. */
    private record Ins(int op, Node d, Node a, Node b, Node c, Node s0, Node s1) {}

    private boolean isScalar(Node x) { return x.shape.isScalar(); }

    /** x can fold into its consumer: a loop node of the consumer's pass, read once, not stored. */
    private boolean foldable(Node x, int consumerPass) {
        int xs = s(x);
        return kind[xs] == Kind.LOOP && pass[xs] == consumerPass && !materialized[xs] && uses[xs] == 1 && !absorbed[xs];
    }

    /** x = MUL(scalar, vector) (either order), foldable: {scalar, vector}; else null. */
    private Node[] scaled(Node x, int p) {
        if (x.op != Op.MUL || !foldable(x, p)) return null;
        Node a = operand(x, 0), b = operand(x, 1);
        if (isScalar(a) && !isScalar(b)) return new Node[] {a, b};
        if (isScalar(b) && !isScalar(a)) return new Node[] {b, a};
        return null;
    }

    private static boolean isConstTwo(Node x) { return x.isScalarConst() && x.num == 2.0; }

    private void absorb(Node... xs) { for (Node x : xs) absorbed[s(x)] = true; }

    /** Chooses the instruction for loop node or reduction x, folding what it can. */
    private Ins select(Node x, int p) {
        Op op = x.op;
        if (kind[s(x)] == Kind.FILL) return new Ins(Opcode.FILL, x, null, null, null, x.in(0), null);
        if (kind[s(x)] == Kind.RED) {
            Node in = operand(x, 0);
            if (op == Op.SUM && in.op == Op.POW && foldable(in, p) && isConstTwo(operand(in, 1)) && !isScalar(operand(in, 0))) {
                absorb(in);
                return new Ins(Opcode.R_SUMSQ, x, operand(in, 0), null, null, null, null);
            }
            if (op == Op.SUM && in.op == Op.MUL && foldable(in, p) && !isScalar(operand(in, 0)) && !isScalar(operand(in, 1))) {
                absorb(in);
                return new Ins(Opcode.R_DOT, x, operand(in, 0), operand(in, 1), null, null, null);
            }
            return new Ins(Opcode.of(op), x, in, null, null, null, null);
        }
        Node a = x.arity() > 0 ? operand(x, 0) : null, b = x.arity() > 1 ? operand(x, 1) : null;
        switch (op) {
            case ADD -> {
                for (int order = 0; order < 2; order++) {
                    Node l = order == 0 ? a : b, r = order == 0 ? b : a;
                    Node[] sl = scaled(l, p), sr = scaled(r, p);
                    if (sl != null && sr != null) {
                        Node y = sr[1];
                        if (y.op == Op.POW && foldable(y, p) && isConstTwo(operand(y, 1)) && !isScalar(operand(y, 0))) {
                            absorb(l, r, y);
                            return new Ins(Opcode.LIN2SQ, x, sl[1], operand(y, 0), null, sl[0], sr[0]);
                        }
                    }
                }
                Node[] sa = scaled(a, p), sb = scaled(b, p);
                if (sa != null && sb != null) {
                    absorb(a, b);
                    return new Ins(Opcode.LIN2, x, sa[1], sb[1], null, sa[0], sb[0]);
                }
                for (int order = 0; order < 2; order++) {
                    Node l = order == 0 ? a : b, r = order == 0 ? b : a;
                    Node[] sl = scaled(l, p);
                    if (sl != null && isScalar(r)) {
                        absorb(l);
                        return new Ins(Opcode.AFFINE, x, sl[1], null, null, sl[0], r);
                    }
                    if (sl != null) {
                        absorb(l);
                        return new Ins(Opcode.AXPY, x, r, sl[1], null, sl[0], null);
                    }
                    if (isScalar(r) && l.op == Op.DIV && foldable(l, p) && isScalar(operand(l, 1)) && !isScalar(operand(l, 0))) {
                        Node q = operand(l, 0);
                        if (q.op == Op.SQRT && foldable(q, p)) {
                            absorb(l, q);
                            return new Ins(Opcode.SQRT_DIV_ADD, x, operand(q, 0), null, null, operand(l, 1), r);
                        }
                    }
                    if (isScalar(r) && l.op == Op.SQRT && foldable(l, p)) {
                        absorb(l);
                        return new Ins(Opcode.SQRT_ADD, x, operand(l, 0), null, null, r, null);
                    }
                }
            }
            case SUB -> {
                if (!isScalar(a) && b.op == Op.DIV && foldable(b, p) && !isScalar(operand(b, 1))) {
                    Node[] sq = scaled(operand(b, 0), p);
                    if (sq != null) {
                        absorb(b, operand(b, 0));
                        return new Ins(Opcode.XM_SMUL_DIV, x, a, sq[1], operand(b, 1), sq[0], null);
                    }
                }
                Node[] sb = scaled(b, p);
                if (!isScalar(a) && sb != null) {
                    absorb(b);
                    return new Ins(Opcode.XMSY, x, a, sb[1], null, sb[0], null);
                }
            }
            case DIV -> {
                Node[] sa = scaled(a, p);
                if (sa != null && !isScalar(b)) {
                    absorb(a);
                    return new Ins(Opcode.SMUL_DIV, x, sa[1], b, null, sa[0], null);
                }
            }
            case POW -> {
                if (!isScalar(a) && isConstTwo(b)) return new Ins(Opcode.SQUARE, x, a, null, null, null, null);
            }
            case CLIP -> {
                Node lo = operand(x, 1), hi = operand(x, 2);
                if (!isScalar(a) && isScalar(lo) && isScalar(hi)) return new Ins(Opcode.CLIP_VSS, x, a, null, null, lo, hi);
            }
            default -> {}
        }
        return generic(x, a, b);
    }

    private Ins generic(Node x, Node a, Node b) {
        Op op = x.op;
        switch (op.kind) {
            case UNARY -> { return new Ins(Opcode.of(op), x, a, null, null, null, null); }
            case TERNARY -> { return new Ins(Opcode.of(op), x, a, b, operand(x, 2), null, null); }
            default -> {}
        }
        boolean sa = isScalar(a), sb = isScalar(b);
        if (!sa && sb) {
            int vs = Opcode.vectorScalar(op);
            if (vs >= 0) return new Ins(vs, x, a, null, null, b, null);
        }
        if (sa && !sb) {
            int sv = Opcode.scalarVector(op);
            if (sv >= 0) return new Ins(sv, x, b, null, null, a, null);
        }
        return new Ins(Opcode.of(op), x, a, b, null, null, null);
    }

    // ----------------------------------------------------------------- emission

    private KernelPlan emit() {
        int n = nodes.size();
        // which nodes each pass computes, and their instructions (selected from the last node down, so a
        // consumer claims its operands before they are visited; emitted in id order)
        int passes = lastPass + 1;
        List<List<Ins>> perPass = new ArrayList<>();
        for (int p = 0; p < passes; p++) perPass.add(new ArrayList<>());
        Ins[] chosen = new Ins[n];
        for (int s = n - 1; s >= 0; s--) {
            if (pass[s] < 0 || absorbed[s]) continue;
            if (kind[s] != Kind.LOOP && kind[s] != Kind.FILL && kind[s] != Kind.RED) continue;
            chosen[s] = select(nodes.get(s), pass[s]);
        }
        for (int s = 0; s < n; s++) if (chosen[s] != null && !absorbed[s]) perPass.get(pass[s]).add(chosen[s]);

        // streams: loop-shaped leaves and host arrays that a pass reads, and materialized loop nodes
        int[] streamOf = new int[n];
        Arrays.fill(streamOf, -1);
        List<Integer> streamSlot = new ArrayList<>();
        List<KernelPlan.StreamKind> streamKind = new ArrayList<>();
        boolean[] hostReads = new boolean[n];
        for (List<Ins> list : perPass)
            for (Ins ins : list) {
                for (Node v : new Node[] {ins.a, ins.b, ins.c}) {
                    if (v == null) continue;
                    int vs = s(v);
                    if (isScalar(v)) { hostReads[vs] = true; continue; }
                    if (streamOf[vs] >= 0) continue;
                    if (kind[vs] == Kind.LEAF || kind[vs] == Kind.HOST) {
                        streamOf[vs] = streamSlot.size();
                        streamSlot.add(vs);
                        streamKind.add(kind[vs] == Kind.LEAF ? KernelPlan.StreamKind.LEAF : KernelPlan.StreamKind.HOST);
                    }
                }
                for (Node v : new Node[] {ins.s0, ins.s1}) if (v != null) hostReads[s(v)] = true;
            }
        for (int s = 0; s < n; s++)
            if ((kind[s] == Kind.LOOP || kind[s] == Kind.FILL) && pass[s] >= 0 && materialized[s]) {
                streamOf[s] = streamSlot.size();
                streamSlot.add(s);
                streamKind.add(KernelPlan.StreamKind.LOOP);
            }
        for (int s = 0; s < n; s++)
            if (kind[s] == Kind.HOST) for (Node c : nodes.get(s).inputs()) hostReads[s(c)] = true;

        // phases
        List<KernelPlan.Phase> phases = new ArrayList<>();
        List<Node> fallbacks = new ArrayList<>();
        int hostScalars = 0;
        for (int s = 0; s < n; s++)
            if (kind[s] == Kind.HOST && nodes.get(s).op != Op.CONST) {
                if (nodes.get(s).shape.isScalar()) hostScalars++;
                else fallbacks.add(nodes.get(s));
            }
        for (int p = 0; p <= Math.max(0, passes); p++) {
            List<Integer> host = new ArrayList<>(), in = new ArrayList<>(), out = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                if (kind[s] != Kind.HOST || hostAt[s] != p) continue;
                if (nodes.get(s).op != Op.CONST) host.add(s);
            }
            for (int st = 0; st < streamSlot.size(); st++) {
                int s = streamSlot.get(st);
                if (streamKind.get(st) == KernelPlan.StreamKind.HOST && hostAt[s] == p) in.add(st);
                if (streamKind.get(st) == KernelPlan.StreamKind.LOOP && pass[s] == p) {
                    boolean hostConsumer = false;
                    for (int c : consumers.get(s)) hostConsumer |= kind[c] == Kind.HOST;
                    if (hostConsumer) out.add(st);
                }
            }
            KernelPlan.Pass ps = p < passes && !perPass.get(p).isEmpty() ? assemble(p, perPass.get(p), streamOf) : null;
            phases.add(new KernelPlan.Phase(ints(host), ints(in), ps, ints(out)));
        }

        List<Node> leaves = new ArrayList<>();
        List<Integer> leafSlots = new ArrayList<>();
        for (int s = 0; s < n; s++) if (kind[s] == Kind.LEAF) { leaves.add(nodes.get(s)); leafSlots.add(s); }
        int[] outputSlots = new int[outputs.size()];
        int[] outputStream = new int[outputs.size()];
        boolean[] homed = new boolean[n];
        for (int i = 0; i < outputSlots.length; i++) {
            int s = s(outputs.get(i));
            outputSlots[i] = s;
            boolean written = (kind[s] == Kind.LOOP || kind[s] == Kind.FILL) && streamOf[s] >= 0;
            outputStream[i] = written && !homed[s] ? streamOf[s] : -1;
            if (written) homed[s] = true;
        }
        return new KernelPlan(List.copyOf(nodes), loop, leaves, ints(leafSlots), outputSlots, outputStream, ints(streamSlot),
                streamKind.toArray(KernelPlan.StreamKind[]::new), streamOf, hostReads, phases, fallbacks, hostScalars);
    }

    /** Operand numbering and registers for one pass. */
    private KernelPlan.Pass assemble(int p, List<Ins> list, int[] streamOf) {
        // last read of each register-held node
        Map<Node, Integer> lastRead = new IdentityHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            Ins ins = list.get(i);
            for (Node v : new Node[] {ins.a, ins.b, ins.c}) if (v != null) lastRead.put(v, i);
        }
        Map<Node, Integer> scalarIndex = new LinkedHashMap<>();
        Map<Node, Integer> constReg = new LinkedHashMap<>();
        Map<Node, Integer> reg = new IdentityHashMap<>();
        ArrayDeque<Integer> free = new ArrayDeque<>();
        int[] registers = {0};
        // constant registers first: scalars used where an instruction needs a vector
        for (Ins ins : list)
            for (Node v : new Node[] {ins.a, ins.b, ins.c})
                if (v != null && isScalar(v) && !constReg.containsKey(v)) constReg.put(v, registers[0]++);
        int[] code = new int[list.size() * KernelPlan.STRIDE];
        List<String> listing = new ArrayList<>();
        List<Integer> redOp = new ArrayList<>(), redSlot = new ArrayList<>(), redPartial = new ArrayList<>();
        int partials = 0;
        for (int i = 0; i < list.size(); i++) {
            Ins ins = list.get(i);
            int[] vec = new int[3];
            Node[] vs = {ins.a, ins.b, ins.c};
            for (int k = 0; k < 3; k++) {
                Node v = vs[k];
                if (v == null) { vec[k] = 0; continue; } // unused: register 0 (a pass has at least one)
                if (isScalar(v)) vec[k] = constReg.get(v);
                else if (streamOf[s(v)] >= 0) vec[k] = -(streamOf[s(v)] + 1);
                else {
                    Integer r = reg.get(v);
                    if (r == null) throw new IllegalStateException("operand %" + v.id + " of pass " + p + " is not computed before its use");
                    vec[k] = r;
                }
            }
            // free registers read for the last time here (before choosing d: d may reuse one)
            for (Node v : vs)
                if (v != null && !isScalar(v) && streamOf[s(v)] < 0 && lastRead.get(v) == i && reg.containsKey(v)) {
                    free.push(reg.remove(v));
                }
            int d;
            String dName;
            if (Opcode.isReduction(ins.op)) {
                d = partials;
                partials += Opcode.partials(ins.op);
                redOp.add(ins.op);
                redSlot.add(s(ins.d));
                redPartial.add(d);
                dName = "%" + ins.d.id;
            } else if (streamOf[s(ins.d)] >= 0) {
                d = -(streamOf[s(ins.d)] + 1);
                dName = "%" + ins.d.id;
            } else {
                d = free.isEmpty() ? registers[0]++ : free.pop();
                reg.put(ins.d, d);
                dName = "r" + d;
                if (!lastRead.containsKey(ins.d)) { // never read: free at once (cannot happen for a live node)
                    free.push(reg.remove(ins.d));
                }
            }
            int s0 = ins.s0 == null ? -1 : scalarIndex.computeIfAbsent(ins.s0, k -> scalarIndex.size());
            int s1 = ins.s1 == null ? -1 : scalarIndex.computeIfAbsent(ins.s1, k -> scalarIndex.size());
            int at = i * KernelPlan.STRIDE;
            code[at] = ins.op;
            code[at + 1] = d;
            code[at + 2] = vec[0];
            code[at + 3] = vec[1];
            code[at + 4] = vec[2];
            code[at + 5] = s0;
            code[at + 6] = s1;
            listing.add(Opcode.format(ins.op, dName, name(ins.a, reg, streamOf, vec[0]), name(ins.b, reg, streamOf, vec[1]),
                    name(ins.c, reg, streamOf, vec[2]), scalarName(ins.s0), scalarName(ins.s1)));
        }
        int[] scalarSlots = new int[scalarIndex.size()];
        for (Map.Entry<Node, Integer> e : scalarIndex.entrySet()) scalarSlots[e.getValue()] = s(e.getKey());
        int[] cr = new int[constReg.size()], cs = new int[constReg.size()];
        int k = 0;
        for (Map.Entry<Node, Integer> e : constReg.entrySet()) {
            cr[k] = e.getValue();
            cs[k] = scalarIndex.computeIfAbsent(e.getKey(), x -> scalarIndex.size());
            k++;
        }
        // a constant register may have added scalars: rebuild the scalar table
        scalarSlots = new int[scalarIndex.size()];
        for (Map.Entry<Node, Integer> e : scalarIndex.entrySet()) scalarSlots[e.getValue()] = s(e.getKey());
        return new KernelPlan.Pass(p, code, list.size(), Math.max(1, registers[0]), cr, cs, scalarSlots, ints(redOp), ints(redSlot), ints(redPartial),
                partials, listing);
    }

    private String name(Node v, Map<Node, Integer> reg, int[] streamOf, int operand) {
        if (v == null) return "";
        if (isScalar(v)) return scalarName(v);
        if (operand < 0) return "%" + v.id;
        return "r" + operand;
    }

    private static String scalarName(Node v) {
        if (v == null) return "";
        if (v.isScalarConst()) return fmt(v.num);
        return "%" + v.id;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static int[] ints(List<Integer> xs) {
        int[] a = new int[xs.size()];
        for (int i = 0; i < a.length; i++) a[i] = xs.get(i);
        return a;
    }
}
