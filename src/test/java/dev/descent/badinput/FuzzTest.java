package dev.descent.badinput;

import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random scripts, from fixed seeds: token soup from the language's vocabulary,
 * mutations (delete, insert, swap, duplicate a token or a character; truncate;
 * splice two scripts) of the valid scripts in examples/, the standard library and
 * the snippets of the language contract, and randomly generated well-shaped
 * scripts. {@link Checker#check} must either return a Script or throw a
 * {@link CompileError} whose every diagnostic is well placed (line ≥ 1, or 0 for
 * a file-level one; column from 1 to the line's length + 1); nothing else may
 * escape. Scripts that pass the checker are run with {@code descent eval} (and
 * {@code grad}), which must exit 0, 1 or 2 without a stack trace.
 *
 * <p>3,000 cases by default; {@code -Ddescent.long=true} runs 100,000. Failures are
 * grouped by kind; for each kind the first is printed with its seed, its case
 * number, the input as a Java string literal, and a shrunk input that fails the
 * same way.
 */
class FuzzTest {
    static final boolean LONG = Boolean.getBoolean("descent.long");
    /** Fixed seeds; {@code -Ddescent.fuzz.seeds=7,8,9} and {@code -Ddescent.fuzz.cases=N} explore further. */
    static final long[] SEEDS = System.getProperty("descent.fuzz.seeds") != null
            ? java.util.Arrays.stream(System.getProperty("descent.fuzz.seeds").split(",")).mapToLong(x -> Long.decode(x.strip())).toArray()
            : new long[] {0x5EED_0001L, 0x5EED_0002L, 0x5EED_0003L};
    static final int CASES = Integer.getInteger("descent.fuzz.cases", LONG ? 100_000 : 3_000);
    static final int MAX_FAILURES = 20;
    static final long CASE_TIMEOUT_S = 30;

    @TempDir static Path dir;

    static ExecutorService worker;
    static List<String> seeds;

    @BeforeAll static void setUp() {
        // deep nesting recurses deeply: give the checker a stack like the command line's
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz", 256L << 20);
            t.setDaemon(true);
            return t;
        });
        seeds = seedScripts();
    }

    @AfterAll static void tearDown() { worker.shutdownNow(); }

    // ================================================================ the test

    @Test @Timeout(value = 60, unit = TimeUnit.MINUTES) void randomScriptsOnlyEverFailWithDiagnostics() throws Exception {
        // failures grouped by kind (the problem's first line and first frame, digits blurred): one example each
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        int valid = 0, evaluated = 0;
        Map<String, int[]> kinds = new LinkedHashMap<>();
        int perSeed = (CASES + SEEDS.length - 1) / SEEDS.length;
        for (long seed : SEEDS) {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < perSeed; i++) {
                String kind;
                String text;
                int pick = rnd.nextInt(100);
                if (pick < 25) { kind = "soup"; text = soup(rnd); }
                else if (pick < 70) { kind = "mutant"; text = mutant(rnd); }
                else { kind = "generated"; text = generated(rnd); }
                int[] tally = kinds.computeIfAbsent(kind, k -> new int[2]);
                tally[0]++;
                Outcome o = checkCase(text);
                String problem = o.problem();
                if (problem == null && o.script() != null) {
                    valid++;
                    tally[1]++;
                    if (o.script().dimension() > 1_000_000) continue; // a mutant with a huge parameter: not a bad-input question
                    problem = evalCase(text, o.script(), rnd, valid, kind.equals("generated"));
                    evaluated++;
                }
                if (problem != null) {
                    String key = key(problem);
                    counts.merge(key, 1, Integer::sum);
                    if (!failures.containsKey(key) && failures.size() < MAX_FAILURES) failures.put(key, report(seed, i, kind, text, problem));
                }
            }
        }
        StringBuilder summary = new StringBuilder("fuzz: " + kinds.values().stream().mapToInt(v -> v[0]).sum() + " cases");
        kinds.forEach((k, v) -> summary.append(", ").append(k).append(' ').append(v[0]).append(" (").append(v[1]).append(" valid)"));
        summary.append("; ").append(evaluated).append(" evaluated");
        System.out.println(summary);
        if (!failures.isEmpty()) {
            StringBuilder sb = new StringBuilder(counts.values().stream().mapToInt(Integer::intValue).sum() + " failing input(s) of "
                    + counts.size() + " kind(s)\n" + summary);
            for (var e : failures.entrySet()) sb.append("\n\n[").append(counts.get(e.getKey())).append("×] ").append(e.getValue());
            fail(sb.toString());
        }
    }

    /** What makes two failures the same: the problem's first line and first stack frame, digits and quoted text blurred. */
    static String key(String problem) {
        List<String> lines = problem.lines().toList();
        String first = lines.getFirst().replaceAll("'[^']*'", "'…'").replaceAll(": .*", "").replaceAll("[0-9]+", "#");
        String frame = lines.stream().filter(l -> l.strip().startsWith("at ")).findFirst().orElse("").strip().replaceAll("[0-9]+", "#");
        return first + " " + frame;
    }

    private String report(long seed, int i, String kind, String text, String problem) throws Exception {
        String shrunk = shrink(text, problem);
        return "seed " + Long.toHexString(seed) + " case " + i + " (" + kind + "): " + problem + "\n  input:  " + BadInput.literal(clip(text))
                + (shrunk.equals(text) ? "" : "\n  shrunk: " + BadInput.literal(shrunk));
    }

    private static String clip(String s) { return s.length() > 3000 ? s.substring(0, 3000) + "…" : s; }

    // ================================================================ one case

    /** What the checker did: a Script, or a CompileError (both fine), or a problem (a description). */
    record Outcome(Script script, String problem) {}

    private Outcome checkCase(String text) throws InterruptedException, ExecutionException {
        Future<Outcome> f = worker.submit(() -> checkNow(text));
        try {
            return f.get(CASE_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            // the worker may be stuck for good: use a fresh one for the rest
            worker.shutdownNow();
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(null, r, "fuzz", 256L << 20);
                t.setDaemon(true);
                return t;
            });
            return new Outcome(null, "Checker.check did not finish in " + CASE_TIMEOUT_S + " s");
        }
    }

    static Outcome checkNow(String text) {
        SourceFile src = SourceFile.ofString("fuzz.dsc", text);
        try {
            return new Outcome(Checker.check(src), null);
        } catch (CompileError e) {
            if (e.diagnostics().isEmpty()) return new Outcome(null, "CompileError without diagnostics");
            for (Diagnostic d : e.diagnostics()) {
                String p = wellPlaced(d, text);
                if (p != null) return new Outcome(null, p);
            }
            return new Outcome(null, null);
        } catch (Throwable t) {
            return new Outcome(null, describe(t));
        }
    }

    /** A diagnostic's position lies inside its file, its message is there, and it renders. */
    static String wellPlaced(Diagnostic d, String text) {
        String at = d.file() + ":" + d.line() + ":" + d.column() + " '" + d.message() + "'";
        if (d.message() == null || d.message().isBlank()) return "diagnostic without a message at " + at;
        if (d.message().contains("null")) return "diagnostic message mentions null: " + at;
        if (d.line() == 0) return d.column() == 0 ? renders(d) : "file-level diagnostic with a column: " + at;
        if (d.line() < 1) return "line < 1: " + at;
        String line;
        if (d.file().equals("fuzz.dsc")) {
            int lines = BadInput.lineCount(text);
            if (d.line() > lines) return "line " + d.line() + " past the end of a " + lines + "-line file: " + at;
            line = BadInput.line(text, d.line());
        } else {
            if (d.source() == null) return "positioned diagnostic without a source: " + at;
            line = d.source().line(d.line());
        }
        int len = line.codePointCount(0, line.length());
        if (d.column() < 1 || d.column() > len + 1)
            return "column " + d.column() + " outside a line of " + len + " characters: " + at + "\n  line: " + BadInput.literal(clip(line));
        if (d.length() < 1) return "span length " + d.length() + " < 1: " + at;
        return renders(d);
    }

    private static String renders(Diagnostic d) {
        try {
            String r = d.render();
            String head = d.line() > 0 ? d.file() + ":" + d.line() + ":" + d.column() + ": error: " : d.file() + ": error: ";
            if (!r.startsWith(head)) return "render() does not start with '" + head + "': " + BadInput.literal(clip(r));
            return null;
        } catch (Throwable t) {
            return "render() threw " + describe(t);
        }
    }

    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.getClass().getName() + ": " + t.getMessage());
        StackTraceElement[] st = t.getStackTrace();
        for (int k = 0; k < Math.min(8, st.length); k++) sb.append("\n      at ").append(st[k]);
        return sb.toString();
    }

    /**
     * descent eval (sometimes with --hessian, --json, --at or --set) and now and then grad
     * on a script the checker accepted; and run, for a generated script (a few steps).
     * Exit codes: 0, 1, 2 (a usage error, e.g. an --at value of the wrong length), and 3
     * for run (diverged).
     */
    private String evalCase(String text, Script s, SplittableRandom rnd, int n, boolean generated) throws Exception {
        Path f = dir.resolve("case" + (n % 4) + ".dsc");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        List<String[]> commands = new ArrayList<>();
        List<String> eval = new ArrayList<>(List.of("eval", f.toString()));
        if (s.dimension() <= 40 && rnd.nextBoolean()) eval.add("--hessian");
        if (rnd.nextBoolean()) eval.add("--json");
        if (!s.params.isEmpty() && rnd.nextInt(4) == 0) {
            Script.Param p = s.params.get(rnd.nextInt(s.params.size()));
            eval.add("--at");
            eval.add(p.name() + "=" + pick(rnd, new String[] {"0", "1e308", "-inf", "nan", "1,2", "0.5,0.5,0.5", "x", ""}));
        }
        if (rnd.nextInt(8) == 0) {
            eval.add("--set");
            eval.add(s.lets.isEmpty() || rnd.nextBoolean() ? "nosuchlet=1" : s.lets.get(rnd.nextInt(s.lets.size())).name() + "=2");
        }
        commands.add(eval.toArray(String[]::new));
        if (rnd.nextInt(4) == 0) commands.add(new String[] {"grad", f.toString()});
        if (generated && !s.runs.isEmpty()) commands.add(new String[] {"run", f.toString(), "--json"});
        for (String[] args : commands) {
            Future<BadInput.Result> fut = worker.submit(() -> BadInput.run(args));
            BadInput.Result r;
            try {
                r = fut.get(CASE_TIMEOUT_S, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fut.cancel(true);
                return "descent " + args[0] + " did not finish in " + CASE_TIMEOUT_S + " s";
            } catch (ExecutionException e) {
                return "descent " + args[0] + " threw " + describe(e.getCause());
            }
            int most = args[0].equals("run") ? 3 : 2;
            if (r.code() < 0 || r.code() > most) return "descent " + args[0] + " exited " + r.code() + "\n" + r.describe();
            for (String bad : new String[] {"Exception", "\tat ", ".java:", "internal error", "java.lang."})
                if (r.out().contains(bad) || r.err().contains(bad))
                    return "descent " + args[0] + " shows '" + bad.replace("\t", "\\t") + "'\n" + r.describe();
            if (r.code() == 0 && r.out().isBlank()) return "descent " + args[0] + " exited 0 and printed nothing\n" + r.describe();
            if (r.code() == 1 && r.err().isBlank()) return "descent " + args[0] + " exited 1 and said nothing on stderr\n" + r.describe();
        }
        return null;
    }

    // ================================================================ shrinking

    /** A smaller input that fails in the same way (same first line of the problem), by greedy chunk deletion. */
    private String shrink(String text, String problem) throws Exception {
        String key = key(problem);
        if (problem.contains("did not finish")) return text; // each try would take the full timeout
        Function<String, Boolean> same = t -> {
            try {
                Outcome o = checkCase(t);
                if (o.problem() != null) return key(o.problem()).equals(key);
                return false;
            } catch (Exception e) {
                return false;
            }
        };
        if (!same.apply(text)) return text; // the problem was in eval: keep the input whole
        String cur = text;
        int budget = 3000;
        for (int chunk = Math.max(1, cur.length() / 2); chunk >= 1 && budget > 0; chunk /= 2) {
            boolean progress = true;
            while (progress && budget > 0) {
                progress = false;
                for (int at = 0; at + chunk <= cur.length() && budget > 0; ) {
                    String t = cur.substring(0, at) + cur.substring(at + chunk);
                    budget--;
                    if (same.apply(t)) { cur = t; progress = true; } else at += chunk;
                }
            }
        }
        return cur;
    }

    // ================================================================ inputs

    static final String[] KEYWORDS = {"import", "seed", "param", "let", "def", "minimize", "maximize", "data", "optimizer", "optimize",
        "with", "for", "steps", "step", "epochs", "epoch", "batch", "until", "patience", "state", "if", "then", "else", "and", "or", "not"};
    static final String[] NAMES = {"x", "y", "z", "W", "b", "d", "g", "p", "t", "f", "H", "lr", "beta", "v", "m", "β", "η", "𝑥", "_a", "a1",
        "sum", "mean", "sin", "cos", "exp", "log", "sqrt", "abs", "relu", "norm", "norm1", "dot", "solve", "eye", "transpose", "diag", "outer",
        "stack", "len", "onehot", "softmax", "logsumexp", "dropout", "clip", "min", "max", "pow", "atan2", "floor", "sigmoid", "ones", "zeros",
        "normal", "uniform", "csv", "linesearch", "adam", "sgd", "gd", "cg", "newton", "rmsprop", "step_decay", "warmup", "cosine", "pi", "e",
        "inf", "axis", "a0", "x1", "price"};
    static final String[] NUMBERS = {"0", "1", "2", "3", "10", "0.5", ".5", "1e-8", "2.5E+3", "1e999", "100000", "0.1", "3.14", "1e308",
        "4294967296", "9007199254740993", "0.0", "1.", "00", "1e", "2e+"};
    static final String[] SYMBOLS = {"+", "-", "*", "/", "@", "^", "**", "<", "<=", ">", ">=", "==", "!=", "=", "+=", "-=", "*=", "/=", "~",
        ",", ";", ".", "(", ")", "[", "]", "{", "}", "(", ")", "[", "]"};
    static final String[] ODD = {"\"lib/helpers.dsc\"", "\"small.csv\"", "\"\"", "\"\\\"\"", "\"unterminated", "\"a\0b.csv\"", "\".\"", "\"/\"",
        "\"../\"", "\"*?<>|\"", "\"\\n\"", "# a comment", "$", "!", "'",
        ":", "?", "&", "|", "\0", "€", "\t", "\uFEFF", "\u00A0", "\u200B", "\uFFFD", "\\", "`"};
    static final String ALPHABET = "xyzWbdgpt0123456789.eE+-*/@^<>=!~,;()[]{}#\"' \t\n_βη𝑥$\0\uFEFF€";

    static String pick(SplittableRandom r, String[] a) { return a[r.nextInt(a.length)]; }

    static String token(SplittableRandom r) {
        int k = r.nextInt(100);
        if (k < 20) return pick(r, KEYWORDS);
        if (k < 50) return pick(r, NAMES);
        if (k < 65) return pick(r, NUMBERS);
        if (k < 92) return pick(r, SYMBOLS);
        return pick(r, ODD);
    }

    /** Token soup: 1 to 80 random tokens, mostly separated by spaces, sometimes by newlines or nothing. */
    static String soup(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(80);
        for (int i = 0; i < n; i++) {
            sb.append(token(r));
            int s = r.nextInt(10);
            sb.append(s < 6 ? " " : s < 8 ? "\n" : s < 9 ? "" : "; ");
        }
        return sb.toString();
    }

    String mutant(SplittableRandom r) {
        String s = seeds.get(r.nextInt(seeds.size()));
        int n = 1 + r.nextInt(r.nextInt(4) == 0 ? 8 : 3);
        for (int i = 0; i < n; i++) s = mutate(s, r);
        if (r.nextInt(20) == 0) s = s.replace("\n", "\r\n"); // CRLF, last: no lone \r (see PathologicalInputTest.crLineEndings)
        return s;
    }

    private static final Pattern TOKEN = Pattern.compile(
            "[\\p{L}_][\\p{L}\\p{Nd}_]*|[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?|\"[^\"\\n]*\"?|\\*\\*|[<>=!+\\-*/]=|#[^\\n]*|\\s+|.",
            Pattern.DOTALL);

    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(s);
        while (m.find()) out.add(m.group());
        return out;
    }

    String mutate(String s, SplittableRandom r) {
        if (s.isEmpty()) return token(r);
        int op = r.nextInt(12);
        if (op < 6) {
            List<String> t = tokens(s);
            List<Integer> real = new ArrayList<>();
            for (int i = 0; i < t.size(); i++) if (!t.get(i).isBlank()) real.add(i);
            if (real.isEmpty()) return s + token(r);
            int i = real.get(r.nextInt(real.size()));
            switch (op) {
                case 0 -> t.remove(i);                                               // delete a token
                case 1 -> t.add(i, token(r) + " ");                                  // insert a token
                case 2 -> {                                                          // swap two tokens
                    int j = real.get(r.nextInt(real.size()));
                    String a = t.get(i);
                    t.set(i, t.get(j));
                    t.set(j, a);
                }
                case 3 -> t.add(i, t.get(i));                                        // duplicate a token
                case 4 -> t.set(i, token(r));                                        // replace a token
                default -> {                                                         // duplicate a run of tokens
                    int j = Math.min(t.size(), i + 1 + r.nextInt(12));
                    t.addAll(j, new ArrayList<>(t.subList(i, j)));
                }
            }
            return String.join("", t);
        }
        int[] cps = s.codePoints().toArray();
        int i = r.nextInt(cps.length);
        return switch (op) {
            case 6 -> cut(cps, 0, i) + cut(cps, i + 1, cps.length);                                            // delete a character
            case 7 -> cut(cps, 0, i) + Character.toString(ALPHABET.codePoints().toArray()[r.nextInt((int) ALPHABET.codePoints().count())])
                    + cut(cps, i, cps.length);                                                                  // insert a character
            case 8 -> {                                                                                         // swap neighbours
                if (i + 1 >= cps.length) yield s;
                int a = cps[i];
                cps[i] = cps[i + 1];
                cps[i + 1] = a;
                yield cut(cps, 0, cps.length);
            }
            case 9 -> cut(cps, 0, i);                                                                           // truncate
            case 10 -> {                                                                                        // splice two scripts
                String o = seeds.get(r.nextInt(seeds.size()));
                int[] ocp = o.codePoints().toArray();
                yield cut(cps, 0, i) + cut(ocp, r.nextInt(ocp.length + 1), ocp.length);
            }
            default -> {                                                                                        // duplicate a range of characters
                int j = Math.min(cps.length, i + 1 + r.nextInt(40));
                yield cut(cps, 0, j) + cut(cps, i, cps.length);
            }
        };
    }

    private static String cut(int[] cps, int from, int to) { return new String(cps, from, Math.max(0, to - from)); }

    // ------------------------------------------------------------ generated, well-shaped scripts

    /** A random script whose shapes mostly agree: parameters, lets, a def, an objective, sometimes an optimize; now and then one mutation. */
    String generated(SplittableRandom r) {
        Gen g = new Gen(r);
        String s = g.script();
        if (r.nextInt(4) == 0) s = mutate(s, r);
        return s;
    }

    /** Random expressions of a known shape over declared parameters. */
    static final class Gen {
        final SplittableRandom r;
        final List<String> scalars = new ArrayList<>(), vectors = new ArrayList<>(), matrices = new ArrayList<>();
        final Map<String, int[]> shape = new LinkedHashMap<>();
        int n, m, k; // the vector length n; the matrices are [m, n] or [n, k]… kept simple: [m, n]

        Gen(SplittableRandom r) {
            this.r = r;
            n = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(4); // now and then an empty vector, and matrices with no columns
            m = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(4);
        }

        String script() {
            StringBuilder sb = new StringBuilder();
            if (r.nextInt(5) == 0) sb.append("seed ").append(r.nextInt(100)).append('\n');
            int params = 1 + r.nextInt(3);
            for (int i = 0; i < params; i++) {
                int kind = r.nextInt(3);
                String name = "p" + i;
                switch (kind) {
                    case 0 -> { sb.append("param ").append(name).append(" = ").append(num()).append('\n'); scalars.add(name); }
                    case 1 -> {
                        if (r.nextBoolean()) sb.append("param ").append(name).append(" = ").append(vecLit()).append('\n');
                        else sb.append("param ").append(name).append('[').append(n).append("] ~ normal(0, 1)\n");
                        vectors.add(name);
                    }
                    default -> {
                        sb.append("param ").append(name).append('[').append(m).append(", ").append(n).append("] ")
                                .append(r.nextBoolean() ? "= 0.5" : "~ uniform(-1, 1)").append('\n');
                        matrices.add(name);
                    }
                }
            }
            if (r.nextBoolean()) {
                sb.append("let c = ").append(scalar(2)).append('\n');
                scalars.add("c");
            }
            boolean def = r.nextBoolean();
            if (def) sb.append("def h(z, k = 2) = k * ").append(pick(r, UNARY)).append("(z) + z^2\n");
            String objective = scalar(4);
            if (def && r.nextBoolean()) objective = "h(" + objective + ")";
            sb.append(r.nextInt(5) == 0 ? "maximize " : "minimize ").append(objective).append('\n');
            if (r.nextBoolean()) {
                String opt = pick(r, new String[] {"adam(lr = 0.01)", "sgd(lr = 0.1, momentum = 0.9)", "gd(0.1)", "rmsprop()", "newton()", "cg()",
                    "adagrad(lr = 0.1)", "nadam()", "radam()", "adamw(lr = 0.01)", "adamax()", "adadelta()"});
                sb.append("optimize with ").append(opt).append(" for ").append(1 + r.nextInt(5)).append(" steps");
                if (r.nextBoolean()) sb.append(" until norm(g) < 1e-6");
                sb.append('\n');
            }
            return sb.toString();
        }

        static final String[] UNARY = {"abs", "sign", "sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos", "atan",
            "sinh", "cosh", "tanh", "sigmoid", "relu", "softplus", "floor", "ceil", "round"};

        String num() {
            return r.nextInt(20) == 0 ? pick(r, new String[] {"1e308", "-1e308", "1e-320", "inf", "-inf", "0/0", "1e30"})
                    : pick(r, new String[] {"0", "1", "2", "0.5", "-1", "3", "1e-3", "-0.25", "10"});
        }

        String vecLit() {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < n; i++) sb.append(i > 0 ? ", " : "").append(num());
            return sb.append(']').toString();
        }

        String scalar(int depth) {
            int c = r.nextInt(depth <= 0 ? 3 : 16);
            return switch (c) {
                case 0 -> num();
                case 1 -> scalars.isEmpty() ? num() : pick(r, scalars.toArray(String[]::new));
                case 2 -> vectors.isEmpty() ? "pi" : pick(r, vectors.toArray(String[]::new)) + "[" + (r.nextInt(n + 1) - 1 + (r.nextBoolean() ? 0 : 0)) + "]";
                case 3 -> "(" + scalar(depth - 1) + " " + pick(r, new String[] {"+", "-", "*", "/"}) + " " + scalar(depth - 1) + ")";
                case 4 -> pick(r, UNARY) + "(" + scalar(depth - 1) + ")";
                case 5 -> "(" + scalar(depth - 1) + ")^" + pick(r, new String[] {"2", "3", "0.5", "-1"});
                case 6 -> pick(r, new String[] {"sum", "mean", "norm", "norm1", "logsumexp", "max", "min"}) + "(" + vector(depth - 1) + ")";
                case 7 -> "dot(" + vector(depth - 1) + ", " + vector(depth - 1) + ")";
                case 8 -> "sum(" + matrix(depth - 1) + ")";
                case 9 -> "(if " + scalar(depth - 1) + " > " + scalar(depth - 1) + " then " + scalar(depth - 1) + " else " + scalar(depth - 1) + ")";
                case 10 -> pick(r, new String[] {"min", "max", "atan2", "pow"}) + "(" + scalar(depth - 1) + ", " + scalar(depth - 1) + ")";
                case 11 -> "clip(" + scalar(depth - 1) + ", -1, 1)";
                case 12 -> matrices.isEmpty() || m == 0 || n == 0 ? "e"
                        : pick(r, matrices.toArray(String[]::new)) + "[" + r.nextInt(m) + ", " + r.nextInt(n) + "]";
                case 13 -> "-" + scalar(depth - 1);
                case 14 -> "len(" + vector(depth - 1) + ")";
                default -> "mean(" + matrix(depth - 1) + " @ " + vector(depth - 1) + ")";
            };
        }

        String vector(int depth) {
            int c = r.nextInt(depth <= 0 ? 2 : 12);
            return switch (c) {
                case 0 -> vectors.isEmpty() ? vecLit() : pick(r, vectors.toArray(String[]::new));
                case 1 -> vecLit();
                case 2 -> "(" + vector(depth - 1) + " " + pick(r, new String[] {"+", "-", "*", "/"}) + " " + vector(depth - 1) + ")";
                case 3 -> "(" + vector(depth - 1) + " * " + scalar(depth - 1) + ")";
                case 4 -> pick(r, UNARY) + "(" + vector(depth - 1) + ")";
                case 5 -> "softmax(" + vector(depth - 1) + ")";
                case 6 -> "(" + vector(depth - 1) + ")^2";
                case 7 -> "sum(" + matrix(depth - 1) + ", axis = 0)";
                case 8 -> "(transpose(" + matrix(depth - 1) + ") @ " + mvec(depth - 1) + ")";
                case 9 -> "clip(" + vector(depth - 1) + ", -2, 2)";
                case 10 -> "max(" + vector(depth - 1) + ", " + scalar(depth - 1) + ")";
                default -> "dropout(" + vector(depth - 1) + ", 0.5)";
            };
        }

        /** A vector of length m (the rows of the matrices). */
        String mvec(int depth) {
            if (depth <= 0 || r.nextBoolean()) {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < m; i++) sb.append(i > 0 ? ", " : "").append(num());
                return sb.append(']').toString();
            }
            return r.nextBoolean() ? "(" + matrix(depth - 1) + " @ " + vector(depth - 1) + ")" : "mean(" + matrix(depth - 1) + ", axis = 1)";
        }

        String matrix(int depth) {
            int c = r.nextInt(depth <= 0 ? 1 : 8);
            return switch (c) {
                case 0 -> matrices.isEmpty() ? "ones(" + m + ", " + n + ")" : pick(r, matrices.toArray(String[]::new));
                case 1 -> "(" + matrix(depth - 1) + " + " + vector(depth - 1) + ")";
                case 2 -> "(" + matrix(depth - 1) + " * " + scalar(depth - 1) + ")";
                case 3 -> pick(r, UNARY) + "(" + matrix(depth - 1) + ")";
                case 4 -> "softmax(" + matrix(depth - 1) + ", axis = 1)";
                case 5 -> "(" + matrix(depth - 1) + " " + pick(r, new String[] {"+", "-", "*", "/"}) + " " + matrix(depth - 1) + ")";
                case 6 -> "transpose(transpose(" + matrix(depth - 1) + "))";
                default -> "(outer(" + mvec(depth - 1) + ", " + vector(depth - 1) + "))";
            };
        }
    }

    // ------------------------------------------------------------ seed scripts

    /** The valid scripts mutants start from: examples/, the standard library, the contract's snippets; and a few of the corpus. */
    static List<String> seedScripts() {
        List<String> out = new ArrayList<>(List.of(SNIPPETS));
        Path examples = Path.of("examples");
        if (Files.isDirectory(examples)) {
            try (Stream<Path> s = Files.walk(examples)) {
                s.filter(p -> p.toString().endsWith(".dsc")).sorted().forEach(p -> out.add(BadInput.read(p)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try (InputStream in = Checker.class.getResourceAsStream(Checker.STDLIB_RESOURCE)) {
            if (in != null) out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path p : BadInputCorpusTest.scripts()) out.add(BadInput.read(p));
        return out;
    }

    /** The snippets of the language contract (LANGUAGE.md), as scripts. */
    static final String[] SNIPPETS = {
        """
        # examples/quickstart.dsc — Rosenbrock's valley, minimized with Adam
        param x = [-1.5, 2]
        minimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2
        optimize with adam(lr = 0.05) for 2000 steps
        """,
        """
        seed 42                              # makes every random draw reproducible
        param x = 10                         # scalar parameter
        param y = [-5, -2]                   # vector parameter
        param W[3, 4] ~ normal(0, 0.1)       # shaped, random start (also uniform(a, b))
        param b[4] = 0                       # shaped, constant start
        let c = 0.15 * pi                    # a named value; may use params
        def softsign(z) = z / (1 + abs(z))   # a function, usable anywhere
        def ramp(z, k = 2) = k * relu(z)      # parameters may have defaults
        minimize x * cos(c * x)              # the objective (one per script)
        """,
        """
        param x = 10
        maximize -x^2
        """,
        """
        optimizer momentum(lr = 0.01, beta = 0.9) {
          state v = 0
          v = beta * v + (1 - beta) * g
          p -= lr * v
        }
        param x = [1, -2]
        minimize sum(x^2)
        optimize with momentum(lr = 0.1) for 10 steps
        """,
        """
        param x = [1, 2]
        minimize sum(x^2)
        optimize with adam(lr = 0.05) for 2000 steps
        optimize with sgd(lr = step_decay(0.1, 0.5, 10)) for 100 steps until norm(g) < 1e-6
        """,
        """
        data d = csv("examples/data/linear.csv")      # header names the columns
        param w = [0, 0]
        param b = 0
        let X = stack(d.x1, d.x2)                      # rows × 2 matrix, columns side by side
        minimize mean((X @ w + b - d.y)^2) + 0.01 * sum(w^2)
        optimize with sgd(lr = 0.05) for 20 epochs batch 16
        """,
        """
        param Z[4, 10] ~ normal(0, 1)
        let y = [1, 3, 0, 9]
        minimize mean(logsumexp(Z, axis = 1) - sum(onehot(y, 10) * Z, axis = 1))
        """,
        """
        let n = 100
        param x = [3, -1]
        minimize sum(x^2) + 0.1 * norm1(x)
        optimize with cg() for n steps
        optimize with newton(lr = 1) for 5 steps
        """,
        """
        optimizer clipped(lr = 0.1, limit = 1) { g = clip(g, -limit, limit); p -= lr * g }
        optimizer decay(lr = 0.1, wd = 0.01) {
          g = g + wd * p
          a = linesearch(-g, c = 1e-4, shrink = 0.5)
          p += a * (-g)
        }
        param A[2, 2] = [[2, 1], [1, 3]]
        param v = [1, 1]
        minimize dot(v, solve(A + 3 * eye(2), v)) + sum(diag(A)) + sum(outer(v, v)) + len(v)
        optimize with clipped() for 3 steps
        optimize with decay(lr = warmup(0.1, 10)) for 3 steps
        """,
        """
        param x = [0.5, -0.5, 2]
        let q = if sum(x) > 0 then 1 else 0
        minimize sum(softmax(x) * log(1 + exp(x))) + max(x) - min(x) + sum(max(x, 0)) + atan2(x[0], x[1]) + pow(x[2], 2)
            + sum(sigmoid(x) + softplus(x) + tanh(x)) * q + sum(dropout(x, 0.1))
        """,
    };
}
