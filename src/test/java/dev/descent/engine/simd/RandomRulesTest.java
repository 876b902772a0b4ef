package dev.descent.engine.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.engine.compiled.PassCompiler;
import dev.descent.ir.Node;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random update rules: each a random optimizer (one to three states, moving
 * averages, elementwise functions of every kind, comparisons and {@code if}, clips, powers,
 * reductions used elementwise — norms, dots, sums, maxima, log-sum-exps), checked, lowered,
 * compiled and run on both tiers in float64 (every rule) and float32 (every fourth), with
 * short blocks so that every rule crosses block boundaries and ends in a tail. The compiled
 * tier must give the interpreter's bits. One rule in a hundred is enormous (hundreds of
 * terms), so that its loop would pass the JIT's 8000-byte limit: the compiler rejects it, it
 * runs on the interpreter, and the test counts it: the rejections must be exactly those rules.
 *
 * <p>{@code -Ddescent.rules=N} runs N rules (default 2000, a few seconds).
 */
class RandomRulesTest {
    static final int RULES = Integer.getInteger("descent.rules", 2000);

    @Test
    void randomRulesCompileAndAgreeBitForBit() {
        int compiled = 0, rejected = 0, expectedRejections = 0, lse = 0;
        long rejectedBefore = PassCompiler.rejectedCount();
        for (int seed = 0; seed < RULES; seed++) {
            Gen g = new Gen(seed);
            String src = g.script();
            Script s;
            try {
                s = Checker.checkForTraining(SourceFile.ofString("rule" + seed + ".dsc", src), Map.of());
            } catch (RuntimeException e) {
                fail("rule " + seed + " does not check: " + e + "\n" + src);
                return;
            }
            Step st = s.steps.get(0);
            List<Node> outs = Agree.stepOutputs(st);
            Map<Node, double[]> values = Agree.leafValues(outs, seed);
            int blockElements = 2 * (seed % 2 == 0 ? KernelsF64.LANES : 3 * KernelsF64.LANES);
            boolean ok = run(outs, values, Precision.F64, blockElements, seed, src);
            if (g.huge) expectedRejections++;
            if (seed % 4 == 0) run(outs, values, Precision.F32, 2 * KernelsF32.LANES, seed, src);
            if (ok) compiled++;
            else rejected++;
            if (g.usedLse) lse++;
        }
        assertEquals(expectedRejections, rejected, "rules rejected by the compiler (the enormous ones)");
        assertTrue(lse > RULES / 50, "log-sum-exps compiled: " + lse);
        assertTrue(rejected > 0 && compiled > RULES * 0.8, compiled + " compiled, " + rejected + " rejected");
        assertTrue(PassCompiler.rejectedCount() - rejectedBefore >= rejected);
    }

