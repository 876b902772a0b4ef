package dev.descent.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import java.util.ArrayList;
import java.util.List;

/** {@link Curvature}: eigenvalues against numpy.linalg.eigvalsh (tools/fixtures/gen_eigen.py), and the second-order test. */
public class CurvatureTest {
    public static JsonNode fixture() throws Exception {
        try (InputStream in = CurvatureTest.class.getResourceAsStream("/fixtures/numpy/eigen.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @TestFactory List<DynamicTest> eigenvaluesMatchNumpy() throws Exception {
        List<DynamicTest> out = new ArrayList<>();
        JsonNode cases = fixture().get("cases");
        assertTrue(cases.size() >= 20, "the fixture has its cases");
        for (JsonNode c : cases) {
            out.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                JsonNode m = c.get("matrix");
                int n = m.size();
                double[][] a = new double[n][n];
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i][j] = m.get(i).get(j).asDouble();
                double[] want = new double[n];
                for (int i = 0; i < n; i++) want[i] = c.get("eigenvalues").get(i).asDouble();
                double[] got = Curvature.eigenvalues(a);
                double norm = 0;
                for (double v : want) norm = Math.max(norm, Math.abs(v));
                // backward stable: each eigenvalue within a small multiple of eps·‖A‖ (both LAPACK's and ours)
                double tol = 50 * n * Math.ulp(1.0) * Math.max(norm, Double.MIN_NORMAL);
                assertEquals(n, got.length);
                for (int i = 0; i < n; i++)
                    assertEquals(want[i], got[i], tol, c.get("name").asText() + ": eigenvalue " + i);
            }));
        }
        return out;
    }

    @Test void inputIsNotChangedAndEigenvaluesAscend() {
        double[][] a = {{2, 1, 0}, {1, 2, 1}, {0, 1, 2}};
        double[] got = Curvature.eigenvalues(a);
        assertArrayEquals(new double[] {2, 1, 0}, a[0]);
        double r = Math.sqrt(2);
        assertArrayEquals(new double[] {2 - r, 2, 2 + r}, got, 1e-14);
    }

    @Test void nonFiniteEntryGivesNoEigenvalues() {
        assertNull(Curvature.eigenvalues(new double[][] {{1, Double.NaN}, {Double.NaN, 1}}));
        Curvature.Result r = Curvature.analyze(new double[][] {{Double.NEGATIVE_INFINITY}}, 0, new double[] {0});
        assertEquals(Curvature.Kind.UNKNOWN, r.kind());
        assertNull(r.point());
    }

    @Test void secondOrderTest() {
        Curvature.Result saddle = Curvature.analyze(new double[][] {{2, 0}, {0, -2}}, 0, new double[] {0, 0});
        assertEquals("saddle point", saddle.point());
        assertEquals(1, saddle.negative());
        assertEquals(1, saddle.positive());
        assertEquals(1.0, saddle.condition());
        Curvature.Result min = Curvature.analyze(new double[][] {{802, -400}, {-400, 200}}, 0, new double[] {0, 0});
        assertEquals("minimum", min.point());
        // numpy: eigvalsh([[802,-400],[-400,200]]) = [0.3993607674876216, 1001.6006392325123]; cond(…) = 2508.009601277298
        assertEquals(0.3993607674876216, min.eigenvalues()[0], 1e-12);
        assertEquals(1001.6006392325123, min.eigenvalues()[1], 1e-11);
        assertEquals(2508.009601277298, min.condition(), 1e-8);
        assertEquals("maximum", Curvature.analyze(new double[][] {{-1, 0.5}, {0.5, -1}}, 5, new double[] {1e-9, 0}).point());
        Curvature.Result flat = Curvature.analyze(new double[][] {{1, 0}, {0, 0}}, 0, new double[] {0, 0});
        assertEquals("degenerate", flat.point());
        assertEquals(Double.POSITIVE_INFINITY, flat.condition());
        Curvature.Result moving = Curvature.analyze(new double[][] {{2, 0}, {0, -2}}, 0, new double[] {0.1, 0});
        assertFalse(moving.stationary());
        assertNull(moving.point());
        assertEquals(Curvature.Kind.SADDLE, moving.kind());
    }
}
