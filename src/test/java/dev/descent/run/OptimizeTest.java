package dev.descent.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.cli.Main;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.SourceFile;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Optimizers as scripts: semantics of bodies and optimize statements, bad input, divergence. */
class OptimizeTest {
    static final String ROSENBROCK = "param x = [-1.5, 2]\nminimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2\n";
    static final String QUAD = "param x = [1, -2, 3]\nparam b = 0.5\nminimize sum([1, 2, 3] * x^2) + (b - 1)^2 + x[0] * b\n";

    static Driver.Result run(String text) {
        Script s = Checker.checkForTraining(SourceFile.ofString("t.dsc", text), Map.of());
        return new Driver(s, 0).run(s.initialTheta(0), null);
    }

    static void assertBits(double[] a, double[] b, String what) {
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++)
            assertEquals(Double.doubleToLongBits(a[i]), Double.doubleToLongBits(b[i]), what + " [" + i + "]: " + a[i] + " vs " + b[i]);
    }

    @Test
    void handWrittenAdamIsBitIdenticalToTheStandardOne() {
        String mine = """
                optimizer my_adam(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8) {
                  state m = 0
                  state v = 0
                  m = beta1 * m + (1 - beta1) * g
                  v = beta2 * v + (1 - beta2) * g * g
                  p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
                }
                """;
        for (String f : List.of(ROSENBROCK, QUAD)) {
            Driver.Result a = run(mine + f + "optimize with my_adam(lr = 0.01) for 300 steps\n");
            Driver.Result b = run(f + "optimize with adam(lr = 0.01) for 300 steps\n");
            assertBits(a.theta(), b.theta(), "adam");
            assertNotEquals(run(f).loss(), a.loss(), "the optimizer moved");
        }
    }

    /** Every standard optimizer, copied under another name into a script, runs bit for bit like the original. */
    @Test
    void everyStandardOptimizerCopiedIntoAScriptIsBitIdentical() throws Exception {
        String lib;
        try (InputStream in = Checker.class.getResourceAsStream(Checker.STDLIB_RESOURCE)) {
            lib = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("(?ms)^optimizer (\\w+)(\\(.*?\\))? \\{.*?^}").matcher(lib);
        int count = 0;
        while (m.find()) {
            String name = m.group(1);
            String copy = m.group().replaceFirst("optimizer " + name, "optimizer copy_" + name);
            String args = switch (name) {
                case "gd", "sgd", "sam" -> "(lr = 0.001)";
                case "newton" -> "(lr = 0.5)";
                case "l2" -> "(weight_decay = 0.01)";
                case "decoupled_weight_decay" -> "(lr = 0.001, weight_decay = 0.01)";
                case "clip_by_global_norm" -> "(max_norm = 1)";
                case "ema" -> "(decay = 0.9)";
                default -> "()";
            };
            for (String f : List.of(ROSENBROCK, QUAD)) {
                Driver.Result a = run(copy + "\n" + f + "optimize with copy_" + name + args + " for 50 steps\n");
                Driver.Result b = run(f + "optimize with " + name + args + " for 50 steps\n");
                assertBits(a.theta(), b.theta(), name);
            }
            count++;
        }
        assertEquals(20, count, "all sixteen standard optimizers and the four transformations");
    }

    @Test
    void untilStopsBeforeUpdatingAndCountsUpdates() {
        Driver.Result r = run("param x = 10\nminimize x^2\noptimize with gd(lr = 0.25) for 100 steps until abs(x) < 1\n");
        // x halves every step: 10, 5, 2.5, 1.25, 0.625 → four updates, stopped at the start of step 5
        assertEquals(4, r.runs().get(0).steps());
        assertEquals("until", r.runs().get(0).stopped().label());
        assertEquals(0.625, r.theta()[0]);
    }

    @Test
    void runsContinueFromTheLastWithFreshStateAndT() {
        String twoRuns = QUAD + "optimize with adam(lr = 0.1) for 20 steps\noptimize with adam(lr = 0.1) for 20 steps\n";
        Driver.Result both = run(twoRuns);
        Script s = Checker.checkForTraining(SourceFile.ofString("t.dsc", QUAD + "optimize with adam(lr = 0.1) for 20 steps\n"), Map.of());
        Driver.Result first = new Driver(s, 0).run(s.initialTheta(0), null);
        Driver.Result second = new Driver(s, 0).run(first.theta(), null); // fresh state, t from 1, from where the first stopped
        assertBits(second.theta(), both.theta(), "two runs");
        assertEquals(2, both.runs().size());
    }

    @Test
    void scheduleArgumentsAreEvaluatedEveryStep() {
        List<Double> lrs = new ArrayList<>();
        Script s = Checker.checkForTraining(SourceFile.ofString("t.dsc",
                "param x = 1\nminimize x^2\noptimize with gd(lr = step_decay(0.1, 0.5, 2)) for 6 steps\n"), Map.of());
        new Driver(s, 0).run(s.initialTheta(0), (run, step, loss, gn, lr, th) -> { if (step > 0) lrs.add(lr); });
        assertEquals(List.of(0.1, 0.1, 0.05, 0.05, 0.025, 0.025), lrs);
    }

    @Test
    void maximizeClimbs() {
        Driver.Result r = run("param x = 0\nmaximize -(x - 3)^2\noptimize with gd(lr = 0.25) for 50 steps\n");
        assertEquals(3, r.theta()[0], 1e-9);
        assertTrue(r.loss() > -1e-12, "the loss reported is the objective maximized");
    }

    @Test
    void lineSearchAndHessianOptimizers() {
        Driver.Result cg = run(ROSENBROCK + "optimize with cg() for 500 steps\n");
        assertEquals(1, cg.theta()[0], 1e-6);
        Driver.Result newton = run("param x = [3, -2]\nminimize (x[0] - 1)^2 + 10*(x[1] + 2)^2 + x[0]*x[1]\noptimize with newton() for 1 steps\n");
        // a quadratic: one Newton step lands on the minimum, where the gradient is zero
        double x0 = newton.theta()[0], x1 = newton.theta()[1];
        assertEquals(0, 2 * (x0 - 1) + x1, 1e-12);
        assertEquals(0, 20 * (x1 + 2) + x0, 1e-12);
    }

    // ------------------------------------------------------------------ bad input

    static String errors(String text) {
        try {
            Checker.check(SourceFile.ofString("bad.dsc", text));
        } catch (CompileError e) {
            return e.render();
        }
        throw new AssertionError("no error for:\n" + text);
    }

    @Test
    void badOptimizerInputIsADiagnostic() {
        String body = "param x = [1, 2]\nminimize sum(x^2)\n";
        assertTrue(errors(body + "optimizer o(lr = 0.1) {\n  lr = 2\n}\noptimize with o() for 1 steps\n")
                .contains("bad.dsc:4:3: error: 'lr' is a hyperparameter and cannot be assigned"));
        assertTrue(errors(body + "state v = 0\n").contains("bad.dsc:3:1: error: expected a statement, found 'state': a state declaration belongs inside an optimizer's body"));
        assertTrue(errors(body + "optimize with adamm(lr = 0.1) for 5 steps\n")
                .contains("bad.dsc:3:15: error: unknown optimizer 'adamm'\n"));
        assertTrue(errors(body + "optimize with adamm(lr = 0.1) for 5 steps\n").contains("did you mean 'adam'?"));
        assertTrue(errors(body + "optimize with adam(lr = 0.1, betas = 0.9) for 5 steps\n")
                .contains("bad.dsc:3:30: error: optimizer 'adam' has no argument 'betas'"));
        assertTrue(errors(body + "optimizer o() {\n  state v = 0\n  v = g\n  v = [1, 2, 3]\n}\noptimize with o() for 1 steps\n")
                .contains("state 'v' is a vector [2], but this assigns a vector [3]"));
        assertTrue(errors(body + "optimize with gd() for 5 steps\n").contains("optimizer 'gd' needs a value for 'lr'"));
        assertTrue(errors(body + "optimize with gd(lr = 0.1) for 5 steps until g\n").contains("the condition after 'until' must be one number"));
    }

    @Test
    void divergenceExitsThreeNamingTheStep(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("div.dsc");
        Files.writeString(f, "param x = 10\nminimize x^2\noptimize with gd(lr = 1.1) for 5000 steps\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new String[] {"run", f.toString(), "--json"}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(3, code);
        assertTrue(out.toString().contains("\"stopped\":\"diverged\""), out.toString());
        assertTrue(err.toString().matches("(?s).*diverged: the loss is inf at step \\d+.*"), err.toString());

        Files.writeString(f, "param x = 3\nminimize log(x)\noptimize with gd(lr = 10) for 50 steps\n");
        err = new StringWriter();
        code = Main.execute(new String[] {"run", f.toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(3, code);
        assertTrue(err.toString().contains("the loss is NaN at step 2, after 1 update"), err.toString());
    }

    @Test
    void traceHasOneRowPerPointVisited(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.dsc"), trace = dir.resolve("trace.csv");
        Files.writeString(f, "param x = [-5, -2]\nminimize x[0]^2 + 2*x[1]^2\noptimize with gd(lr = 0.1) for 20 steps\n");
        int code = Main.execute(new String[] {"run", f.toString(), "--trace", trace.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        assertEquals(0, code);
        List<String> lines = Files.readAllLines(trace);
        assertEquals("run,step,loss,grad_norm,lr,x[0],x[1]", lines.get(0));
        assertEquals(22, lines.size(), "header + the start + 20 steps");
        String[] last = lines.get(21).split(",");
        assertEquals("20", last[1]);
        assertEquals(-0.057646075230342354, Double.parseDouble(last[5]), 1e-15); // D2L's published -0.057646
        assertEquals("0.1", last[4]);
    }

    @Test
    void theHyperparametersOfEveryStandardOptimizerFollowTorchNames() {
        // the argument names of LANGUAGE.md's list, checked against the library
        Map<String, String> expected = Map.of(
                "sgd", "lr momentum dampening nesterov weight_decay",
                "adagrad", "lr lr_decay weight_decay initial_accumulator_value eps",
                "rmsprop", "lr alpha eps weight_decay momentum centered",
                "adadelta", "lr rho eps weight_decay",
                "adam", "lr beta1 beta2 eps weight_decay amsgrad",
                "adamw", "lr beta1 beta2 eps weight_decay amsgrad",
                "adamax", "lr beta1 beta2 eps weight_decay",
                "nadam", "lr beta1 beta2 eps weight_decay momentum_decay",
                "radam", "lr beta1 beta2 eps weight_decay");
        Script s = Checker.check(SourceFile.ofString("t.dsc", "param x = 1\nminimize x^2\n"));
        expected.forEach((name, args) -> {
            List<String> got = new ArrayList<>();
            s.module.optimizer(name).decl().hypers().forEach(h -> got.add(h.name()));
            assertEquals(args, String.join(" ", got), name);
        });
        assertArrayEquals(new String[] {"lr"}, s.module.optimizer("gd").decl().hypers().stream().map(h -> h.name()).toArray());
    }
}
