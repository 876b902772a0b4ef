package dev.descent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** linesearch(d, wolfe = 1): the strong-Wolfe conditions at every accepted step, the accepted point's f and g reused, bad arguments. */
class WolfeSearchTest {
    static Script script(String text) { return Checker.checkForTraining(SourceFile.ofString("t.dsc", text), Map.of()); }

    static double rosen(double[] x) { return (1 - x[0]) * (1 - x[0]) + 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]); }

    static double[] rosenGrad(double[] x) {
        return new double[] {-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0]), 200 * (x[1] - x[0] * x[0])};
    }

    /**
     * Every step of cg() (c1 = 1e-4, c2 = 0.4) and of lbfgs() (c2 = 0.9) on Rosenbrock satisfies the
     * strong-Wolfe conditions, checked from the trace alone with Rosenbrock's own formulas: for the
     * step s = θ' − θ (a positive multiple of d), f(θ') ≤ f(θ) + c1·g·s and |g(θ')·s| ≤ c2·|g·s|.
     */
    @Test
    void everyAcceptedStepSatisfiesTheStrongWolfeConditions() {
        for (String opt : List.of("cg()", "lbfgs()", "cg(c2 = 0.1)")) {
            double c2 = opt.equals("cg()") ? 0.4 : opt.equals("lbfgs()") ? 0.9 : 0.1;
            Script s = script(OptimizeTest.ROSENBROCK + "optimize with " + opt + " for 25 steps\n");
            List<double[]> points = new ArrayList<>();
            new Driver(s, 0).run(s.initialTheta(0), (run, step, loss, gn, lr, theta) -> points.add(theta.toDoubles()));
            assertEquals(26, points.size());
            int checked = 0;
            for (int k = 0; k + 1 < points.size(); k++) {
                double[] x = points.get(k), y = points.get(k + 1), g = rosenGrad(x), gy = rosenGrad(y);
                double[] step = {y[0] - x[0], y[1] - x[1]};
                double slope = g[0] * step[0] + g[1] * step[1], slopeAfter = gy[0] * step[0] + gy[1] * step[1];
                if (step[0] == 0 && step[1] == 0) continue;
                assertTrue(slope < 0, opt + " step " + (k + 1) + " goes downhill");
                assertTrue(rosen(y) <= rosen(x) + 1e-4 * slope + 1e-15, opt + " step " + (k + 1) + ": sufficient decrease");
                assertTrue(Math.abs(slopeAfter) <= c2 * Math.abs(slope) * (1 + 1e-9) + 1e-15,
                        opt + " step " + (k + 1) + ": curvature |" + slopeAfter + "| vs " + c2 + "·|" + slope + "|");
                checked++;
            }
            assertTrue(checked >= 20, opt + ": " + checked + " steps checked");
        }
    }

    /**
     * A step that starts where the last Wolfe search ended takes that search's f and g instead of
     * evaluating the objective again: with the reuse switched off, the same run lands on the same
     * bits with exactly one evaluation more per step (each step's start, and the end's). 15 steps:
     * by step 25 lbfgs() stops moving on this function (its slope above −tolerance_change, as
     * torch's does), and a step that does not move takes no search point.
     */
    @Test
    void theAcceptedPointsGradientIsNotEvaluatedAgainAndChangesNoBits() {
        String body = "param x = [-1.5, 2, 0.5]\nminimize sum((1 - x)^2) + 100 * (x[1] - x[0]^2)^2 + 100 * (x[2] - x[1]^2)^2\n";
        for (String opt : List.of("lbfgs()", "cg()", "bfgs()")) {
            Script s = script(body + "optimize with " + opt + " for 15 steps\n");
            StatementRun on = new Driver(s, 0).start(1, s.initialTheta(0), null);
            while (on.advance()) {}
            StatementRun off = new Driver(s, 0).reusing(false).start(1, s.initialTheta(0), null);
            while (off.advance()) {}
            assertEquals(15, on.steps());
            OptimizeTest.assertBits(off.parameters().toDoubles(), on.parameters().toDoubles(), opt);
            assertEquals(15, off.evaluations() - on.evaluations(), opt + ": " + on.evaluations() + " evaluations, " + off.evaluations() + " without reuse");
        }
    }

    @Test
    void badArgumentsArePositionedErrors() {
        String head = "param x = [1, 2]\nminimize sum(x^2)\noptimizer o() {\n";
        String tail = "}\noptimize with o() for 3 steps\n";
        assertTrue(OptimizeTest.errors(head + "  p += linesearch(-g, wolfe = 1, shrink = 0.5) * g\n" + tail)
                .contains("bad.dsc:4:8: error: shrink belongs to backtracking, not to the strong-Wolfe search (wolfe = 1)"));
        assertTrue(OptimizeTest.errors(head + "  p += linesearch(-g, c2 = 0.5) * g\n" + tail)
                .contains("bad.dsc:4:8: error: c1, c2 and max_evals belong to the strong-Wolfe search"));
        assertTrue(OptimizeTest.errors(head + "  p += linesearch(-g, wolfe = 1, c1 = 0.5, c2 = 0.1) * g\n" + tail)
                .contains("bad.dsc:4:8: error: linesearch's c2 must be between c1 and 1"));
        assertTrue(OptimizeTest.errors(head + "  p += linesearch(-g, wolfe = 1, max_evals = 2.5) * g\n" + tail)
                .contains("error: linesearch's max_evals must be a whole number ≥ 1"));
        assertTrue(OptimizeTest.errors(head + "  p += linesearch(-g, c = 0.1, c1 = 0.1, wolfe = 1) * g\n" + tail)
                .contains("error: linesearch takes c or c1"));
        assertTrue(OptimizeTest.errors(head + "  p += linesearch(-g, wolfe = g) * g\n" + tail)
                .contains("error: linesearch's wolfe is a number, not a vector [2]"));
    }
}
