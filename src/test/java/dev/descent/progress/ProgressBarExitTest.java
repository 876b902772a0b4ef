package dev.descent.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12: the progress bar does not stay on screen when a run is stopped by Ctrl-C (SIGINT)
 * or SIGTERM. {@code descent run} runs in a JVM of its own on a pseudo-terminal (util-linux
 * {@code script}, so Linux only), long enough for the bar to be drawn; once it is, the JVM is
 * sent the signal, and what reached the terminal must end with the bar's line blanked, with
 * no bar drawn after that. (No timing is asserted: the test waits for the bar, then signals.)
 */
class ProgressBarExitTest {
    @TempDir Path dir;

    private static final String LONG = """
            param x[1000] = 1
            minimize sum(x^2)
            optimize with gd(lr = 1e-12) for 1000000000 steps
            """;

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void theBarIsClearedWhenTheRunIsStoppedBySignal(String signal) throws Exception {
        Path script = Path.of("/usr/bin/script");
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && Files.isExecutable(script), "needs util-linux script");
        Path dsc = dir.resolve("long.dsc");
        Files.writeString(dsc, LONG);
        // the JVM under a terminal: stdin, stdout and stderr are the pseudo-terminal
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + System.getProperty("java.class.path");
        Path run = dir.resolve("run.sh");
        Files.writeString(run, "#!/bin/sh\nexec " + quote(java) + " --add-modules jdk.incubator.vector -cp " + quote(cp)
                + " dev.descent.cli.Main run " + quote(dsc.toString()) + " --engine simd --threads 1 2>&1\n");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "-qefc", run.toString(), "/dev/null").redirectErrorStream(true);
        pb.environment().put("COLUMNS", "100");
        pb.environment().put("TERM", "dumb");
        Process p = pb.start();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream(), seen));
        try {
            // the bar is drawn after the run's first second
            for (int i = 0; i < 1200 && !text(seen).contains("  step "); i++) Thread.sleep(50);
            assertTrue(text(seen).contains("  step "), "no bar was drawn:\n" + text(seen));
            ProcessHandle jvm = p.descendants().filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .findFirst().orElseThrow();
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(jvm.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run did not stop");
            reader.join(10_000);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String out = text(seen);
        // the last blanking: "\r", blanks, "\r"; after it, no bar (whatever else a stopped run may print)
        Matcher m = Pattern.compile("\r( +)\r").matcher(out);
        int end = -1, blanks = 0, start = -1;
        while (m.find()) {
            start = m.start();
            end = m.end();
            blanks = m.group(1).length();
        }
        String shown = printable(out);
        assertTrue(end >= 0, "the bar's line was never blanked:\n" + shown);
        assertFalse(out.substring(end).contains("  step "), "a bar is drawn after the last blanking:\n" + shown);
        // the blanking covers the line drawn last (the text since the "\r" before it)
        int lineStart = out.lastIndexOf('\r', start - 1) + 1;
        String last = out.substring(lineStart, start);
        assertTrue(last.contains("  step "), "the blanking follows a drawn bar: " + printable(last) + "\n" + shown);
        assertTrue(blanks >= last.length(), "the blanking is as wide as the bar:\n" + shown);
    }

    private static void copy(InputStream in, ByteArrayOutputStream to) {
        byte[] b = new byte[8192];
        try {
            for (int n; (n = in.read(b)) > 0; ) {
                synchronized (to) {
                    to.write(b, 0, n);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    private static String text(ByteArrayOutputStream b) {
        synchronized (b) {
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    private static String printable(String s) { return s.replace("\r", "\\r"); }

    private static String quote(String s) { return "'" + s.replace("'", "'\\''") + "'"; }
}
