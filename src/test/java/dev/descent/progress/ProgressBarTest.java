package dev.descent.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.ProgressBar;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bar's drawing and throttling, on a clock the test moves (no real time is measured). */
class ProgressBarTest {
    private static final long MS = 1_000_000L;

    private final long[] now = {0};
    private final StringWriter text = new StringWriter();
    private final ProgressBar bar = new ProgressBar(new PrintWriter(text, true), List.of("gd(lr = 0.1)", "adam"),
            new long[] {1000, 500}, new long[] {0, 0}, 80, () -> now[0]);

    private void row(int run, long step, long atMs) {
        now[0] = atMs * MS;
        bar.row(run, step, 1.0 / (step + 1), 0, 0.1, dev.descent.engine.Buffer.of(new double[] {1}));
    }

    @Test void nothingDuringTheFirstSecond() {
        for (int s = 0; s <= 900; s++) row(1, s, s);
        assertEquals("", text.toString());
        bar.finish();
        assertEquals("", text.toString(), "a short run leaves no trace on stderr");
        assertFalse(bar.drewAnything());
    }

    @Test void redrawsInPlaceAtMostTenTimesASecond() {
        for (int s = 0; s <= 1000; s++) row(1, s, 2 * s); // 500 steps/s over 2 s
        String out = text.toString();
        // a draw starts with \r; one over a longer line pads it with blanks and writes it again after a second \r
        long draws = out.split("\r", -1).length - 1 - (out.split(" \r", -1).length - 1);
        // drawn from 1 s on, every 100 ms: about 10 draws in the second second
        assertTrue(draws >= 9 && draws <= 11, draws + " draws:\n" + out);
        assertFalse(out.contains("\n"), "the bar never starts a new line");
        assertTrue(out.contains("run 1/2 gd(lr = 0.1)  step 500/1000"), out);
        assertTrue(out.contains("500 steps/s"), out);
        assertTrue(out.contains("0:01 left"), out);
    }

    @Test void aNewRunRestartsItsRateAndFinishClearsTheLine() {
        for (int s = 0; s <= 1000; s++) row(1, s, s * 2);
        for (int s = 0; s <= 250; s++) row(2, s, 2000 + s * 4);
        String out = text.toString();
        assertTrue(out.contains("run 2/2 adam  step 250/500"), out);
        assertTrue(out.contains("250 steps/s"), out);
        int before = out.length();
        bar.finish();
        String cleared = text.toString().substring(before);
        assertTrue(cleared.matches("\r +\r"), "finish blanks the line and returns to its start: " + cleared.replace("\r", "\\r"));
        int lastLine = out.length() - out.lastIndexOf('\r') - 1;
        assertTrue(cleared.length() - 2 >= lastLine, "the blank covers the last line drawn");
    }

    /** A step that takes seconds (a Newton step on a large θ): the ticker shows it is still running, with its time so far. */
    @Test void aLongStepIsShownStillRunning() {
        now[0] = 500 * MS;
        bar.tick();
        assertEquals("", text.toString(), "nothing in the first second");
        row(1, 0, 600);
        row(1, 1, 700); // the first step took 100 ms; the second takes seconds
        now[0] = 1500 * MS;
        bar.tick();
        assertEquals("", text.toString(), "a step under way for less than a second is not shown as still running");
        now[0] = 4700 * MS;
        bar.tick();
        String out = text.toString();
        assertTrue(out.contains("run 1/2 gd(lr = 0.1)  step 1/1000"), out);
        assertTrue(out.endsWith("(step 2: 0:04)"), out);
        int before = out.length();
        now[0] = 4900 * MS;
        bar.tick();
        assertEquals(before, text.toString().length(), "redrawn at most once a second while the step runs");
        now[0] = 5800 * MS;
        bar.tick();
        assertTrue(text.toString().endsWith("(step 2: 0:05)"), text.toString());
        row(1, 2, 6000);
        now[0] = 6300 * MS;
        int drawn = text.toString().length();
        bar.tick();
        assertEquals(drawn, text.toString().length(), "steps coming again: the ticker draws nothing");
        bar.finish();
    }

    /** Before the first step (the objective's first evaluation, the compilation) the ticker says the run is starting. */
    @Test void aSlowStartIsShown() {
        now[0] = 2300 * MS;
        bar.tick();
        assertTrue(text.toString().endsWith("starting gd(lr = 0.1)  (0:02)"), text.toString());
        bar.finish();
    }
}
