package dev.descent.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape of lowered programs: passes by reduction depth, fusion, superinstructions, fallback. */
class LoweringTest {
    final Dag d = new Dag();
    final Node x = d.input("x", Shape.vector(1000)), y = d.input("y", Shape.vector(1000)), s = d.input("s", Shape.SCALAR);

    @Test
    void elementwiseAndItsReductionFuseIntoOnePass() {
        Node m = d.add(d.mul(d.constant(0.9), x), d.mul(d.constant(0.1), y));
        KernelPlan p = Lowering.lower(List.of(m, d.sum(d.mul(y, y))));
        assertEquals(1, p.passCount(), p.describe());
        KernelPlan.Pass pass = p.phases.get(0).pass;
        assertEquals(2, pass.count, p.describe());
        assertEquals(Opcode.LIN2, pass.code[0], p.describe());
        assertEquals(Opcode.R_SUMSQ, pass.code[KernelPlan.STRIDE], p.describe());
    }

    @Test
    void aReductionUsedElementwiseMakesASecondPass() {
        Node normalized = d.div(x, d.norm(x));
        KernelPlan p = Lowering.lower(List.of(normalized));
        assertEquals(2, p.passCount(), p.describe());
        // dot(x, y) used in a third: depth two
        Node z = d.mul(normalized, d.dot(normalized, y));
        assertEquals(3, Lowering.lower(List.of(z)).passCount());
    }

    @Test
    void valuesOnlyALaterPassNeedsAreComputedThereNotStored() {
        Node late = d.add(d.unary(Op.EXP, x), y); // only used after the reduction
        Node out = d.mul(late, d.sum(x));
        KernelPlan p = Lowering.lower(List.of(out));
        assertEquals(2, p.passCount(), p.describe());
        assertEquals(1, p.phases.get(0).pass.count, "pass 0 is only the sum: " + p.describe());
        long stored = java.util.Arrays.stream(p.streamKind).filter(k -> k == KernelPlan.StreamKind.LOOP).count();
        assertEquals(1, stored, "only the output is stored: " + p.describe());
    }

    @Test
    void scalarsAreHoisted() {
        Node t = d.input("t", Shape.SCALAR);
        Node corr = d.div(d.constant(0.01), d.sub(d.constant(1), d.pow(d.constant(0.9), t)));
        KernelPlan p = Lowering.lower(List.of(d.sub(x, d.mul(corr, y))));
        assertEquals(1, p.passCount());
        assertEquals(1, p.phases.get(0).pass.count, p.describe());
        assertEquals(Opcode.XMSY, p.phases.get(0).pass.code[0]);
        assertTrue(p.hostScalars >= 3, p.describe());
    }

    @Test
    void unusualNodesFallBackAndAreNamed() {
        Node a = d.input("A", Shape.matrix(1000, 3)), w = d.input("w", Shape.vector(3));
        Node r = d.sub(d.matmul(a, w), y);
        KernelPlan p = Lowering.lower(List.of(d.sum(d.pow(r, d.constant(2))), d.matmul(d.transpose(a), r)));
        String text = p.describe();
        assertTrue(text.contains("MATMUL"), text);
        assertTrue(text.contains("TRANSPOSE"), text);
        assertEquals(Shape.vector(1000), p.loopShape, text);
    }

    @Test
    void noLoopAtAll() {
        Node a = d.input("a", Shape.SCALAR);
        KernelPlan p = Lowering.lower(List.of(d.add(a, s)));
        assertEquals(0, p.passCount());
        assertEquals(null, p.loopShape);
    }
}
