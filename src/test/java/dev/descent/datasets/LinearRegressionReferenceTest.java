package dev.descent.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.run.Driver;
import dev.descent.syntax.SourceFile;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linear regression on examples/data/linear.csv against NumPy (tools/fixtures/gen_numpy_linreg.py):
 * full-batch gradient descent, step by step, matches a NumPy loop to 1e-10; mini-batch SGD
 * ends within 1e-2 of the least-squares solution.
 */
class LinearRegressionReferenceTest {

    static JsonNode fixture() throws Exception {
        try (InputStream in = LinearRegressionReferenceTest.class.getResourceAsStream("/fixtures/numpy/linreg.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Script script(Path dir, String optimize) throws Exception {
        Files.copy(Path.of("examples/data/linear.csv"), dir.resolve("linear.csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path f = dir.resolve("linreg.dsc");
        Files.writeString(f, """
                seed 3
                data d = csv("linear.csv")
                param w = [0, 0]
                param b = 0
                minimize mean((stack(d.x1, d.x2) @ w + b - d.y)^2)
                """ + optimize + "\n");
        return Checker.checkForTraining(SourceFile.read(f, "linreg.dsc"), Map.of());
    }

    @Test
    void fullBatchGradientDescentMatchesANumpyLoop(@TempDir Path dir) throws Exception {
        JsonNode fx = fixture();
        // no batch: every epoch is one full-batch step
        Script s = script(dir, "optimize with gd(lr = 0.1) for 50 epochs");
        List<double[]> path = new ArrayList<>();
        new Driver(s, 3).run(s.initialTheta(3), (run, step, loss, gn, lr, theta) -> { if (step > 0) path.add(theta.toDoubles()); });
        assertEquals(fx.get("gd").size(), path.size());
        for (int k = 0; k < path.size(); k++) {
            for (int i = 0; i < 3; i++) {
                double want = fx.get("gd").get(k).get(i).asDouble(), got = path.get(k)[i];
                assertTrue(Math.abs(got - want) <= 1e-10 * Math.max(1, Math.abs(want)), "step " + (k + 1) + " θ[" + i + "]: " + got + " vs NumPy " + want);
            }
        }
    }

    @Test
    void miniBatchSgdEndsNearTheLeastSquaresSolution(@TempDir Path dir) throws Exception {
        JsonNode fx = fixture();
        Script s = script(dir, "optimize with sgd(lr = exp_decay(0.1, 0.995), momentum = 0.9) for 60 epochs batch 16");
        Driver.Result r = new Driver(s, 3).run(s.initialTheta(3), null);
        assertEquals("steps", r.runs().get(0).stopped().label());
        for (int i = 0; i < 3; i++) {
            double want = fx.get("lstsq").get(i).asDouble(), got = r.theta()[i];
            assertTrue(Math.abs(got - want) < 1e-2, "θ[" + i + "] = " + got + ", least squares " + want);
        }
    }
}
