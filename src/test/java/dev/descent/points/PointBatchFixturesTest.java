package dev.descent.points;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.run.Objective;
import dev.descent.run.PointEval;
import dev.descent.syntax.SourceFile;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code eval --points} evaluation (the batched DAG of {@link dev.descent.run.PointBatch}, or the
 * point-by-point fallback) against {@link Objective#evaluate} on the scalar engine, one point at a
 * time, for every SymPy fixture script at 100 random points near its starting point: on the
 * scalar engine bit for bit, on the SIMD engine in float64 to 1e-12 relative.
 */
class PointBatchFixturesTest {
    static final int POINTS = 100;
    static final Engine SIMD = new Engine(Engine.Kind.SIMD, Precision.F64, 2);

    private static final Set<String> batched = new TreeSet<>(), fellBack = new TreeSet<>();

    /** Cases that must batch (no varying matrix anywhere in value or gradient): a regression guard for the pass. */
    static final Set<String> MUST_BATCH = Set.of("rosenbrock", "beale", "quadratic_form", "logistic_loss", "ridge_regression",
            "lasso", "softmax_vector", "logsumexp_vector", "min_max_reduce", "solve_literal", "matvec_literal", "if_vector",
            "clip_vector", "dot_norm_norm1", "relu_vector", "huber_regression");

    static JsonNode cases() throws Exception {
        try (InputStream in = PointBatchFixturesTest.class.getResourceAsStream("/fixtures/sympy/cases.json")) {
            return new ObjectMapper().readTree(in).get("cases");
        }
    }

    /** θ0 plus noise of 0.1·max(1, |θ0|), per element and point; columns[k][p]. */
    static double[][] randomColumns(double[] theta0, int points, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] cols = new double[theta0.length][points];
        for (int p = 0; p < points; p++)
            for (int k = 0; k < theta0.length; k++) cols[k][p] = theta0[k] + 0.1 * Math.max(1, Math.abs(theta0[k])) * rng.nextGaussian();
        return cols;
    }

    @TestFactory
    Stream<DynamicTest> everyFixture() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases()) {
            String name = c.get("name").asText(), text = c.get("script").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> check(name, text)));
        }
        assertTrue(tests.size() >= 50);
        return tests.stream();
    }

    static void check(String name, String text) {
        Script s = Checker.check(SourceFile.ofString(name + ".dsc", text));
        double[] theta0 = s.initialTheta(0);
        double[][] cols = randomColumns(theta0, POINTS, name.hashCode());

        // the reference: each point alone, on the scalar engine
        Objective ref = new Objective(s, false);
        double[] want = new double[POINTS];
        double[][] wantG = new double[POINTS][];
        for (int p = 0; p < POINTS; p++) {
            double[] theta = new double[theta0.length];
            for (int k = 0; k < theta.length; k++) theta[k] = cols[k][p];
            Objective.Result r = ref.evaluate(theta);
            want[p] = r.value();
            wantG[p] = r.gradient();
        }

        PointEval.Result scalar = PointEval.evaluate(s, theta0, cols, POINTS, true, Engine.SCALAR);
        for (int p = 0; p < POINTS; p++) {
            same(want[p], scalar.values()[p], name + " value at point " + p);
            for (int k = 0; k < theta0.length; k++) same(wantG[p][k], scalar.gradients()[p][k], name + " grad[" + k + "] at point " + p);
        }

        PointEval.Result simd = PointEval.evaluate(s, theta0, cols, POINTS, true, SIMD);
        assertEquals(scalar.batched(), simd.batched(), "both engines batch, or neither");
        for (int p = 0; p < POINTS; p++) {
            close(want[p], simd.values()[p], name + " value at point " + p);
            for (int k = 0; k < theta0.length; k++) close(wantG[p][k], simd.gradients()[p][k], name + " grad[" + k + "] at point " + p);
        }

        // value only: fewer outputs may batch where the gradient cannot
        PointEval.Result valueOnly = PointEval.evaluate(s, theta0, cols, POINTS, false, Engine.SCALAR);
        for (int p = 0; p < POINTS; p++) same(want[p], valueOnly.values()[p], name + " value-only at point " + p);

        synchronized (batched) {
            (simd.batched() ? batched : fellBack).add(name);
        }
        if (MUST_BATCH.contains(name) && !simd.batched()) fail(name + " fell back: " + simd.fallback());
    }

    /** Bit for bit (any NaN equals any NaN). */
    static void same(double want, double got, String what) {
        if (Double.compare(want, got) == 0 || Double.isNaN(want) && Double.isNaN(got)) return;
        fail(what + ": expected " + want + " but got " + got + " (not bit-identical)");
    }

    /** |got − want| ≤ 1e-12 · max(1, |want|); NaN and infinities must match exactly. */
    static void close(double want, double got, String what) {
        if (Double.compare(want, got) == 0 || Double.isNaN(want) && Double.isNaN(got)) return;
        if (!Double.isFinite(want) || !Double.isFinite(got)) fail(what + ": expected " + want + " but got " + got);
        assertTrue(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want)),
                () -> what + ": expected " + want + " but got " + got + " (difference " + Math.abs(got - want) + ")");
    }

    @AfterAll
    static void summary() {
        System.out.println("eval --points fixtures: batched " + batched.size() + " " + batched);
        System.out.println("eval --points fixtures: point by point " + fellBack.size() + " " + fellBack);
    }
}
