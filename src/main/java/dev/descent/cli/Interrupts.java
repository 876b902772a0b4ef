package dev.descent.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT (Ctrl-C) and SIGTERM while {@code run} or {@code compare} runs: the first one asks the
 * run to stop at the next step boundary ({@link dev.descent.run.Driver#stopWhen}), after which
 * the command finishes as usual (its trace and plot complete and renamed into place, its
 * results printed) and exits with 128 + the signal's number (130, 143). A second signal stops
 * the process at once: the unfinished outputs' temporary files are deleted (the files they
 * would have replaced are untouched) and it exits with that code.
 *
 * <p>Installed by {@link #install} for the part of a command that runs (after the script has
 * checked) and restored by {@link #close}; elsewhere the JVM's own handling applies (exit at
 * once, with {@link OutputFile}'s shutdown hook deleting unfinished outputs). On a JVM without
 * {@code sun.misc.Signal}, or with {@code -Xrs}, it does nothing.
 */
final class Interrupts implements AutoCloseable {
    private static final String[] SIGNALS = {"INT", "TERM"};

    /** The first signal received since {@link #install} ("INT" or "TERM"), or null. */
    private static volatile String received;

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private Interrupts() {}

    /** Catches SIGINT and SIGTERM until {@link #close}. */
    static Interrupts install() {
        received = null;
        Interrupts in = new Interrupts();
        for (String name : SIGNALS) {
            try {
                Signal s = new Signal(name);
                SignalHandler old = Signal.handle(s, Interrupts::handle);
                in.signals.add(s);
                in.previous.add(old);
            } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
                // not available here (-Xrs, another platform): the JVM's handling stays
            }
        }
        return in;
    }

    private static void handle(Signal s) {
        if (received == null) {
            received = s.getName();
            return;
        }
        // a second signal: stop now, leaving no half-written file behind
        OutputFile.deletePending();
        Runtime.getRuntime().halt(128 + s.getNumber());
    }

    /** Whether a signal asked the run to stop. */
    static boolean requested() { return received != null; }

    /** The signal received ("SIGINT", "SIGTERM"), or null. */
    static String signal() { return received == null ? null : "SIG" + received; }

    /** The exit code after the signal received: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
    static int exitCode() { return "INT".equals(received) ? 130 : 143; }

    /** For tests: acts as if the signal had arrived. */
    static void simulate(String name) { received = name; }

    @Override public void close() {
        for (int i = 0; i < signals.size(); i++) {
            try {
                Signal.handle(signals.get(i), previous.get(i));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // leave ours
            }
        }
    }
}
