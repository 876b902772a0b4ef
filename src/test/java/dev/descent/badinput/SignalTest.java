package dev.descent.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (as {@code kill} and {@code Process.destroy} send it; SIGINT, Ctrl-C, is handled the
 * same) during {@code descent run}, in a process of its own: the run stops at a step boundary,
 * the trace and plot are complete and in place, the results so far are printed with
 * {@code (stopped: interrupted)}, one line on stderr says so, and the exit code is 143.
 */
class SignalTest {
    @TempDir Path dir;

    static final String LONG = "param x = [-1.5, 2]\nminimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2\noptimize with adam(lr = 0.001) for 100000000 steps\n";

    @Test @Timeout(180) void sigtermLeavesACompleteTraceAndPlot() throws Exception {
        Path s = BadInput.write(dir, "long.dsc", LONG);
        Path trace = BadInput.write(dir, "t.csv", "an old trace\n"), plot = dir.resolve("p.svg");
        File out = dir.resolve("out.txt").toFile(), err = dir.resolve("err.txt").toFile();
        Process p = OutputFaultsTest.descent(dir, "run", s.getFileName().toString(), "--trace", "t.csv", "--plot", "p.svg")
                .redirectOutput(out).redirectError(err).start();
        // wait until the run is well under way: its trace (a temporary file until the end) holds many rows
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (temporaryTraceSize() < 200_000) {
            if (!p.isAlive()) fail("the run ended early: " + Files.readString(err.toPath()));
            if (System.nanoTime() > deadline) fail("the trace did not grow");
            Thread.sleep(50);
        }
        assertEquals("an old trace\n", Files.readString(trace), "the old file is untouched while the run goes");
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped after SIGTERM");
        String stderr = OutputFaultsTest.incubatorFree(Files.readString(err.toPath()));
        String stdout = Files.readString(out.toPath());
        assertEquals(143, p.exitValue(), stderr);

        // stdout: the results so far
        List<String> report = stdout.lines().toList();
        assertEquals(3, report.size(), stdout);
        assertTrue(report.get(0).matches("adam\\(lr = 0\\.001\\): \\d+ steps, loss \\S+ \\(stopped: interrupted\\)"), stdout);
        long steps = Long.parseLong(report.get(0).replaceAll(".*\\): (\\d+) steps.*", "$1"));
        // stderr: one line
        assertEquals("long.dsc: adam(lr = 0.001) interrupted by SIGTERM after " + steps + " steps\n", stderr);

        // the trace: whole lines, each with the header's number of fields, from step 0 to the last step, at the point reported
        byte[] bytes = Files.readAllBytes(trace);
        assertEquals('\n', bytes[bytes.length - 1], "the last line is whole");
        List<String> rows = new String(bytes, StandardCharsets.UTF_8).lines().toList();
        assertEquals("run,step,loss,grad_norm,lr,x[0],x[1]", rows.get(0));
        assertEquals(steps + 2, rows.size(), "the header, the start and a row per step");
        for (int i = 1; i < rows.size(); i++) {
            String[] cells = rows.get(i).split(",", -1);
            if (cells.length != 7 || !cells[1].equals(Long.toString(i - 1))) fail("row " + i + " is not whole: " + rows.get(i));
        }
        String[] last = rows.get(rows.size() - 1).split(",");
        double reported = Double.parseDouble(report.get(0).replaceAll(".*, loss (\\S+) \\(stopped.*", "$1"));
        assertEquals(reported, Double.parseDouble(last[2]), "the last row is at the point reported");
        String[] x = report.get(2).replaceAll(".*\\[(.*)\\].*", "$1").split(", ");
        assertEquals(Double.parseDouble(x[0]), Double.parseDouble(last[5]));
        assertEquals(Double.parseDouble(x[1]), Double.parseDouble(last[6]));

        // the plot: whole, with a bounded number of points however many steps ran
        String svg = Files.readString(plot);
        assertTrue(svg.strip().endsWith("</svg>"), "the plot is whole");
        int points = Integer.parseInt(svg.replaceAll("(?s).*class=[\"']trajectory[\"'][^>]*data-points=[\"'](\\d+)[\"'].*", "$1"));
        assertTrue(points > 0 && points <= 2003, "points drawn: " + points);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".descent-tmp")).toList(), "no temporary file left");
        }
    }

    /**
     * SIGTERM during {@code compare}: the call under way stops where it is, the calls after it are
     * not run, the table has its row ({@code interrupted}), the plot is complete, and the exit
     * code is 143.
     */
    @Test @Timeout(180) void sigtermDuringCompare() throws Exception {
        Path s = BadInput.write(dir, "long.dsc", LONG);
        Path plot = BadInput.write(dir, "p.svg", "an old plot\n");
        File out = dir.resolve("out.txt").toFile(), err = dir.resolve("err.txt").toFile();
        Process p = OutputFaultsTest.descent(dir, "compare", "long.dsc", "--with", "adam(lr = 0.001)", "--with", "gd(lr = 0.0001)",
                        "--plot", "p.svg").redirectOutput(out).redirectError(err).start();
        // the plot's temporary file is made once the calls have checked, just before the runs start
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!temporaryExists(".p.svg.")) {
            if (!p.isAlive()) fail("compare ended early: " + Files.readString(err.toPath()));
            if (System.nanoTime() > deadline) fail("the run did not start");
            Thread.sleep(50);
        }
        Thread.sleep(1500); // well into the first call
        assertEquals("an old plot\n", Files.readString(plot), "the old file is untouched while the runs go");
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped after SIGTERM");
        String stderr = OutputFaultsTest.incubatorFree(Files.readString(err.toPath()));
        List<String> table = Files.readString(out.toPath()).lines().toList();
        assertEquals(143, p.exitValue(), stderr);
        assertEquals("descent: interrupted by SIGTERM; the calls after the last row were not run\n", stderr);
        assertEquals(2, table.size(), "the header and the first call's row: " + table);
        assertTrue(table.get(1).matches("adam\\(lr = 0\\.001\\)\\s+\\d+\\s+\\S+\\s+\\S+\\s+interrupted"), table.get(1));
        String svg = Files.readString(plot);
        assertTrue(svg.strip().endsWith("</svg>"), "the plot is whole");
        assertTrue(svg.matches("(?s).*data-run=[\"']1[\"'].*") && !svg.matches("(?s).*data-run=[\"']2[\"'].*"), "one run drawn");
        assertFalse(temporaryExists(".descent-tmp"), "no temporary file left");
    }

    private boolean temporaryExists(String part) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().contains(part) && f.getFileName().toString().endsWith(".descent-tmp"));
        }
    }

    private long temporaryTraceSize() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(".t.csv.")).mapToLong(f -> f.toFile().length()).max().orElse(0);
        }
    }
}
