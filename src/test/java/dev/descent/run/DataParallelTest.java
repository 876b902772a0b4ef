package dev.descent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.DataSet;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A run whose objective is evaluated in parts ({@link DataParallel}, {@link PartitionEvaluator}:
 * the Spark module's path, with the parts here in memory) takes the same steps as the run over
 * all rows at once, to rounding, for every kind of evaluation a step makes: f and g (gd, adam),
 * a strong-Wolfe search's trial points (lbfgs, cg), the Hessian (newton), H·v (newton_cg) and the
 * gradient at another point (sam); and the reports are the same.
 */
class DataParallelTest {
    static final String DATA = "examples/data/breast_cancer.csv";

    static String script(String optimize) {
        StringBuilder cols = new StringBuilder();
        for (int i = 0; i < 30; i++) cols.append(i == 0 ? "" : ", ").append("d.f").append(i);
        return "data d = csv(\"" + DATA + "\")\n"
                + "let X = stack(" + cols + ")\n"
                + "param w[30] = 0\nparam b = 0\n"
                + "let z = X @ w + b\n"
                + "minimize mean(softplus(z) - d.label * z) + 0.001 * sum(w^2)\n"
                + "report accuracy = mean((z > 0) == d.label)\n"
                + optimize + "\n";
    }

    /** The rows of the CSV split into parts of these sizes, each part evaluated block by block, added in part order. */
    static final class InMemory implements DataParallel {
        final PartitionEvaluator pe;
        final List<List<double[]>> parts = new ArrayList<>();
        final long rows;
        final int width, block;
        int requests;

        InMemory(Script partScript, DataSet full, int[] sizes, int block) {
            List<String> cols = full.columnNames();
            this.width = cols.size();
            this.block = block;
            this.pe = new PartitionEvaluator(partScript, "d", cols, new Engine(Engine.Kind.AUTO, Precision.F64, 1));
            int r = 0;
            for (int s : sizes) {
                List<double[]> part = new ArrayList<>();
                for (int i = 0; i < s; i++, r++) {
                    double[] row = new double[width];
                    for (int c = 0; c < width; c++) row[c] = full.columns().get(cols.get(c))[r];
                    part.add(row);
                }
                parts.add(part);
            }
            assertEquals(full.rows(), r);
            this.rows = r;
        }

        @Override public double[] evaluate(Request request) {
            requests++;
            double[] total = null;
            long first = 0;
            for (List<double[]> part : parts) {
                Iterator<double[][]> blocks = PartitionEvaluator.blocks(part.iterator(), width, block);
                double[] s = pe.evaluate(request, blocks, first);
                first += part.size();
                if (total == null) total = s;
                else for (int i = 0; i < s.length; i++) total[i] += s[i];
            }
            assertEquals(request.count(rows), (long) total[0]);
            double[] out = new double[total.length - 1];
            for (int i = 0; i < out.length; i++) out[i] = total[1 + i] / total[0];
            return out;
        }

        @Override public long rows() { return rows; }
    }

    record Traced(List<double[]> thetas, List<Double> losses, Driver.Result result) {}

    static Traced run(Script s, DataParallel dp) { return run(s, dp, Engine.Kind.AUTO); }

    static Traced run(Script s, DataParallel dp, Engine.Kind kind) {
        List<double[]> thetas = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        Driver d = new Driver(s, 0, new Engine(kind, Precision.F64, 1));
        if (dp != null) d.dataParallel(dp);
        Driver.Result r = d.run(s.initialTheta(0), (run, step, loss, gn, lr, theta) -> {
            thetas.add(theta.toDoubles());
            losses.add(loss);
        });
        return new Traced(thetas, losses, r);
    }

    static void assertClose(double want, double got, double rel, String what) {
        assertTrue(Math.abs(want - got) <= rel * Math.max(Math.abs(want), 1e-3), what + ": " + want + " vs " + got);
    }

    @Test
    void everyKindOfStepMatchesTheRunOverAllRows() {
        for (String opt : List.of("gd(lr = 0.5) for 15 steps", "adam(lr = 0.05) for 15 steps", "lbfgs() for 10 steps", "cg() for 8 steps",
                "newton() for 4 steps", "newton_cg() for 4 steps", "sam(lr = 0.5) for 10 steps")) {
            String text = script("optimize with " + opt);
            Script plain = Checker.checkForTraining(SourceFile.ofString("t.dsc", text), Map.of());
            DataSet full = plain.data.get("d");
            DataSet schema = PartitionEvaluator.schema("d", full.columnNames(), full.rows());
            Script driverSide = Checker.check(SourceFile.ofString("t.dsc", text), Map.of(), new Checker.Options(true, Map.of("d", schema), Map.of()));
            Script partSide = Checker.check(SourceFile.ofString("t.dsc", text), Map.of(), new Checker.Options(false, Map.of("d", schema), Map.of()));
            InMemory dp = new InMemory(partSide, full, new int[] {200, 1, 300, 68}, 64);
            Traced want = run(plain, null), got = run(driverSide, dp);
            assertTrue(dp.requests > 0, opt);
            assertEquals(want.thetas.size(), got.thetas.size(), opt + ": steps");
            for (int k = 0; k < want.thetas.size(); k++) {
                assertClose(want.losses.get(k), got.losses.get(k), 1e-12, opt + " loss at step " + k);
                double[] a = want.thetas.get(k), b = got.thetas.get(k);
                double scale = 0;
                for (double v : a) scale = Math.max(scale, Math.abs(v));
                for (int i = 0; i < a.length; i++)
                    assertTrue(Math.abs(a[i] - b[i]) <= 1e-11 * Math.max(scale, 1e-3), opt + " θ[" + i + "] at step " + k + ": " + a[i] + " vs " + b[i]);
            }
            assertClose(want.result.loss(), got.result.loss(), 1e-12, opt + " final loss");
            double accWant = want.result.splits().get(0).metrics().get("accuracy"), accGot = got.result.splits().get(0).metrics().get("accuracy");
            assertClose(accWant, accGot, 1e-12, opt + " accuracy");
        }
    }

    /**
     * Mini-batches and held-out rows: the driver chooses each batch and split as a run over rows in
     * memory does (the same seeded shuffles), the parts evaluate the rows they hold of it; the same
     * steps, the same validation losses (early stopping at the same epoch) and the same reports on
     * each split, to rounding.
     */
    @Test
    void batchesAndSplitsMatchTheRunOverAllRows() {
        for (String opt : List.of("adam(lr = 0.05) for 3 epochs batch 32", "sgd(lr = 0.1) for 4 epochs batch 100 patience 1")) {
            String text = script("optimize with " + opt).replace("csv(\"" + DATA + "\")", "csv(\"" + DATA + "\", validation = 0.2, test = 0.1)");
            Script plain = Checker.checkForTraining(SourceFile.ofString("t.dsc", text), Map.of());
            DataSet full = plain.data.get("d");
            DataSet schema = PartitionEvaluator.schema("d", full.columnNames(), full.rows());
            Script driverSide = Checker.check(SourceFile.ofString("t.dsc", text), Map.of(), new Checker.Options(true, Map.of("d", schema), Map.of()));
            Script partSide = Checker.check(SourceFile.ofString("t.dsc", text), Map.of(), new Checker.Options(false, Map.of("d", schema), Map.of()));
            InMemory dp = new InMemory(partSide, full, new int[] {100, 150, 250, 69}, 16);
            Traced want = run(plain, null), got = run(driverSide, dp);
            assertEquals(want.thetas.size(), got.thetas.size(), opt + ": steps");
            for (int k = 0; k < want.thetas.size(); k++) {
                assertClose(want.losses.get(k), got.losses.get(k), 1e-12, opt + " loss at step " + k);
                double[] a = want.thetas.get(k), b = got.thetas.get(k);
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-11 * Math.max(1, Math.abs(a[i])), opt + " θ at step " + k);
            }
            assertEquals(want.result.runs().get(0).stopped(), got.result.runs().get(0).stopped(), opt);
            assertEquals(want.result.runs().get(0).restoredEpoch(), got.result.runs().get(0).restoredEpoch(), opt);
            assertEquals(3, want.result.splits().size());
            assertEquals(want.result.splits().size(), got.result.splits().size());
            for (int k = 0; k < 3; k++) {
                Driver.Split a = want.result.splits().get(k), b = got.result.splits().get(k);
                assertEquals(a.name(), b.name());
                assertClose(a.loss(), b.loss(), 1e-12, opt + " " + a.name() + " loss");
                assertClose(a.metrics().get("accuracy"), b.metrics().get("accuracy"), 1e-12, opt + " " + a.name() + " accuracy");
            }
        }
    }

    /** Local rounds over parts held here: each part's rows a data set of its own, the parts' θ and states averaged by their rows. */
    static DataParallel.LocalRounds localRounds(String text, DataSet full, int[] sizes) {
        List<Script> parts = new ArrayList<>();
        int r = 0;
        for (int size : sizes) {
            java.util.LinkedHashMap<String, double[]> cols = new java.util.LinkedHashMap<>();
            for (String c : full.columnNames()) cols.put(c, java.util.Arrays.copyOfRange(full.columns().get(c), r, r + size));
            r += size;
            parts.add(Checker.check(SourceFile.ofString("t.dsc", text), Map.of(),
                    new Checker.Options(true, Map.of("d", new DataSet("d", null, null, cols, size)), Map.of())));
        }
        int n = r;
        List<LocalRunner> runners = new ArrayList<>();
        // the interpreter alone: the compiled tier's transcendentals may differ in the last bit (outside the bit-for-bit JVM), and it starts when it is ready
        for (Script part : parts) runners.add(new Driver(part, 0, new Engine(Engine.Kind.SIMD, Precision.F64, 1)).localRunner(1));
        return (statement, theta, states, t, steps) -> {
            double[] th = new double[theta.length];
            double[][] st = null;
            double loss = 0;
            for (int p = 0; p < parts.size(); p++) {
                DataParallel.Round round = runners.get(p).round(theta, states, t, steps, 0x9E3779B97F4A7C15L ^ t);
                double w = (double) sizes[p] / n;
                for (int i = 0; i < th.length; i++) th[i] += w * round.theta()[i];
                if (st == null) {
                    st = new double[round.states().length][];
                    for (int k = 0; k < st.length; k++) st[k] = new double[round.states()[k].length];
                }
                for (int k = 0; k < st.length; k++) for (int i = 0; i < st[k].length; i++) st[k][i] += w * round.states()[k][i];
                loss += w * round.loss();
            }
            return new DataParallel.Round(th, st, loss);
        };
    }

    /**
     * Local steps: with one part, rounds of 5 steps are the run over all rows, bit for bit, at
     * every round's start (the final loss, evaluated on every row in blocks, to rounding); with four parts, a different trajectory (model averaging) that still
     * gets within 2% of the loss the full run reaches, in a fifth of the rounds of evaluations.
     */
    @Test
    void localRoundsAverageTheParts() {
        for (String opt : List.of("adam(lr = 0.05) for 40 steps", "gd(lr = 0.5) for 40 steps")) {
            String text = script("optimize with " + opt);
            Script plain = Checker.checkForTraining(SourceFile.ofString("t.dsc", text), Map.of());
            DataSet full = plain.data.get("d");
            Traced want = run(plain, null, Engine.Kind.SIMD);
            for (int[] sizes : new int[][] {{569}, {100, 150, 250, 69}}) {
                Script driverSide = Checker.check(SourceFile.ofString("t.dsc", text), Map.of(),
                        new Checker.Options(true, Map.of("d", PartitionEvaluator.schema("d", full.columnNames(), full.rows())), Map.of()));
                Script partSide = Checker.check(SourceFile.ofString("t.dsc", text), Map.of(),
                        new Checker.Options(false, Map.of("d", PartitionEvaluator.schema("d", full.columnNames(), full.rows())), Map.of()));
                List<double[]> thetas = new ArrayList<>();
                List<Double> losses = new ArrayList<>();
                Driver d = new Driver(driverSide, 0, new Engine(Engine.Kind.AUTO, Precision.F64, 1))
                        .dataParallel(new InMemory(partSide, full, new int[] {full.rows()}, 64)).localRounds(5, localRounds(text, full, sizes));
                Driver.Result r = d.run(driverSide.initialTheta(0), (run, step, loss, gn, lr, theta) -> {
                    thetas.add(theta.toDoubles());
                    losses.add(loss);
                });
                assertEquals(9, thetas.size(), "8 rounds and the end");
                assertEquals(40, r.runs().get(0).steps());
                if (sizes.length == 1) {
                    for (int k = 0; k < thetas.size(); k++) {
                        // the last row's loss is the data-parallel evaluation on every row (blocks of 64): to rounding
                        assertEquals(want.losses.get(5 * k), losses.get(k), k == 8 ? 1e-12 * losses.get(k) : 0.0, opt + ": loss at step " + 5 * k);
                        double[] a = want.thetas.get(5 * k), b = thetas.get(k);
                        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 0.0, opt + ": θ at step " + 5 * k);
                    }
                } else {
                    assertTrue(losses.get(8) < 0.5 * losses.get(0), opt + ": the loss falls: " + losses);
                    assertClose(want.result.loss(), r.loss(), 0.02, opt + ": the averaged run ends near the full run");
                    assertTrue(Math.abs(want.result.loss() - r.loss()) > 1e-9, opt + ": but not on it (another trajectory)");
                }
            }
        }
    }

    @Test
    void blocksAreFullThenPowersOfTwo() {
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < 1000 + 13; i++) rows.add(new double[] {i, -i});
        List<Integer> sizes = new ArrayList<>();
        double next = 0;
        for (Iterator<double[][]> it = PartitionEvaluator.blocks(rows.iterator(), 2, 250); it.hasNext(); ) {
            double[][] b = it.next();
            sizes.add(b[0].length);
            for (int r = 0; r < b[0].length; r++, next++) {
                assertEquals(next, b[0][r]);
                assertEquals(-next, b[1][r], 0.0);
            }
        }
        assertEquals(List.of(250, 250, 250, 250, 8, 4, 1), sizes);
        assertEquals(1013, next);
    }

    @Test
    void objectivesThatAreNotMeansOverTheRowsAreTold() {
        for (String[] c : new String[][] {
                {"mean(softplus(z) - d.label * z)", null},
                {"mean(softplus(z) - d.label * z) + 0.001 * sum(w^2)", null},
                {"sum(softplus(z) - d.label * z)", "the objective"},
                {"sqrt(mean((z - d.label)^2))", "the objective"},
                {"max(z)", "the objective"}}) {
            String text = script("optimize with gd(lr = 0.1) for 1 steps").replace("mean(softplus(z) - d.label * z) + 0.001 * sum(w^2)", c[0]);
            Script plain = Checker.checkForTraining(SourceFile.ofString("t.dsc", text), Map.of());
            DataSet full = plain.data.get("d");
            Script partSide = Checker.check(SourceFile.ofString("t.dsc", text), Map.of(),
                    new Checker.Options(false, Map.of("d", PartitionEvaluator.schema("d", full.columnNames(), full.rows())), Map.of()));
            PartitionEvaluator pe = new PartitionEvaluator(partSide, "d", full.columnNames(), new Engine(Engine.Kind.AUTO, Precision.F64, 1));
            double[][] block = new double[full.columnNames().size()][];
            for (int k = 0; k < block.length; k++) block[k] = java.util.Arrays.copyOf(full.columns().get(full.columnNames().get(k)), 300);
            double[] theta = new double[31];
            for (int i = 0; i < 31; i++) theta[i] = 0.05 * (i % 7 - 3);
            String why = pe.checkDecomposes(block, theta, 1);
            if (c[1] == null) assertNull(why, c[0]);
            else {
                assertNotNull(why, c[0]);
                assertTrue(why.startsWith(c[1]), why);
            }
        }
    }
}
