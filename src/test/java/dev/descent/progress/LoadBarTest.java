package dev.descent.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.LoadProgress;
import dev.descent.cli.LoadBar;
import dev.descent.cli.Main;
import dev.descent.cli.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bar of a data file's loading: its line, its timing on a clock the test moves, and its silence off a terminal. */
class LoadBarTest {
    private static final long MS = 1_000_000L;

    @TempDir Path dir;

    @Test void theLine() {
        String line = Progress.renderLoad("data/big.csv", 180_000_000, 300_000_000, 90e6, 100);
        assertEquals("loading data/big.csv [##################------------] 60%  180/300 MB  90 MB/s  0:01 left", line);
        assertTrue(Progress.renderLoad("x.csv", 1500, 2_000_000, Double.NaN, 80).endsWith(" 0%  0.0/2.0 MB"), "no rate, no time left");
        assertTrue(Progress.renderLoad("x.csv", 5_300_000_000L, 12_000_000_000L, 1e9, 80).contains("5.3/12 GB  1.0 GB/s  0:07 left"));
        assertTrue(Progress.renderLoad("x.csv", 700, 900, 0, 80).contains("700/900 B"));
    }

    @Test void itAlwaysFitsTheTerminal() {
        String longName = "some/deeply/nested/folder/of/data/with-a-long-file-name-that-goes-on.csv";
        for (int width = 1; width <= 200; width++) {
            for (String name : new String[] {"d.csv", longName}) {
                String line = Progress.renderLoad(name, 123_456_789, 987_654_321, 45.6e6, width);
                assertTrue(line.length() < Math.max(20, width), width + ": " + line);
                assertTrue(line.startsWith("loading "), line);
                assertFalse(line.contains("\n"), line);
            }
        }
    }

    @Test void drawsAfterASecondAtMostTenTimesASecondAndClearsItsLine() {
        long[] now = {0};
        StringWriter text = new StringWriter();
        LoadBar bar = new LoadBar(new PrintWriter(text, true), 100, () -> now[0]);
        bar.start("data/big.csv", 300_000_000);
        for (int ms = 0; ms <= 900; ms += 10) {
            now[0] = ms * MS;
            bar.read(ms * 100_000L);
        }
        assertEquals("", text.toString(), "nothing in the first second");
        for (int ms = 1000; ms <= 2000; ms += 10) {
            now[0] = ms * MS;
            bar.read(ms * 100_000L); // 100 MB/s
        }
        String out = text.toString();
        long draws = out.chars().filter(c -> c == '\r').count() - (out.split(" \r", -1).length - 1);
        assertTrue(draws >= 9 && draws <= 11, draws + " draws:\n" + out);
        assertTrue(out.contains("loading data/big.csv ["), out);
        assertTrue(out.contains("200/300 MB  100 MB/s  0:01 left"), out);
        assertFalse(out.contains("\n"));
        int before = out.length();
        bar.finish();
        assertTrue(text.toString().substring(before).matches("\r +\r"), "finish blanks the line");
        assertTrue(bar.drewAnything());
    }

    @Test void aQuickLoadLeavesNoTrace() {
        long[] now = {0};
        StringWriter text = new StringWriter();
        LoadBar bar = new LoadBar(new PrintWriter(text, true), 80, () -> now[0]);
        bar.start("d.csv", 1000);
        now[0] = 500 * MS;
        bar.read(1000);
        bar.finish();
        assertEquals("", text.toString());
        assertFalse(bar.drewAnything());
    }

    @Test void noBarOffATerminal() {
        StringWriter err = new StringWriter();
        assertSame(LoadProgress.NONE, LoadBar.of(false, new PrintWriter(err)), "the test JVM's stderr is no terminal");
        assertSame(LoadProgress.NONE, LoadBar.of(true, new PrintWriter(err)), "nor with --quiet");
    }

    /** A megabyte through the commands, in-process: stderr is no terminal, so it stays empty. */
    @Test void theCommandsStaySilent() throws IOException {
        StringBuilder csv = new StringBuilder("x,y\n");
        for (int i = 0; i < 50_000; i++) csv.append(i * 0.001).append(',').append(2 * i * 0.001 + 1).append('\n');
        Files.writeString(dir.resolve("d.csv"), csv);
        Path f = dir.resolve("d.dsc");
        Files.writeString(f, "data d = csv(\"d.csv\")\nparam w = 0\nminimize mean((w * d.x - d.y)^2)\noptimize with gd(lr = 0.01) for 2 steps\n");
        for (String[] args : new String[][] {{"check", f.toString()}, {"run", f.toString()}, {"eval", f.toString()},
            {"compare", f.toString(), "--with", "adam(lr = 0.1)", "--with", "gd(lr = 0.01)"}}) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
            assertEquals(0, code, args[0] + ": " + err);
            assertEquals("", err.toString(), args[0]);
            assertFalse(out.toString().contains("\r"), out.toString());
        }
    }
}
