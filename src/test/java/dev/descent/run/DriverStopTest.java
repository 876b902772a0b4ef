package dev.descent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.syntax.SourceFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Driver#stopWhen}: a stop asked for between steps ends the statement under way at the
 * point it has reached ("interrupted"; its last trace row there, its loss there), the same point
 * as a run of that many steps, and skips the statements after it.
 */
class DriverStopTest {
    static final String TWO = """
            param x = [-1.5, 2]
            minimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2
            optimize with adam(lr = 0.01) for 1000 steps
            optimize with gd(lr = 0.001) for 1000 steps
            """;

    static Script script(String text) {
        return Checker.checkForTraining(new SourceFile("s.dsc", Path.of("s.dsc").toAbsolutePath(), text), Map.of());
    }

    /** Rows as the trace gets them: run, step, loss. */
    static final class Rows implements Driver.Trace {
        final List<double[]> rows = new ArrayList<>();

        @Override public void row(int run, long step, double loss, double gradNorm, double lr, Buffer theta) {
            rows.add(new double[] {run, step, loss});
        }
    }

    @Test void aStopEndsTheStatementWhereItIsAndSkipsTheRest() {
        for (Engine engine : new Engine[] {Engine.SCALAR, Engine.defaults()}) {
            Script s = script(TWO);
            Rows rows = new Rows();
            Driver.Result r = new Driver(s, 0, engine).stopWhen(() -> rows.rows.size() >= 300).run(rows);
            assertEquals(1, r.runs().size(), "the second statement is not run");
            Driver.RunResult run = r.runs().get(0);
            assertEquals("interrupted", run.stopped().label());
            assertEquals(300, run.steps(), "stopped after the step whose row was the 300th");
            assertEquals(301, rows.rows.size(), "a last row at the point reached, as at the end of a statement");
            double[] last = rows.rows.get(300);
            assertEquals(300, (long) last[1]);
            assertEquals(run.loss(), last[2], 0, "the loss reported is the last row's");

            // the same point as a run of 300 steps
            Script three = script(TWO.replace("for 1000 steps\noptimize with gd(lr = 0.001) for 1000 steps", "for 300 steps"));
            Driver.Result full = new Driver(three, 0, engine).run((Driver.Trace) null);
            OptimizeTest.assertBits(full.theta(), r.theta(), "theta");
            assertEquals(full.loss(), r.loss(), 0);
        }
    }

    @Test void aStopBeforeTheFirstStepReportsTheStart() {
        Script s = script(TWO);
        Rows rows = new Rows();
        Driver.Result r = new Driver(s, 0, Engine.SCALAR).stopWhen(() -> true).run(rows);
        assertEquals(1, r.runs().size());
        assertEquals(0, r.runs().get(0).steps());
        assertEquals("interrupted", r.runs().get(0).stopped().label());
        assertEquals(1, rows.rows.size(), "the start's row");
        assertEquals(12.5, r.loss(), 0);
    }

    @Test void aStopBetweenStatementsSkipsTheRest() {
        Script s = script(TWO);
        Rows rows = new Rows();
        Driver.Result r = new Driver(s, 0, Engine.SCALAR).stopWhen(() -> rows.rows.size() >= 1001).run(rows);
        assertEquals(1, r.runs().size(), "stopped after the first statement ended");
        assertEquals("steps", r.runs().get(0).stopped().label());
        assertEquals(1000, r.runs().get(0).steps());
    }
}
