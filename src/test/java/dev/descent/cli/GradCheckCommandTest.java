package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** descent check --gradcheck: the symbolic gradient against central differences at the start. */
class GradCheckCommandTest {
    @TempDir Path dir;

    static double worst(String out) {
        Matcher m = Pattern.compile("worst relative error (\\S+) at").matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    /** Smooth objectives, with data or without: the two agree (Richardson's differences are exact on Rosenbrock, a quartic). */
    @Test
    void smoothObjectivesAgree() {
        Cli.Result r = Cli.ok("check", "--gradcheck", Cli.write(dir, "r.dsc", "param x = [-1.5, 2]\nminimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2\n"));
        assertTrue(r.out().contains("gradcheck at the start: worst relative error"), r.out());
        assertTrue(r.out().contains("(symbolic -155.0, central difference -154.99999999999"), r.out());
        assertTrue(worst(r.out()) < 1e-12, r.out());
        assertTrue(r.out().contains("over all 2 elements"), r.out());
        assertFalse(r.out().contains("note:"), r.out());
        Cli.Result data = Cli.ok("check", "--gradcheck", Path.of("examples/logistic_breast_cancer.dsc").toString());
        assertTrue(worst(data.out()) < 1e-8, data.out());
        assertTrue(data.out().contains("over all 31 elements"), data.out());
    }

    /** A kink at the start (relu at 0): the subgradient 0 against the difference 1/2, said as a note; the element is named. */
    @Test
    void aKinkIsReportedWithTheElement() {
        Cli.Result r = Cli.ok("check", "--gradcheck", Cli.write(dir, "k.dsc", "param W[2, 2] = 1\nparam v = [3, 0]\nminimize sum(W^2) + sum(relu(v))\n"));
        assertEquals(1.0, worst(r.out()), 1e-9, r.out());
        assertTrue(r.out().contains("at v[1] (symbolic 0.0, central difference 0.4999999999"), r.out());
        assertTrue(r.out().contains("note: they disagree at v[1]"), r.out());
    }

    /** A matrix parameter: its elements are named by row and column. */
    @Test
    void matrixElementsAreNamedByRowAndColumn() {
        Cli.Result r = Cli.ok("check", "--gradcheck", Cli.write(dir, "m.dsc", "param W[2, 3] = [[1, 2, 3], [4, 5, 6]]\nminimize sum(exp(W / 6)) * W[1, 2]\n"));
        assertTrue(worst(r.out()) < 1e-9, r.out());
        assertTrue(Pattern.compile("at W\\[[01], [012]\\]").matcher(r.out()).find(), r.out());
    }

    @Test
    void withoutAnObjectiveThereIsNothingToCheck() {
        Cli.Result r = Cli.ok("check", "--gradcheck", Cli.write(dir, "n.dsc", "param x = 1\nlet y = x\n"));
        assertTrue(r.out().contains("gradcheck: nothing to check (no objective)"), r.out());
    }
}
