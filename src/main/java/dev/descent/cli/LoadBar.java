package dev.descent.cli;

import dev.descent.check.LoadProgress;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * The progress bar of a data file's loading ({@code data d = csv("big.csv")}), drawn on the
 * terminal as {@link ProgressBar} draws a run's, by the same rules: only when stderr is a
 * terminal and not {@code --quiet} ({@link #of}), only once the file has taken a second,
 * at most ten times a second, and cleared when the file is loaded (or found malformed,
 * before the error is printed). The line is {@link Progress#renderLoad}'s.
 */
public final class LoadBar implements LoadProgress {
    private final PrintWriter err;
    private final int width;
    private final LongSupplier clock;
    private String file = "";
    private long size, start, lastDraw = Long.MIN_VALUE;
    private boolean drew;
    private int shown;

    /** @param clock nanoseconds (System::nanoTime) */
    public LoadBar(PrintWriter err, int width, LongSupplier clock) {
        this.err = err;
        this.width = width;
        this.clock = clock;
    }

    /** A bar on the terminal when there is one to draw on (see {@link ProgressBar#target}), else nothing. */
    public static LoadProgress of(boolean quiet, PrintWriter err) {
        PrintWriter tty = ProgressBar.target(quiet, err);
        return tty == null ? LoadProgress.NONE : new LoadBar(tty, ProgressBar.terminalWidth(), System::nanoTime);
    }

    @Override public void start(String file, long size) {
        this.file = dev.descent.syntax.SafeText.escape(file); // a name from a script: no terminal escapes
        this.size = size;
        this.start = clock.getAsLong();
        this.lastDraw = Long.MIN_VALUE;
    }

    @Override public void read(long bytes) {
        long now = clock.getAsLong();
        if (now - start < ProgressBar.DELAY_NS || (lastDraw != Long.MIN_VALUE && now - lastDraw < ProgressBar.INTERVAL_NS)) return;
        lastDraw = now;
        drew = true;
        double seconds = (now - start) / 1e9;
        shown = ProgressBar.draw(err, Progress.renderLoad(file, bytes, size, seconds > 0 ? bytes / seconds : Double.NaN, width), shown);
    }

    @Override public void finish() {
        ProgressBar.clear(err, shown);
        shown = 0;
    }

    /** Whether it has drawn anything (for tests). */
    public boolean drewAnything() { return drew; }
}
