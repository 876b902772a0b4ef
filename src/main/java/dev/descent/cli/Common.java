package dev.descent.cli;

import dev.descent.check.Checker;
import dev.descent.check.Limits;
import dev.descent.check.Script;
import dev.descent.check.UnknownSetting;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.SourceFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the commands share: reading and checking a script, --set, number parsing, diagnostics. */
final class Common {
    private Common() {}

    /** Reads and checks a script, or prints its diagnostics and returns null. */
    static Script load(String file, List<String> sets, PrintWriter err) { return load(file, sets, err, false); }

    /** As {@link #load}; for training, dropout draws masks (run, compare). */
    static Script load(String file, List<String> sets, PrintWriter err, boolean training) { return load(file, sets, err, training, false); }

    /**
     * As {@link #load}; a data file that takes more than a second to load shows a progress
     * bar on the terminal ({@link LoadBar}), unless {@code quiet}.
     */
    static Script load(String file, List<String> sets, PrintWriter err, boolean training, boolean quiet) {
        return load(file, sets, err, training, quiet, Limits.DEFAULT);
    }

    /** As {@link #load}, with these limits on what the script may ask for (--max-array and the like: {@link LimitOptions}). */
    static Script load(String file, List<String> sets, PrintWriter err, boolean training, boolean quiet, Limits limits) {
        Map<String, Double> settings = settings(sets);
        try {
            SourceFile src = SourceFile.read(Path.of(file), file);
            Checker.Options options = (training ? Checker.Options.TRAINING : Checker.Options.EVAL).withProgress(LoadBar.of(quiet, err)).withLimits(limits);
            return Checker.check(src, settings, options);
        } catch (CompileError e) {
            print(e.diagnostics(), err);
            return null;
        } catch (UnknownSetting e) {
            throw new Main.UsageError(e.getMessage());
        }
    }

    /**
     * The largest θ whose Hessian {@code eval --hessian} computes: n reverse passes and n²
     * numbers (4096² is 16.8 million, 134 MB), where a larger θ would run for hours or out of memory.
     */
    static final int EVAL_HESSIAN_LIMIT = 4096;
    /** The largest θ whose Hessian {@code grad --hessian} prints: n² expressions (1024² is a million). */
    static final int GRAD_HESSIAN_LIMIT = 1024;

    /** A usage error when θ is too large for {@code command --hessian}. */
    static void checkHessian(Script s, int limit, String command) {
        long n = s.dimension();
        if (n > limit)
            throw new Main.UsageError("--hessian: θ has " + n + " elements, so its Hessian would be " + n + " × " + n + " (" + n * n
                    + " entries); " + command + " --hessian takes θ of at most " + limit + " elements; without --hessian, "
                    + command + " gives the " + (command.equals("grad") ? "gradient" : "value and the gradient"));
    }

    static void print(List<Diagnostic> diagnostics, PrintWriter err) {
        for (Diagnostic d : diagnostics) err.print(d.render());
        if (diagnostics.size() > 1) err.println(diagnostics.size() + " errors");
        err.flush();
    }

    /** --set NAME=VALUE pairs. */
    static Map<String, Double> settings(List<String> sets) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (sets == null) return out;
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new Main.UsageError("--set " + s + ": expected NAME=VALUE");
            String name = s.substring(0, eq).trim();
            out.put(name, number(s.substring(eq + 1).trim(), "--set " + name));
        }
        return out;
    }

    /** A number as the language writes it (also inf, -inf, nan), or a usage error. */
    static double number(String text, String what) {
        String t = text.trim();
        switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity" -> { return Double.POSITIVE_INFINITY; }
            case "-inf", "-infinity" -> { return Double.NEGATIVE_INFINITY; }
            case "nan" -> { return Double.NaN; }
            default -> {}
        }
        if (!t.matches("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?"))
            throw new Main.UsageError(what + ": '" + text + "' is not a number");
        double v = Double.parseDouble(t);
        if (Double.isInfinite(v)) throw new Main.UsageError(what + ": " + text + " is too large for a double (write inf for infinity)");
        return v;
    }
}
