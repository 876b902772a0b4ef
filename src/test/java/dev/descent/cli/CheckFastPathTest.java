package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent check FILE…} (file names only) runs without picocli's model, for start-up
 * (issue 11): it must print and exit exactly as the same command line parsed by picocli.
 */
class CheckFastPathTest {
    @TempDir Path dir;

    private static Cli.Result run(boolean picocli, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true), e = new PrintWriter(err, true);
        int code = picocli ? Main.throughPicocli(args, o, e) : Main.execute(args, o, e);
        return new Cli.Result(code, out.toString(), err.toString());
    }

    @Test
    void onlyCheckWithFileNamesTakesIt() {
        assertTrue(CheckCommand.plain(new String[] {"check", "a.dsc"}));
        assertTrue(CheckCommand.plain(new String[] {"check", "a.dsc", "b.dsc"}));
        for (String[] a : List.of(new String[] {"check"}, new String[] {"check", "--help"}, new String[] {"check", "a.dsc", "--gradcheck"},
                new String[] {"check", "@args.txt"}, new String[] {"check", "--", "a.dsc"}, new String[] {"check", ""},
                new String[] {"grad", "a.dsc"}, new String[] {"check", "-V"}, new String[] {"run", "a.dsc"}))
            assertFalse(CheckCommand.plain(a), String.join(" ", a));
    }

    @Test
    void itPrintsAndExitsAsPicocliDoes() throws Exception {
        Path nonUtf8 = dir.resolve("latin1.dsc");
        Files.write(nonUtf8, new byte[] {'p', 'a', 'r', 'a', 'm', ' ', (byte) 0xe9, ' ', '=', ' ', '1', '\n'});
        List<String[]> lines = new ArrayList<>(List.of(
                new String[] {"check", "examples/quickstart.dsc"},
                new String[] {"check", "examples/quickstart.dsc", "examples/mlp_digits.dsc", "examples/linear_regression.dsc"},
                new String[] {"check", "no/such/file.dsc"},
                new String[] {"check", "examples/quickstart.dsc", "no/such/file.dsc"},
                new String[] {"check", dir.toString()},
                new String[] {"check", nonUtf8.toString()}));
        try (Stream<Path> bad = Files.list(Path.of("src/test/resources/bad"))) {
            bad.filter(p -> p.toString().endsWith(".dsc")).sorted().limit(40).forEach(p -> lines.add(new String[] {"check", p.toString()}));
        }
        int failing = 0;
        for (String[] a : lines) {
            assertTrue(CheckCommand.plain(a));
            Cli.Result fast = run(false, a), slow = run(true, a);
            assertEquals(slow.toString(), fast.toString(), String.join(" ", a));
            if (fast.code() != 0) failing++;
        }
        assertTrue(failing >= 20, failing + " of " + lines.size() + " failed: the comparison covers errors");
    }
}