    /** Both tiers, bit for bit; returns whether every pass compiled. */
    private static boolean run(List<Node> outs, Map<Node, double[]> values, Precision p, int blockElements, int seed, String src) {
        SimdProgram interp = new SimdProgram(outs, p, 1, blockElements, SimdProgram.Tier.INTERPRET);
        SimdProgram comp = new SimdProgram(outs, p, 1, blockElements, SimdProgram.Tier.COMPILED);
        double[][] want = interp.run(Env.of(values)), got = comp.run(Env.of(values));
        try {
            Agree.same(want, got, "rule " + seed + " " + p);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + src + "\n" + comp.describe(), e);
        }
        return comp.compiled() || comp.plan().passCount() == 0;
    }

    /** One random rule. */
    static final class Gen {
        final SplittableRandom r;
        final List<String> states = new ArrayList<>();
        final int n;
        boolean usedLse, huge;

        Gen(int seed) {
            r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
            n = switch (r.nextInt(4)) {
                case 0 -> 1 + r.nextInt(8);
                case 1 -> 8 + r.nextInt(40);
                default -> 40 + r.nextInt(200);
            };
            int k = 1 + r.nextInt(3);
            for (int i = 0; i < k; i++) states.add("s" + i);
        }

        String script() {
            StringBuilder b = new StringBuilder("optimizer rule(lr = 0.01, beta = 0.9, eps = 1e-8) {\n");
            for (String s : states) b.append("  state ").append(s).append(" = ").append(r.nextBoolean() ? "0" : "0.5").append('\n');
            if (r.nextInt(3) == 0) b.append("  g = g + ").append(r.nextBoolean() ? "0.01 * p" : "0 * p").append('\n');
            for (String s : states) {
                String e = switch (r.nextInt(4)) {
                    case 0 -> "beta * " + s + " + (1 - beta) * " + vec(2);
                    case 1 -> "max(" + s + ", abs(" + vec(1) + "))";
                    case 2 -> s + " + " + vec(2) + " * " + vec(1);
                    default -> vec(3);
                };
                b.append("  ").append(s).append(" = ").append(e).append('\n');
            }
            if (r.nextInt(3) == 0) b.append("  d = ").append(vec(2)).append('\n');
            String upd = vec(3);
            if (r.nextInt(100) == 0) { // enormous: hundreds of distinct terms, past the JIT's method size limit
                huge = true;
                StringBuilder t = new StringBuilder(upd);
                for (int k = 1; k <= 300; k++) t.append(" + sin(g * ").append(k).append(" + ").append(states.get(k % states.size())).append(")");
                upd = t.toString();
            }
            if (b.indexOf("  d = ") >= 0) upd = "(" + upd + ") + 0.5 * d";
            b.append("  p ").append(r.nextBoolean() ? "-= lr * " : "= p - lr * ").append("(").append(upd).append(")\n}\n");
            b.append("param x[").append(n).append("] = 0.5\nminimize sum(x^2)\noptimize with rule() for 5 steps\n");
            return b.toString();
        }

        String atom() {
            return switch (r.nextInt(7)) {
                case 0, 1 -> "g";
                case 2 -> "p";
                case 3, 4 -> states.get(r.nextInt(states.size()));
                case 5 -> r.nextBoolean() ? "beta" : "t";
                default -> String.valueOf(r.nextInt(5) - 2 + (r.nextBoolean() ? 0.5 : 0));
            };
        }

        /** A bounded elementwise expression of depth at most d. */
        String vec(int d) {
            if (d <= 0 || r.nextInt(5) == 0) return atom();
            String a = vec(d - 1);
            return switch (r.nextInt(30)) {
                case 0 -> "(" + a + " + " + vec(d - 1) + ")";
                case 1 -> "(" + a + " - " + vec(d - 1) + ")";
                case 2, 3 -> "(" + a + " * " + vec(d - 1) + ")";
                case 4 -> "(" + a + " / (1 + " + vec(d - 1) + "^2))";
                case 5 -> "(" + a + ")^2";
                case 6 -> "abs(" + a + ")^" + (r.nextBoolean() ? "0.5" : "3");
                case 7 -> "sqrt(" + a + "^2 + eps)";
                case 8 -> "exp(-abs(" + a + "))";
                case 9 -> "log(1 + " + a + "^2)";
                case 10 -> pick("tanh", "sigmoid", "relu", "softplus", "sin", "cos", "atan", "sign", "floor", "ceil", "round", "abs", "log1p", "expm1")
                        .transform(f -> f.equals("log1p") ? "log1p(abs(" + a + "))" : f.equals("expm1") ? "expm1(-abs(" + a + "))" : f + "(" + a + ")");
                case 11 -> "min(" + a + ", " + vec(d - 1) + ")";
                case 12 -> "max(" + a + ", " + vec(d - 1) + ")";
                case 13 -> "clip(" + a + ", -1, 1)";
                case 14 -> "(if " + a + " > " + vec(d - 1) + " then " + vec(d - 1) + " else " + vec(d - 1) + ")";
                case 15 -> "(if " + a + " >= 0 and " + vec(d - 1) + " < 1 then " + a + " else 0)";
                case 16 -> "(if not (" + a + " == 0) or " + vec(d - 1) + " != 1 then 1 else -1)";
                case 17 -> "(" + a + " / (1 + norm(" + vec(d - 1) + ")))";
                case 18 -> "(" + a + " * dot(g, " + vec(d - 1) + " + 0 * g) / (1 + sum(g * g)))";
                case 19 -> "(" + a + " - mean(" + vec(d - 1) + "))";
                case 20 -> "(" + a + " / (1 + max(abs(" + vec(d - 1) + "))))";
                case 21 -> "(" + a + " + min(" + vec(d - 1) + "))";
                case 22 -> {
                    if (r.nextInt(4) != 0) yield "-" + a;
                    usedLse = true;
                    yield "(" + a + " - logsumexp(clip(" + vec(d - 1) + ", -5, 5)))";
                }
                case 23 -> "atan2(" + a + ", 1 + " + vec(d - 1) + "^2)";
                case 24 -> "(1 - beta^t) * " + a;
                case 25 -> "pow(abs(" + a + "), 1.5)";
                case 26 -> "(" + a + " * lr + beta * " + vec(d - 1) + ")";
                case 27 -> "(0.5 * " + a + " + 0.25 * " + vec(d - 1) + "^2)";
                case 28 -> "clip(" + a + ", " + vec(d - 1) + ", 1 + abs(" + vec(d - 1) + "))";
                default -> "sqrt(abs(" + a + ")) / 2 + eps";
            };
        }

        String pick(String... xs) { return xs[r.nextInt(xs.length)]; }
    }
}
