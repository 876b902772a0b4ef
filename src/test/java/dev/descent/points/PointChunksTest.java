package dev.descent.points;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.run.PointEval;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched evaluation where shapes could be confused (as many points as a vector has elements,
 * one point of a one-element vector), and in chunks (a data set large enough that all points
 * at once would not fit the budget): the same numbers as one point at a time.
 */
class PointChunksTest {
    @TempDir Path dir;

    static void agree(Script s, int points, long seed) {
        double[] theta0 = s.initialTheta(0);
        double[][] cols = PointBatchFixturesTest.randomColumns(theta0, points, seed);
        PointEval.Result one = PointEval.evaluate(s, theta0, cols, points, true, Engine.SCALAR, true);
        PointEval.Result sc = PointEval.evaluate(s, theta0, cols, points, true, Engine.SCALAR);
        PointEval.Result simd = PointEval.evaluate(s, theta0, cols, points, true, new Engine(Engine.Kind.SIMD, Precision.F64, 3));
        assertTrue(sc.batched(), () -> "batched: " + sc.fallback());
        assertTrue(simd.batched(), () -> "batched: " + simd.fallback());
        for (int p = 0; p < points; p++) {
            PointBatchFixturesTest.same(one.values()[p], sc.values()[p], "value " + p);
            PointBatchFixturesTest.close(one.values()[p], simd.values()[p], "value " + p);
            for (int k = 0; k < theta0.length; k++) {
                PointBatchFixturesTest.same(one.gradients()[p][k], sc.gradients()[p][k], "grad " + k + " at " + p);
                PointBatchFixturesTest.close(one.gradients()[p][k], simd.gradients()[p][k], "grad " + k + " at " + p);
            }
        }
    }

    @Test
    void asManyPointsAsElements() {
        String text = "param x = [0.5, -1, 2]\nparam s = 0.3\nlet A = [[1, 2, 0], [0, -1, 3], [2, 2, 2]]\n"
                + "minimize sum(s * x) + dot(A @ x, x) * s + logsumexp(x * s) + sum(solve(A, x) * s) + max(x - s) + [s, x[0], 1] @ A @ x\n";
        Script s = Checker.check(SourceFile.ofString("n.dsc", text));
        for (int p : new int[] {1, 2, 3, 4, 7}) agree(s, p, p);
        Script one = Checker.check(SourceFile.ofString("one.dsc", "param x = [0.5]\nparam s = 2\nminimize sum(x * s) + x[0]^2 * s\n"));
        for (int p : new int[] {1, 2}) agree(one, p, p);
    }

    @Test
    void inChunksOverALargeDataSet() throws IOException {
        SplittableRandom rng = new SplittableRandom(5);
        StringBuilder csv = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 20_000; i++) {
            double a = rng.nextDouble(-1, 1), b = rng.nextDouble(-1, 1);
            csv.append(a).append(',').append(b).append(',').append(2 * a - b + 0.1 * rng.nextGaussian()).append('\n');
        }
        Files.writeString(dir.resolve("d.csv"), csv);
        String text = "data d = csv(\"d.csv\")\nparam w = [0, 0]\nparam b = 0\nlet X = stack(d.x1, d.x2)\n"
                + "minimize mean((X @ w + b - d.y)^2) + 0.01 * sum(w^2)\n";
        Path f = dir.resolve("m.dsc");
        Files.writeString(f, text);
        Script s = Checker.check(SourceFile.read(f, "m.dsc"));
        // 20 000 rows by some nodes per point: far past the budget at 3 000 points, so chunks of a few hundred
        agree(s, 3_001, 11);
    }
}
