package dev.descent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run of bin/descent's start-up cache (a JDK 25 AOT cache, JEP 483/514/515):
 * runs representative commands in one JVM, output discarded, so that the JVM started with
 * {@code -XX:AOTCacheOutput} records the classes they load and link and the profiles of the
 * methods they run. A later {@code descent} command then starts with those classes already
 * loaded and linked, and its JIT starts from those profiles. Not a command of its own: the
 * launcher runs it as {@code java … -cp descent.jar dev.descent.cli.AotTraining KIND EXAMPLES SCRATCH}.
 *
 * <p>Three kinds, as the launcher starts three kinds of JVM: {@code check} for {@code check},
 * which needs no Vector API module and, given file names only, not picocli
 * ({@link CheckCommand#plain}): the quickstart and digits examples and scripts with errors
 * (a JVM loads every class of its cache as it starts, so this cache holds only what check
 * uses); {@code light} for the other commands that never run an engine (grad, show, help),
 * which start without the module too: those commands on the quickstart and digits examples,
 * scripts with errors (diagnostics), an unknown command. {@code full}, for the others (with
 * the module): the same, and eval,
 * a run of the quickstart (text and JSON) and of the linear regression (the Vector API
 * engines, a CSV, batches, matrix products). Training on the digits network instead (its
 * 20 epochs, a second more of training) made no measurable difference to its own runs:
 * what a run gains from the cache is mostly start-up, not JIT profiles. A command that
 * fails (an example missing) is skipped; nothing here can fail the launcher.
 */
public final class AotTraining {
    private AotTraining() {}

    /** The commands that run no engine, so need no Vector API: what the launcher starts without it. */
    static final List<String> LIGHT = List.of("check", "grad", "show", "help", "-h", "--help", "-V", "--version");

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "full";
        boolean full = !kind.equals("light") && !kind.equals("check");
        Path examples = Path.of(args.length > 1 ? args[1] : "examples");
        Path scratch = Files.createDirectories(Path.of(args.length > 2 ? args[2] : "target/launcher/training"));
        Path bad = scratch.resolve("bad.dsc");
        Files.writeString(bad, "param x = [1, 2\nminimize sum(x^2) + y\noptimize with adamm(lr = 0.1) for 10 steps\n", StandardCharsets.UTF_8);
        Path unknown = scratch.resolve("unknown.dsc");
        Files.writeString(unknown, "param x = [1, 2]\nminimize sum(x^2) + y\noptimize with adamm(lr = 0.1) for 10 steps\n", StandardCharsets.UTF_8);
        String quick = examples.resolve("quickstart.dsc").toString(), mlp = examples.resolve("mlp_digits.dsc").toString(),
                linear = examples.resolve("linear_regression.dsc").toString();
        List<String[]> checks = List.of(
                new String[] {"check", quick},
                new String[] {"check", bad.toString()},
                new String[] {"check", unknown.toString()},
                new String[] {"check", mlp});
        List<String[]> commands = new ArrayList<>(kind.equals("check") ? checks : List.of(
                new String[] {"check", quick},
                new String[] {"check", bad.toString()},
                new String[] {"check", unknown.toString()},
                new String[] {"grad", quick, "--hessian"},
                new String[] {"show"},
                new String[] {"show", "adam"},
                new String[] {"--help"},
                new String[] {"help", "run"},
                new String[] {"nosuchcommand"},
                new String[] {"check", mlp},
                new String[] {"grad", mlp}));
        if (full) {
            commands.addAll(List.of(
                    new String[] {"eval", quick, "--hessian"},
                    new String[] {"eval", quick, "--json"},
                    new String[] {"run", quick},
                    new String[] {"run", quick, "--json"},
                    new String[] {"run", linear}));
        }
        Thread t = new Thread(null, () -> {
            PrintWriter none = new PrintWriter(Writer.nullWriter());
            for (String[] c : commands) {
                try {
                    Main.execute(c, none, none);
                } catch (Throwable e) {
                    // a training command that fails is only a command less in the cache
                }
            }
        }, "descent", 1L << 30);
        t.start();
        t.join();
        try {
            Files.deleteIfExists(bad);
            Files.deleteIfExists(unknown);
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            // left for the next training run to overwrite
        }
        System.exit(0);
    }
}
