package dev.descent.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Optimizer} stepping the caller's arrays gives the numbers {@code descent run} gives. */
class OptimizerTest {
    @TempDir Path dir;

    static final String ROSENBROCK = "param x = [-1.5, 2]\nminimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2\n";

    static final String LION = """
            optimizer lion(lr = 1e-4, beta1 = 0.9, beta2 = 0.99, weight_decay = 0) {
              state m = 0
              c = beta1 * m + (1 - beta1) * g
              p -= lr * (sign(c) + weight_decay * p)
              m = beta2 * m + (1 - beta2) * g
            }
            """;

    /**
     * The gradient of Rosenbrock's function, written in Java in the order of operations that
     * {@code descent grad} prints: [-400 * (u1 * x0) - 2 * (1 - x0), 200 * u1], u1 = x1 - x0^2.
     */
    static void rosenbrockGradient(double[] x, double[] g) {
        double u1 = x[1] - x[0] * x[0];
        g[0] = -400 * (u1 * x[0]) - 2 * (1 - x[0]);
        g[1] = 200 * u1;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("adam(lr = 0.05)", (java.util.function.Supplier<Optimizer>) () -> Optimizer.standard("adam", Map.of("lr", 0.05))),
                Arguments.of("sgd(lr = 0.001, momentum = 0.9, nesterov = 1)",
                        (java.util.function.Supplier<Optimizer>) () -> Optimizer.standard("sgd", ordered("lr", 0.001, "momentum", 0.9, "nesterov", 1))),
                Arguments.of("rmsprop(lr = 0.01, centered = 1)",
                        (java.util.function.Supplier<Optimizer>) () -> Optimizer.standard("rmsprop", ordered("lr", 0.01, "centered", 1))),
                Arguments.of("lion(lr = 0.003)", (java.util.function.Supplier<Optimizer>) () -> Optimizer.script(LION, "lion", Map.of("lr", 0.003))),
                Arguments.of("adam(lr = cosine(0.1, 0.001, 500))",
                        (java.util.function.Supplier<Optimizer>) () -> Optimizer.standard("adam", Map.of("lr", "cosine(0.1, 0.001, 500)"))));
    }

    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameBitsAsDescentRun(String call, java.util.function.Supplier<Optimizer> make) {
        int steps = 2000;
        String script = (call.startsWith("lion") ? LION : "") + ROSENBROCK + "optimize with " + call + " for " + steps + " steps\n";
        Path file = ApiCli.write(dir, "problem.dsc", script);

        Optimizer opt = make.get();
        double[] x = {-1.5, 2}, g = new double[2];
        for (int i = 0; i < steps; i++) {
            rosenbrockGradient(x, g);
            opt.step(x, g);
        }
        assertEquals(steps, opt.steps());
        for (String engine : new String[] {"scalar", "simd"}) {
            JsonNode out = ApiCli.json("run", file.toString(), "--json", "--engine", engine);
            double[] expected = ApiCli.numbers(out.get("params").get("x"));
            assertArrayEquals(expected, x, 0.0, call + " on the " + engine + " engine");
        }
    }

    /** Float32 stepping agrees with float64 within 1e-4 (relative to the parameter's size, plus 1e-5) after 300 Adam steps on a least-squares problem. */
    @Test
    void float32AgreesWithFloat64() {
        int n = 1000;
        SplittableRandom rng = new SplittableRandom(1);
        double[] target = new double[n], scale = new double[n];
        for (int i = 0; i < n; i++) {
            target[i] = 2 * rng.nextDouble() - 1;
            scale[i] = 0.5 + rng.nextDouble();
        }
        Optimizer a64 = Optimizer.standard("adam", Map.of("lr", 0.01)), a32 = Optimizer.standard("adam", Map.of("lr", 0.01));
        double[] x = new double[n], gx = new double[n];
        float[] y = new float[n], gy = new float[n];
        for (int s = 0; s < 300; s++) {
            for (int i = 0; i < n; i++) {
                gx[i] = 2 * scale[i] * (x[i] - target[i]);
                gy[i] = (float) (2 * scale[i] * (y[i] - target[i]));
            }
            a64.step(x, gx);
            a32.step(y, gy);
        }
        for (int i = 0; i < n; i++)
            assertEquals(x[i], y[i], 1e-4 * Math.abs(x[i]) + 1e-5, "element " + i);
        // and both went somewhere: the loss fell
        double loss = 0;
        for (int i = 0; i < n; i++) loss += scale[i] * (x[i] - target[i]) * (x[i] - target[i]);
        assertTrue(loss < 1e-2 * n, "loss " + loss);
    }

    /** Several arrays are one flat θ in order: the same bits as one concatenated array. */
    @Test
    void severalArraysAreOneFlatVector() {
        int[] sizes = {3, 1, 517};
        int n = 521;
        SplittableRandom rng = new SplittableRandom(7);
        double[] flat = new double[n];
        for (int i = 0; i < n; i++) flat[i] = 2 * rng.nextDouble() - 1;
        double[][] parts = split(flat, sizes);
        float[] flat32 = new float[n];
        for (int i = 0; i < n; i++) flat32[i] = (float) flat[i];
        float[][] parts32 = split32(flat32, sizes);

        Optimizer one = Optimizer.standard("rmsprop", Map.of("lr", 0.01, "momentum", 0.5)), many = Optimizer.standard("rmsprop", Map.of("lr", 0.01, "momentum", 0.5));
        Optimizer one32 = Optimizer.standard("adam", Map.of("lr", 0.01)), many32 = Optimizer.standard("adam", Map.of("lr", 0.01));
        double[] g = new double[n];
        float[] g32 = new float[n];
        for (int s = 0; s < 50; s++) {
            for (int i = 0; i < n; i++) g[i] = Math.sin(3 * flat[i] + s);
            for (int i = 0; i < n; i++) g32[i] = (float) Math.sin(3 * flat32[i] + s);
            one.step(flat, g);
            many.step(parts, split(g, sizes));
            one32.step(flat32, g32);
            many32.step(parts32, split32(g32, sizes));
        }
        assertArrayEquals(flat, concat(parts), 0.0);
        float[] joined = new float[n];
        int o = 0;
        for (float[] p : parts32) {
            System.arraycopy(p, 0, joined, o, p.length);
            o += p.length;
        }
        assertArrayEquals(flat32, joined, 0.0f);
    }

    private static double[][] split(double[] flat, int[] sizes) {
        double[][] out = new double[sizes.length][];
        int o = 0;
        for (int k = 0; k < sizes.length; k++) {
            out[k] = java.util.Arrays.copyOfRange(flat, o, o + sizes[k]);
            o += sizes[k];
        }
        return out;
    }

    private static float[][] split32(float[] flat, int[] sizes) {
        float[][] out = new float[sizes.length][];
        int o = 0;
        for (int k = 0; k < sizes.length; k++) {
            out[k] = java.util.Arrays.copyOfRange(flat, o, o + sizes[k]);
            o += sizes[k];
        }
        return out;
    }

    private static double[] concat(double[][] parts) {
        int n = 0;
        for (double[] p : parts) n += p.length;
        double[] out = new double[n];
        int o = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    @Test
    void wrongSizesAreRefusedClearly() {
        Optimizer opt = Optimizer.standard("adam", Map.of("lr", 0.1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.step(new double[3], new double[2]));
        assertTrue(e.getMessage().contains("params has 3 elements but grads has 2"), e.getMessage());
        opt.step(new double[3], new double[3]);
        e = assertThrows(IllegalArgumentException.class, () -> opt.step(new double[4], new double[4]));
        assertTrue(e.getMessage().contains("the arrays have 4 elements, but the first step had 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> opt.step(new double[][] {new double[2], new double[1]}, new double[][] {new double[2]}));
        assertTrue(e.getMessage().contains("2 parameter arrays but 1 gradient arrays"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> opt.step(new double[][] {new double[2], new double[1]}, new double[][] {new double[2], new double[2]}));
        assertTrue(e.getMessage().contains("params[1] has 1 elements but grads[1] has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> opt.step(new double[][] {new double[2], new double[2]}, new double[][] {new double[2], new double[2]}));
        assertTrue(e.getMessage().contains("[2, 2] (4 in all) elements, but the first step had 3"), e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> opt.step(new float[3], new float[3]));
        assertTrue(s.getMessage().contains("double[]"), s.getMessage());
        opt.reset();
        opt.step(new float[4], new float[4]);
        assertEquals(1, opt.steps());
    }

    @Test
    void unknownOptimizerAndArgumentsAreDescentExceptions() {
        DescentException e = assertThrows(DescentException.class, () -> Optimizer.standard("adamm", Map.of("lr", 0.1)));
        assertTrue(e.rendered().contains("adamm"), e.rendered());
        assertTrue(e.rendered().contains("<optimizer adamm>:1:"), e.rendered());
        assertTrue(!e.diagnostics().isEmpty());
        e = assertThrows(DescentException.class, () -> Optimizer.standard("adam", Map.of("learning_rate", 0.1)));
        assertTrue(e.rendered().contains("learning_rate"), e.rendered());
        e = assertThrows(DescentException.class, () -> Optimizer.standard("adam", Map.of("lr", Double.NaN)));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
    }

    @Test
    void optimizersThatNeedTheObjectiveAreRefused() {
        DescentException e = assertThrows(DescentException.class, () -> Optimizer.standard("newton"));
        assertTrue(e.getMessage().contains("newton needs the objective itself (its Hessian)"), e.getMessage());
        e = assertThrows(DescentException.class, () -> Optimizer.standard("cg"));
        assertTrue(e.getMessage().contains("cg needs the objective itself (its line search)"), e.getMessage());
        e = assertThrows(DescentException.class, () -> Optimizer.standard("sam", Map.of("lr", 0.1)));
        assertTrue(e.getMessage().contains("sam needs the objective itself (its gradient at another point, grad_at)"), e.getMessage());
    }

    @Test
    void aBadScriptedOptimizerReportsFileLineColumn() {
        String text = "optimizer mine(lr = 0.1) {\n  p -= lr * gg\n}\n";
        DescentException e = assertThrows(DescentException.class, () -> Optimizer.script(text, "mine", Map.of()));
        assertTrue(e.rendered().startsWith("<optimizer script>:2:13: error:"), e.rendered());
        assertEquals(2, e.diagnostics().get(0).line());
    }

    @Test
    void anOptimizersTextHoldsOnlyDeclarationsAndAnArgumentIsOneExpression() {
        DescentException e = assertThrows(DescentException.class,
                () -> Optimizer.script(LION + "param x = 1\n", "lion", Map.of()));
        assertTrue(e.rendered().startsWith("<optimizer script>:7:1: error: an optimizer's text may only hold"), e.rendered());
        // a string that closes the parenthesis it is written in would be two arguments: refused
        e = assertThrows(DescentException.class, () -> Optimizer.standard("sgd", Map.of("lr", "0.1), momentum = (0.9")));
        assertTrue(e.rendered().startsWith("<hyperparameter lr>:1:4: error:"), e.rendered());
        e = assertThrows(DescentException.class, () -> Optimizer.standard("sgd", Map.of("lr", "0.1 +")));
        assertTrue(e.rendered().startsWith("<hyperparameter lr>:1:"), e.rendered());
    }

    @Test
    void argumentsMayUseTheTextsLetsAndDefs() {
        Optimizer a = Optimizer.script("let base = 0.03\ndef tenth(x) = x / 10\n" + LION, "lion", Map.of("lr", "tenth(base)"));
        Optimizer b = Optimizer.script(LION, "lion", Map.of("lr", 0.003));
        double[] x = {1, -2, 3}, y = x.clone(), g = {0.5, -1, 2};
        for (int k = 0; k < 3; k++) {
            a.step(x, g);
            b.step(y, g);
        }
        assertArrayEquals(y, x);
        assertTrue(y[0] != 1, "it moved");
    }

    @Test
    void negativeAndScheduledHyperparameters() {
        // weight_decay < 0 is allowed by the language; a string is an expression of t
        Optimizer opt = Optimizer.standard("sgd", ordered("lr", "0.1 * 0.5^(t - 1)", "weight_decay", -0.0));
        double[] x = {1}, g = {1};
        opt.step(x, g); // lr 0.1
        opt.step(x, g); // lr 0.05
        assertEquals(1 - 0.1 - 0.05, x[0], 1e-15);
    }
}
