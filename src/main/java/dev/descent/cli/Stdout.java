package dev.descent.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * Standard output that reports its faults. {@code System.out} (a {@code PrintStream}) and a
 * {@code PrintWriter} swallow write errors, so a report written to a full disk or
 * {@code /dev/full} would be lost with exit code 0. The commands' stdout is a PrintWriter over
 * this stream instead, whose first failed write throws {@link Failure} (unchecked, so it passes
 * through the PrintWriter and ends the command): {@link Main} turns it into one line on stderr
 * and exit code 1, or, for a closed pipe ({@code descent … | head -1}), a quiet exit with code
 * 141, as a Unix tool killed by SIGPIPE. Once it has failed, later writes are dropped.
 */
final class Stdout extends OutputStream {
    /** A write to stdout failed; {@link #brokenPipe} tells whether the reader has gone (a closed pipe). */
    static final class Failure extends RuntimeException {
        Failure(IOException cause) { super(cause.getMessage(), cause, false, false); }

        /** Whether the reader closed the pipe (EPIPE): not an error to report, only a reason to stop. */
        boolean brokenPipe() {
            String m = getMessage();
            return m != null && (m.contains("Broken pipe") || m.contains("EPIPE") || m.contains("pipe is being closed"));
        }

        /** The reason, in a user's words: "no space left on device". */
        String reason() { return OutputFile.reason((IOException) getCause()); }
    }

    private final OutputStream out;
    private boolean failed;

    Stdout(OutputStream out) { this.out = out; }

    /** The process's stdout (file descriptor 1), in the charset System.out uses, flushed at each line. */
    static PrintWriter writer() {
        Charset cs = System.out.charset();
        return new PrintWriter(new OutputStreamWriter(new Stdout(new FileOutputStream(FileDescriptor.out)), cs), true);
    }

    /** A PrintWriter over {@code out} that reports its faults as stdout does (for tests). */
    static PrintWriter writer(OutputStream out) {
        return new PrintWriter(new OutputStreamWriter(new Stdout(out), java.nio.charset.StandardCharsets.UTF_8), true);
    }

    @Override public void write(int b) {
        if (failed) return;
        try {
            out.write(b);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    @Override public void write(byte[] b, int off, int len) {
        if (failed) return;
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    @Override public void flush() {
        if (failed) return;
        try {
            out.flush();
        } catch (IOException e) {
            throw fail(e);
        }
    }

    private Failure fail(IOException e) {
        failed = true;
        return new Failure(e);
    }
}
