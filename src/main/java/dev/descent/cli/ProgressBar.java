package dev.descent.cli;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Engine;
import dev.descent.run.Driver;
import dev.descent.run.StepCounts;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The progress bar of {@code descent run} on stderr: a {@link Driver.Trace} that draws
 * {@link Progress#render} with {@code \r} once the run has taken a second, at most
 * ten times a second, and clears its line at the end ({@link #finish}). Whether to
 * use one at all (stderr a terminal, no {@code --quiet}) is {@link #wanted}'s call.
 */
public final class ProgressBar implements Driver.Trace {
    static final long DELAY_NS = 1_000_000_000L, INTERVAL_NS = 100_000_000L;

    private final PrintWriter err;
    private final List<String> calls;
    private final long[] totals, perEpoch;
    private final int width;
    private final LongSupplier clock;
    private final long start;
    private long lastDraw = Long.MIN_VALUE;
    private int run = -1;
    private long runStart, drawn;
    private int shown; // characters on the line now
    /** The latest row seen: written by the run's thread at every step, read by {@link #tick} (a stale read only shows an older step). */
    private long rowTime, rowStep;
    private double rowLoss = Double.NaN;
    private Thread ticker;

    /**
     * @param calls each optimize statement's call as written
     * @param totals each one's most updates (below 1: unknown)
     * @param perEpoch each one's steps per epoch when it counts epochs, else 0
     * @param clock nanoseconds (System::nanoTime)
     */
    public ProgressBar(PrintWriter err, List<String> calls, long[] totals, long[] perEpoch, int width, LongSupplier clock) {
        this.err = err;
        this.calls = calls;
        this.totals = totals;
        this.perEpoch = perEpoch;
        this.width = width;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** A bar for this script's optimize statements. */
    static ProgressBar of(Script s, long seed, Engine engine, PrintWriter err) {
        int n = s.steps.size();
        long[] totals = new long[n], per = new long[n];
        String[] calls = new String[n];
        for (int i = 0; i < n; i++) {
            Step st = s.steps.get(i);
            calls[i] = st.call();
            totals[i] = StepCounts.total(s, st, seed, engine);
            per[i] = StepCounts.countsEpochs(st) ? StepCounts.perEpoch(s, st, seed, engine) : 0;
        }
        return new ProgressBar(err, List.of(calls), totals, per, terminalWidth(), System::nanoTime).startTicker();
    }

    /**
     * Where a run draws its bar: {@code err} when stderr is a terminal; the terminal the launcher
     * handed over as file descriptor {@code $DESCENT_TTY_FD} when it is (bin/descent filters the
     * JVM's stderr through a pipe, so stderr itself is never a terminal there); else null: no bar
     * when stderr is piped or redirected, and never with --quiet.
     */
    static PrintWriter target(boolean quiet, PrintWriter err) {
        if (quiet || !consoleIsTerminal()) return null;
        if (isTty(2)) return err;
        String fd = System.getenv("DESCENT_TTY_FD");
        if (fd == null || !fd.matches("[0-9]{1,3}") || fd.equals("0") || fd.equals("1") || !isTty(Integer.parseInt(fd))) return null;
        try {
            return new PrintWriter(new java.io.OutputStreamWriter(new java.io.FileOutputStream("/proc/self/fd/" + fd, true),
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * Whether stderr is a terminal. {@code System.console()} is not null on JDK 22+ even when
     * the streams are redirected, and its {@code isTerminal()} looks at stdin and stdout only
     * ({@code descent run x 2>log} passes it); so stderr itself must be a tty too.
     */
    public static boolean stderrIsTerminal() { return consoleIsTerminal() && isTty(2); }

    private static boolean consoleIsTerminal() {
        Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** Whether file descriptor {@code fd} is a terminal, where the system shows it (/proc/self/fd on Linux). */
    private static boolean isTty(int fd) {
        Path link = Path.of("/proc/self/fd/" + fd);
        try {
            if (!Files.isSymbolicLink(link)) return fd == 2 && !Files.isDirectory(Path.of("/proc/self/fd")); // no /proc: trust the console
            String target = Files.readSymbolicLink(link).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (Exception e) {
            return false;
        }
    }

    /** $COLUMNS when the shell exports it, else 80. */
    static int terminalWidth() {
        try {
            String c = System.getenv("COLUMNS");
            if (c != null) return Math.max(Progress.MIN_WIDTH, Math.min(500, Integer.parseInt(c.trim())));
        } catch (NumberFormatException e) {
            // fall through
        }
        return 80;
    }

    /** The bar shows the step, the loss and the rate of steps, not the gradient's norm or the learning rate. */
    @Override public boolean wantsDetail() { return false; }

    @Override public void row(int run, long step, double loss, double gradNorm, double lr, dev.descent.engine.Buffer theta) {
        // one nanoTime a step: tens of nanoseconds beside a step's evaluation of f and g
        long now = clock.getAsLong();
        if (run != this.run) {
            this.run = run;
            runStart = now;
            drawn = step;
        }
        rowTime = now;
        rowStep = step;
        rowLoss = loss;
        if (now - start < DELAY_NS || (lastDraw != Long.MIN_VALUE && now - lastDraw < INTERVAL_NS)) return;
        synchronized (this) {
            lastDraw = now;
            double seconds = (now - runStart) / 1e9;
            double rate = seconds > 0 && step > drawn ? (step - drawn) / seconds : Double.NaN;
            int k = Math.max(0, Math.min(calls.size() - 1, run - 1));
            String line = Progress.render(run, calls.size(), calls.get(k), step, totals[k], perEpoch[k], loss, rate, width);
            shown = draw(err, line, shown);
        }
    }

    /** How long a step may run with the bar unchanged before {@link #tick} says it is still running. */
    static final long STILL_NS = 1_000_000_000L;

    /**
     * For steps that take seconds (a Newton step forming a large Hessian, a big matrix product, the
     * first step while the data load): once the run has taken {@link #DELAY_NS} and no row has
     * been drawn for {@link #STILL_NS}, draws the bar as it stands with the time the step under
     * way has taken so far, so that a long legitimate computation is seen to be alive. Called by
     * the ticker thread ({@link #startTicker}) four times a second; tests call it directly.
     */
    public synchronized void tick() {
        long now = clock.getAsLong();
        if (now - start < DELAY_NS) return;
        if (lastDraw != Long.MIN_VALUE && now - lastDraw < STILL_NS) return;
        long since = run < 0 ? now - start : now - Math.max(rowTime, runStart);
        if (run >= 0 && since < STILL_NS) return;
        int k = Math.max(0, Math.min(calls.size() - 1, run - 1));
        String still = "  (" + (run < 0 ? "" : "step " + (rowStep + 1) + ": ") + Progress.duration(since / 1e9) + ")";
        // the bar made narrower to leave room for the time of the step under way
        int room = Math.max(Progress.MIN_WIDTH, width - still.length());
        String head = run < 0 ? "starting " + calls.get(0)
                : Progress.render(run, calls.size(), calls.get(k), rowStep, totals[k], perEpoch[k], rowLoss, Double.NaN, room);
        String line = head + still;
        if (line.length() > width - 1) line = head.length() <= width - 1 ? head : head.substring(0, Math.max(0, width - 2)) + "…";
        lastDraw = now;
        shown = draw(err, line, shown);
    }

    /** Starts the daemon thread that calls {@link #tick} until {@link #finish}. */
    ProgressBar startTicker() {
        ticker = Thread.ofPlatform().daemon().name("descent-progress").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(250);
                    tick();
                }
            } catch (InterruptedException e) {
                // finished
            }
        });
        return this;
    }

    /** Clears the bar's line, if it drew one, and stops the ticker. */
    public void finish() {
        Thread t = ticker;
        ticker = null;
        if (t != null) {
            t.interrupt();
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            clear(err, shown);
            shown = 0;
        }
    }

    /**
     * Draws {@code line} over the one on the terminal now ({@code shown} characters long):
     * {@code \r} and the line, blanking what is left of a longer one. Returns its length.
     */
    static int draw(PrintWriter err, String line, int shown) {
        StringBuilder sb = new StringBuilder("\r").append(line);
        if (line.length() < shown) sb.append(" ".repeat(shown - line.length())).append('\r').append(line);
        err.print(sb);
        err.flush();
        return line.length();
    }

    /** Blanks a drawn line of {@code shown} characters and returns to its start (nothing when none). */
    static void clear(PrintWriter err, int shown) {
        if (shown == 0) return;
        err.print("\r" + " ".repeat(shown) + "\r");
        err.flush();
    }

    /** Whether it has drawn anything (for tests). */
    public boolean drewAnything() { return lastDraw != Long.MIN_VALUE; }
}
