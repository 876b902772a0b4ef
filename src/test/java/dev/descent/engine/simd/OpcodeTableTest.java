package dev.descent.engine.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.engine.compiled.KernelF32;
import dev.descent.engine.compiled.KernelF64;
import dev.descent.engine.compiled.PassCompiler;
import dev.descent.lower.KernelPlan;
import dev.descent.lower.Opcode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every opcode of the table (tools/OpTable.java) has an operand form, compiles on the compiled
 * tier, and gives there the interpreter's bits, in float64 and float32: one instruction over
 * streams of a few blocks (with a scalar tail), each operand a different stream. Runs in the JVM
 * with the Java vector math library (pom.xml, tiers-bit-for-bit), where transcendentals do not
 * depend on the JIT.
 */
class OpcodeTableTest {
    static final int BLOCK_VECTORS = 3;

    @Test
    void everyOpcodeCompilesAndGivesTheInterpretersBits() {
        List<String> checked = new ArrayList<>();
        for (int op : Opcode.ALL) {
            Opcode.Form form = Opcode.form(op);
            assertNotNull(form, "opcode " + op + " has no form");
            for (boolean f32 : new boolean[] {false, true}) {
                int lanes = f32 ? KernelsF32.LANES : KernelsF64.LANES, block = BLOCK_VECTORS * lanes, blocks = 3;
                int n = (blocks - 1) * block + lanes + 3; // the last block: a vector and a scalar tail
                boolean reduction = Opcode.isReduction(op);
                int[] code = {op, reduction ? 0 : -4, -1, -2, -3, 0, 1, 0};
                int partials = reduction ? Opcode.partials(op) : 0;
                KernelPlan.Pass pass = new KernelPlan.Pass(0, code, 1, 1, new int[0], new int[0], new int[] {0, 1},
                        reduction ? new int[] {op} : new int[0], reduction ? new int[] {0} : new int[0], reduction ? new int[] {0} : new int[0],
                        partials, List.of(Opcode.name(op)));
                PassCompiler.Outcome o = PassCompiler.compile(pass, f32);
                assertTrue(o.ok(), Opcode.name(op) + " does not compile: " + o.rejected());
                SplittableRandom rng = new SplittableRandom(op * 31L + (f32 ? 1 : 0));
                double s0 = op == Opcode.POW_VS ? 3 : 0.7, s1 = 0.3;
                double[][] d = new double[4][n];
                for (int s = 0; s < 3; s++)
                    for (int i = 0; i < n; i++) d[s][i] = i % 7 == 0 ? 0 : 0.05 + 0.9 * rng.nextDouble(); // zeros: the comparisons' and select's branches
                int[] offs = new int[4];
                double[] partInterp = new double[Math.max(1, partials) * blocks], partCompiled = partInterp.clone();
                String what = Opcode.name(op) + (f32 ? " f32" : " f64");
                if (f32) {
                    float[][] a = new float[4][n], b = new float[4][n];
                    for (int s = 0; s < 4; s++)
                        for (int i = 0; i < n; i++) a[s][i] = b[s][i] = (float) d[s][i];
                    float[] scal = {(float) s0, (float) s1};
                    KernelsF32.run(code, 1, new float[1][block], a, offs, scal, partInterp, blocks, n, block, 0, blocks, new float[lanes]);
                    ((KernelF32) o.kernel()).run(b, offs, scal, partCompiled, blocks, n, block, 0, blocks);
                    for (int i = 0; i < n; i++) assertEquals(Float.floatToIntBits(a[3][i]), Float.floatToIntBits(b[3][i]), what + " element " + i);
                } else {
                    double[][] a = new double[4][], b = new double[4][];
                    for (int s = 0; s < 4; s++) {
                        a[s] = d[s].clone();
                        b[s] = d[s].clone();
                    }
                    double[] scal = {s0, s1};
                    KernelsF64.run(code, 1, new double[1][block], a, offs, scal, partInterp, blocks, n, block, 0, blocks, new double[lanes]);
                    ((KernelF64) o.kernel()).run(b, offs, scal, partCompiled, blocks, n, block, 0, blocks);
                    for (int i = 0; i < n; i++) assertEquals(Double.doubleToLongBits(a[3][i]), Double.doubleToLongBits(b[3][i]), what + " element " + i);
                }
                for (int k = 0; k < partInterp.length; k++)
                    assertEquals(Double.doubleToLongBits(partInterp[k]), Double.doubleToLongBits(partCompiled[k]), what + " partial " + k);
            }
            checked.add(Opcode.name(op));
        }
        assertEquals(Opcode.ALL.length, checked.size());
    }
}
