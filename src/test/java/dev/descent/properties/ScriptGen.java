package dev.descent.properties;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * A seeded generator of random Descent scripts: five parameters of four shapes, a fixed
 * library of {@code def}s (defaults, named arguments, formals that shadow parameters, a
 * default that reads a parameter), one or two random defs, a few random {@code let}s, and
 * a random scalar objective over them.
 *
 * <p>Expressions are typed by shape (scalar, [2], [3], [2, 3], [3, 2], [3, 3], [2, 2]),
 * so every script checks. They use every elementwise built-in, {@code + - * / ^ **},
 * unary minus and plus, {@code if}, comparisons, {@code and or not}, {@code sum mean dot
 * norm norm1 min max logsumexp softmax} (with and without {@code axis}), indexing (negative
 * indices too), {@code @} with literal and parameter matrices, {@code transpose outer diag
 * eye ones zeros len solve stack onehot dropout}, {@code pi e inf}, literals of
 * expressions, defs and lets; statements are now and then broken over lines, commented
 * or joined with {@code ;}. {@link #bigScript} adds parameters of more than 64 elements.
 *
 * <p>Values stay in domains where everything is smooth and finite at almost every point:
 * each expression carries {@link Ex#mag}, a rough upper bound on its elements' magnitude
 * (parameters are sampled in [-1.5, 1.5]); a function with a restricted domain gets an
 * argument that lies in it ({@code log(1 + A^2)}, {@code sqrt(A^2 + 0.5)},
 * {@code asin(0.9 * tanh(A))}, a denominator {@code 2 + cos(B)}), and a function that grows
 * fast gets a bounded argument when its argument's bound is large. Kinks and jumps
 * ({@code abs relu sign floor ceil round min max clip}, comparisons, {@code if}) are left
 * in: the properties skip the rare points that lie next to one.
 *
 * <p>Text is written with the fewest parentheses the grammar needs (plus a few redundant
 * ones), so precedence and associativity are exercised too.
 */
final class ScriptGen {
    // precedence levels, low to high (as in dev.descent.ir.Printer)
    static final int IF = 0, OR = 1, AND = 2, NOT = 3, CMP = 4, ADD = 5, MUL = 6, UNARY = 7, POW = 8, ATOM = 9;

    /** Magnitudes above this get a bounded wrapper before growing further. */
    private static final double BIG = 20;

    enum Sh {
        S(0, 1, 1), V2(1, 2, 1), V3(1, 3, 1), M23(2, 2, 3), M32(2, 3, 2), M33(2, 3, 3), M22(2, 2, 2);
        final int rank, rows, cols;

        Sh(int rank, int rows, int cols) { this.rank = rank; this.rows = rows; this.cols = cols; }

        int size() { return rank == 0 ? 1 : rank == 1 ? rows : rows * cols; }

        boolean isMatrix() { return rank == 2; }

        static Sh vector(int n) { return n == 2 ? V2 : V3; }

        static Sh matrix(int m, int n) {
            for (Sh s : values()) if (s.rank == 2 && s.rows == m && s.cols == n) return s;
            throw new IllegalArgumentException(m + "x" + n);
        }

        Sh transposed() { return isMatrix() ? matrix(cols, rows) : this; }
    }

    /** A generated expression: its text, the precedence of its outermost form, a bound on |elements|. */
    record Ex(String t, int prec, double mag) {}

    /** A generated script. {@code header} is its parameter declarations alone (what a printed node refers to). */
    record Case(String source, String header, String objective, int seed) {}

    /** The parameters every script declares, in order: name and shape. */
    static final List<Map.Entry<String, Sh>> PARAMS = List.of(
            Map.entry("a", Sh.S), Map.entry("b", Sh.S), Map.entry("x", Sh.V3), Map.entry("v", Sh.V2), Map.entry("W", Sh.M23));

    /** θ's length for {@link #PARAMS}. */
    static final int DIMENSION = 1 + 1 + 3 + 2 + 6;

    static final String LIBRARY = """
            def sq(z) = z * z
            def softsign(z) = z / (1 + abs(z))
            def ramp(z, k = 2) = k * relu(z)
            def lerp(p, q, s = 0.25) = p + s * (q - p)
            def bump(z, w = 1) = exp(-(z / w)^2)
            def huber(z, d = 1) = if abs(z) <= d then 0.5 * z^2 else d * (abs(z) - 0.5 * d)
            def squash(z) = z / sqrt(1 + sum(z^2))
            def shade(x, a = 0.5) = x * a + b
            def shift(z, c = b) = z + c
            """;

    private final SplittableRandom r;
    private final int maxDepth;
    /** Names usable as leaves, by shape (parameters, lets, a def's formals while its body is made). */
    private final Map<Sh, List<Ex>> names = new EnumMap<>(Sh.class);
    /** Random scalar defs made so far: name, and whether it has a second formal. */
    private final List<String> randomDefs = new ArrayList<>();
    /** True while a def body is generated (no calls of random defs inside it). */
    private boolean inDef;

    /**
     * Adds {@code param Z[9, 8]} and {@code param y[66]}: over {@code Dag.PACK_LIMIT} elements,
     * so their adjoints are SCATTERs, broadcasts and axis sums rather than PACKs.
     */
    private final boolean big;

    ScriptGen(long seed, int maxDepth, boolean big) {
        this.r = new SplittableRandom(seed);
        this.maxDepth = maxDepth;
        this.big = big;
        for (Sh s : Sh.values()) names.put(s, new ArrayList<>());
    }

    /** A whole script with a scalar objective. */
    static Case script(int seed, int maxDepth) {
        return new ScriptGen(seed, maxDepth, false).script(seed);
    }

    /** A script that also has the parameters {@code Z[9, 8]} and {@code y[66]} (more than 64 elements each). */
    static Case bigScript(int seed, int maxDepth) {
        return new ScriptGen(seed, maxDepth, true).script(seed);
    }

    private Case script(int seed) {
        StringBuilder header = new StringBuilder();
        for (var p : PARAMS) {
            header.append(paramDecl(p.getKey(), p.getValue())).append('\n');
            names.get(p.getValue()).add(new Ex(p.getKey(), ATOM, 1.5));
        }
        if (big) {
            header.append(r.nextBoolean() ? "param Z[9, 8] ~ normal(0, 1)\n" : "param Z[9, 8] = 0.5\n");
            header.append("param y[66] ~ uniform(-1, 1)\n");
        }
        StringBuilder sb = new StringBuilder(header);
        sb.append(LIBRARY);
        int defs = r.nextInt(3);
        for (int i = 1; i <= defs; i++) statement(sb, randomDef("g" + i));
        int lets = r.nextInt(4);
        for (int i = 1; i <= lets; i++) {
            Sh s = pick(Sh.S, Sh.S, Sh.V3, Sh.M23, Sh.V2);
            Ex e = bounded(gen(s, 1 + r.nextInt(2)));
            statement(sb, "let c" + i + " = " + e.t);
            names.get(s).add(new Ex("c" + i, ATOM, e.mag));
        }
        Ex f = gen(Sh.S, maxDepth);
        for (int tries = 0; f.mag > 1e6 && tries < 20; tries++) f = gen(Sh.S, maxDepth);
        if (f.mag > 1e6) f = call("tanh", f);
        statement(sb, (r.nextInt(8) == 0 ? "maximize " : "minimize ") + f.t);
        if (sb.charAt(sb.length() - 1) != '\n') sb.append('\n');
        return new Case(sb.toString(), header.toString(), f.t, seed);
    }

    /**
     * Appends a statement, laid out as a person might: now and then broken over lines after
     * a comma, a binary operator or {@code then}/{@code else}/{@code and} (where a line
     * continues), followed by a comment, or joined to the next with {@code ;}.
     */
    private void statement(StringBuilder sb, String st) {
        String[] breaks = {", ", " + ", " - ", " * ", " / ", " then ", " else ", " and ", " or "};
        for (int tries = 0; tries < 3 && r.nextInt(4) == 0; tries++) {
            String b = breaks[r.nextInt(breaks.length)];
            int at = st.indexOf(b, r.nextInt(Math.max(1, st.length())));
            if (at < 0) at = st.indexOf(b);
            if (at < 0) continue;
            int cut = at + b.length() - 1; // keep the operator at the end of the line
            st = st.substring(0, cut) + "\n        " + st.substring(cut + 1);
        }
        sb.append(st);
        switch (r.nextInt(10)) {
            case 0 -> sb.append("   # a comment: ; [ ( + , are ignored here\n");
            case 1 -> sb.append("; ");
            default -> sb.append('\n');
        }
    }

    private String paramDecl(String name, Sh s) {
        int form = r.nextInt(4);
        if (form == 0 && s != Sh.S) return "param " + name + dims(s) + " = " + num(1);
        if (form == 1) return "param " + name + (s == Sh.S ? "" : dims(s)) + " ~ normal(0, 1)";
        if (form == 2 && s != Sh.S) return "param " + name + dims(s) + " ~ uniform(-1, 1)";
        // a vector start repeated over the rows (it once crashed the checker: KnownBugsTest.vectorStartOfAMatrixParameter)
        if (form == 3 && s.isMatrix() && r.nextBoolean()) return "param " + name + dims(s) + " = " + literal(Sh.vector(s.cols), 1.5).t;
        return "param " + name + " = " + literal(s, 1.5).t;
    }

    private static String dims(Sh s) {
        return s.rank == 1 ? "[" + s.rows + "]" : "[" + s.rows + ", " + s.cols + "]";
    }

    /** def gN(u, w = c) = body, over scalars u, w and the parameters. */
    private String randomDef(String name) {
        boolean two = r.nextBoolean();
        List<Ex> saved = new ArrayList<>(names.get(Sh.S));
        names.get(Sh.S).add(new Ex("u", ATOM, 4));
        if (two) names.get(Sh.S).add(new Ex("w", ATOM, 1));
        inDef = true;
        Ex body = bounded(gen(Sh.S, 2));
        inDef = false;
        names.put(Sh.S, saved);
        randomDefs.add(name + (two ? "2" : "1"));
        return "def " + name + "(u" + (two ? ", w = " + num(1) : "") + ") = " + body.t;
    }

    // ================================================================ expressions

    private Ex gen(Sh s, int depth) {
        if (depth <= 0 || r.nextInt(8) == 0) return leaf(s);
        List<Supplier<Ex>> c = new ArrayList<>();
        int d = depth - 1;
        // every shape: elementwise arithmetic, functions, conditionals, defs
        for (int i = 0; i < 3; i++) c.add(() -> arith(s, d));
        for (int i = 0; i < 3; i++) c.add(() -> function(s, d));
        c.add(() -> power(s, d));
        c.add(() -> twoArg(s, d));
        c.add(() -> conditional(s, d));
        c.add(() -> compareValue(s, d));
        c.add(() -> defCall(s, d));
        c.add(() -> neg(gen(s, d)));
        switch (s) {
            case S -> {
                for (int i = 0; i < 3; i++) c.add(() -> reduction(d));
                c.add(() -> index(d));
                c.add(() -> dotLike(d));
                if (!inDef && !randomDefs.isEmpty()) c.add(() -> randomDefCall(d));
                c.add(() -> new Ex("len(" + gen(pick(Sh.V2, Sh.V3, Sh.M23), 0).t + ") * " + at(gen(Sh.S, d), MUL + 1).t, MUL, 3 * 50));
            }
            default -> {
                for (int i = 0; i < 3; i++) c.add(() -> structural(s, d));
            }
        }
        return c.get(r.nextInt(c.size())).get();
    }

    private Ex leaf(Sh s) {
        List<Ex> options = new ArrayList<>(names.get(s));
        switch (s) {
            case S -> {
                options.add(number());
                options.add(number());
                options.add(new Ex("x[" + idx(3) + "]", ATOM, 1.5));
                options.add(new Ex("v[" + idx(2) + "]", ATOM, 1.5));
                options.add(new Ex("W[" + idx(2) + ", " + idx(3) + "]", ATOM, 1.5));
                if (r.nextInt(4) == 0) options.add(pick(new Ex("pi", ATOM, Math.PI), new Ex("e", ATOM, Math.E)));
                if (big) { options.add(bigLeaf()); options.add(bigLeaf()); }
            }
            case V3 -> {
                options.add(literal(s, 2));
                options.add(new Ex("W[" + idx(2) + "]", ATOM, 1.5));
                options.add(new Ex("[a, " + number().t + ", b]", ATOM, 2));
            }
            case V2 -> {
                options.add(literal(s, 2));
                options.add(new Ex("transpose(W)[" + idx(3) + "]", ATOM, 1.5));
            }
            case M32 -> {
                options.add(literal(s, 2));
                options.add(new Ex("transpose(W)", ATOM, 1.5));
            }
            case M33 -> {
                options.add(literal(s, 2));
                options.add(new Ex("diag(x)", ATOM, 1.5));
                options.add(new Ex("eye(3)", ATOM, 1));
            }
            case M22 -> {
                options.add(literal(s, 2));
                options.add(new Ex("diag(v)", ATOM, 1.5));
            }
            default -> options.add(literal(s, 2));
        }
        return options.get(r.nextInt(options.size()));
    }

    /** A scalar from the big parameters Z[9, 8] and y[66], through rows, columns, elements, stacks and reductions. */
    private Ex bigLeaf() {
        int i = r.nextInt(9), k = r.nextInt(9), j = r.nextInt(8);
        return switch (r.nextInt(19)) {
            case 0 -> new Ex("Z[" + i + ", " + j + "]", ATOM, 1.5);
            case 1 -> new Ex("sum(sin(Z[" + i + "]))", ATOM, 8);
            case 2 -> new Ex("mean(transpose(Z)[" + j + "])", ATOM, 1.5);
            case 3 -> new Ex("logsumexp(Z) / 4", MUL, 2);
            case 4 -> new Ex("max(Z, axis = 1)[" + i + "]", ATOM, 1.5);
            case 5 -> new Ex("dot(Z[" + i + "], Z[" + k + "])", ATOM, 18);
            case 6 -> new Ex("norm(tanh(Z))", ATOM, 9);
            case 7 -> new Ex("sum(Z @ " + literal(Sh.V2, 1).t.replace("]", ", 0.5, -0.25, 1, 0.3, -1, 0.7]") + ") / 9", MUL, 8);
            case 8 -> new Ex("min(Z, axis = 0)[" + j + "]", ATOM, 1.5);
            case 9 -> new Ex("softmax(Z, axis = " + r.nextInt(2) + ")[" + i + ", " + j + "]", ATOM, 1);
            case 10 -> new Ex("mean(Z * " + at(leaf(Sh.S), MUL + 1).t + ")", ATOM, 3);
            case 11 -> new Ex("mean(sum(Z, axis = 1) * " + at(leaf(Sh.S), MUL + 1).t + ")", ATOM, 20);
            case 12 -> new Ex("sum(tanh(Z - mean(Z, axis = 0))) / 72", MUL, 1);
            case 13 -> new Ex("mean(Z[" + i + "] * " + at(leaf(Sh.V3), ATOM).t + "[0])", ATOM, 3);
            case 14 -> new Ex("y[" + (r.nextInt(66) - (r.nextBoolean() ? 66 : 0)) + "]", ATOM, 1.5);
            case 15 -> new Ex("dot(y, tanh(y)) / 66", MUL, 2);
            case 16 -> new Ex("logsumexp(y * " + at(leaf(Sh.S), MUL + 1).t + ")", ATOM, 10);
            case 17 -> new Ex("sum(stack(y, tanh(y), y * y) @ [0.3, -0.2, 0.1]) / 66", MUL, 1);
            default -> new Ex("max(y)", ATOM, 1.5);
        };
    }

    /** An index i of a dimension n, sometimes negative (counted from the end). */
    private String idx(int n) {
        int i = r.nextInt(n);
        return r.nextInt(5) == 0 ? Integer.toString(i - n) : Integer.toString(i);
    }

    private Ex literal(Sh s, double range) {
        StringBuilder sb = new StringBuilder("[");
        double mag = 0;
        for (int i = 0; i < s.rows; i++) {
            if (i > 0) sb.append(", ");
            if (s.isMatrix()) {
                sb.append('[');
                for (int j = 0; j < s.cols; j++) {
                    if (j > 0) sb.append(", ");
                    String n = num(range);
                    mag = Math.max(mag, Math.abs(Double.parseDouble(n)));
                    sb.append(n);
                }
                sb.append(']');
            } else {
                String n = num(range);
                mag = Math.max(mag, Math.abs(Double.parseDouble(n)));
                sb.append(n);
            }
        }
        if (s == Sh.S) return number();
        return new Ex(sb.append(']').toString(), ATOM, Math.max(mag, 1e-3));
    }

    private Ex number() {
        String n = num(2);
        double v = Double.parseDouble(n);
        if (n.startsWith("-")) return new Ex(n, UNARY, Math.abs(v));
        return new Ex(n, ATOM, Math.max(Math.abs(v), 1e-3));
    }

    /** A number literal in [-range, range], in the language's several spellings. */
    private String num(double range) {
        double v = Math.round((r.nextDouble() * 2 - 1) * range * 1000) / 1000.0;
        String text = switch (r.nextInt(6)) {
            case 0 -> Long.toString(Math.round(v)); // an integer
            case 1 -> Double.toString(v);
            case 2 -> String.format(java.util.Locale.ROOT, "%.2e", v).replace("e+0", "e").replace("e-0", "e-"); // 1.23e-1, 2.50e0
            case 3 -> {
                String t = Double.toString(Math.abs(v));
                if (t.startsWith("0.")) t = t.substring(1); // .5
                yield (v < 0 ? "-" : "") + t;
            }
            default -> Double.toString(v);
        };
        if (text.equals("-0")) text = "0";
        return text;
    }

    // ---------------------------------------------------------------- forms

    /** e with at least precedence min, parenthesized if it has less (and now and then anyway). */
    private Ex at(Ex e, int min) {
        if (e.prec < min || r.nextInt(25) == 0) return new Ex("(" + e.t + ")", ATOM, e.mag);
        return e;
    }

    private static Ex call(String f, Ex... args) {
        StringBuilder sb = new StringBuilder(f).append('(');
        for (int i = 0; i < args.length; i++) sb.append(i > 0 ? ", " : "").append(args[i].t);
        return new Ex(sb.append(')').toString(), ATOM, 0);
    }

    private static Ex withMag(Ex e, double mag) { return new Ex(e.t, e.prec, mag); }

    private Ex infix(Ex a, String op, Ex b, int prec, double mag) {
        return new Ex(at(a, prec).t + " " + op + " " + at(b, prec + 1).t, prec, mag);
    }

    /** e itself when its bound is small, else squashed into [-1, 1] or so. */
    private Ex bounded(Ex e) {
        if (e.mag <= BIG) return e;
        return switch (r.nextInt(4)) {
            case 0 -> withMag(call("tanh", e), 1);
            case 1 -> withMag(call("sin", e), 1);
            case 2 -> withMag(call("atan", e), 1.6);
            default -> withMag(call("softsign", e), 1);
        };
    }

    /** e squashed into a small range (for exp, sinh, cosh, ...). */
    private Ex small(Ex e) {
        if (e.mag <= 2 && r.nextBoolean()) return e;
        return switch (r.nextInt(5)) {
            case 0 -> withMag(call("tanh", e), 1);
            case 1 -> withMag(call("sin", e), 1);
            case 2 -> withMag(call("cos", e), 1);
            case 3 -> new Ex("2 * " + call("sigmoid", e).t + " - 1", ADD, 1);
            default -> withMag(call("atan", e), 1.6);
        };
    }

    private Ex neg(Ex e) {
        Ex o = at(e, UNARY);
        String t = o.t.startsWith("-") || o.t.startsWith("+") ? "- " + o.t : (r.nextInt(10) == 0 ? "+" : "-") + o.t;
        return new Ex(t, UNARY, e.mag);
    }

    /** Two operands for an elementwise operation producing shape s (sometimes one broadcast). */
    private Ex[] operands(Sh s, int d) {
        Sh sa = s, sb = s;
        int k = r.nextInt(6);
        if (s != Sh.S && k == 0) sa = Sh.S;
        else if (s != Sh.S && k == 1) sb = Sh.S;
        else if (s.isMatrix() && k == 2) { if (r.nextBoolean()) sa = Sh.vector(s.cols); else sb = Sh.vector(s.cols); }
        return new Ex[] {gen(sa, d), gen(sb, d)};
    }

    private Ex arith(Sh s, int d) {
        Ex[] o = operands(s, d);
        Ex a = o[0], b = o[1];
        return switch (r.nextInt(5)) {
            case 0 -> infix(a, "+", b, ADD, a.mag + b.mag);
            case 1 -> infix(a, "-", b, ADD, a.mag + b.mag);
            case 2, 3 -> {
                if (a.mag * b.mag > 100) { a = bounded(a); b = bounded(b); }
                yield infix(a, "*", b, MUL, a.mag * b.mag);
            }
            default -> {
                Ex num = gen(s, d); // the denominator may lose b's shape
                Ex den = denominator(b);
                yield infix(num, "/", den, MUL, num.mag / den.mag);
            }
        };
    }

    /** A denominator built from b whose magnitude is at least {@link Ex#mag} (positive, away from 0). */
    private Ex denominator(Ex b) {
        return switch (r.nextInt(6)) {
            case 0 -> new Ex("(1 + " + at(b, POW + 1).t + "^2)", ATOM, 1);
            case 1 -> new Ex("(2 + cos(" + b.t + "))", ATOM, 1);
            case 2 -> new Ex("(0.5 + sigmoid(" + b.t + "))", ATOM, 0.5);
            case 3 -> new Ex("(1 + exp(" + small(b).t + "))", ATOM, 1);
            case 4 -> new Ex("sqrt(" + at(b, POW + 1).t + "^2 + 0.5)", ATOM, 0.7);
            default -> {
                double v = 0.5 + r.nextInt(8) * 0.5;
                yield new Ex(Double.toString(v), ATOM, v);
            }
        };
    }

    /** An elementwise function of one argument (and the arguments' domains kept). */
    private Ex function(Sh s, int d) {
        Ex a = gen(s, d);
        return switch (r.nextInt(23)) {
            case 0 -> withMag(call("abs", a), a.mag);
            case 1 -> withMag(call("sign", a), 1);
            case 2 -> switch (r.nextInt(3)) {
                case 0 -> withMag(call("sqrt", new Ex("1 + " + at(a, POW + 1).t + "^2", ADD, 0)), 1 + a.mag);
                case 1 -> withMag(call("sqrt", new Ex(at(a, POW + 1).t + "^2 + 0.5", ADD, 0)), 1 + a.mag);
                default -> withMag(call("sqrt", new Ex("abs(" + a.t + ") + 0.1", ADD, 0)), 1 + Math.sqrt(a.mag));
            };
            case 3 -> withMag(call("exp", small(a)), Math.E);
            case 4 -> switch (r.nextInt(4)) {
                case 0 -> withMag(call("log", new Ex("1 + " + at(a, POW + 1).t + "^2", ADD, 0)), 1 + 2 * Math.log1p(a.mag));
                case 1 -> withMag(call("log", new Ex("2 + sin(" + a.t + ")", ADD, 0)), 1.1);
                case 2 -> withMag(call("log", call("sigmoid", small(a))), 1.4);
                default -> withMag(call("log", new Ex("softplus(" + a.t + ") + 0.1", ADD, 0)), 2.4 + a.mag);
            };
            case 5 -> r.nextBoolean()
                    ? withMag(call("log1p", new Ex(at(a, POW + 1).t + "^2", POW, 0)), 1 + 2 * Math.log1p(a.mag))
                    : withMag(call("log1p", new Ex("0.9 * tanh(" + a.t + ")", MUL, 0)), 2.4);
            case 6 -> withMag(call("expm1", small(a)), 2);
            case 7 -> withMag(call("sin", a), 1);
            case 8 -> withMag(call("cos", a), 1);
            case 9 -> r.nextBoolean() ? withMag(call("tan", call("tanh", a)), 1.6)
                    : withMag(call("tan", new Ex("0.7 * sin(" + a.t + ")", MUL, 0)), 0.9);
            case 10 -> withMag(call("asin", new Ex("0.9 * tanh(" + a.t + ")", MUL, 0)), 1.2);
            case 11 -> r.nextBoolean() ? withMag(call("acos", new Ex("0.8 * sin(" + a.t + ")", MUL, 0)), 2.5)
                    : withMag(call("acos", new Ex("0.9 * tanh(" + a.t + ")", MUL, 0)), 2.7);
            case 12 -> withMag(call("atan", a), 1.6);
            case 13 -> withMag(call("sinh", small(a)), 3.7);
            case 14 -> withMag(call("cosh", small(a)), 3.8);
            case 15 -> withMag(call("tanh", a), 1);
            case 16 -> withMag(call("sigmoid", a), 1);
            case 17 -> withMag(call("relu", a), a.mag);
            case 18 -> withMag(call("softplus", a), a.mag + 0.7);
            case 19 -> withMag(call("floor", a), a.mag + 1);
            case 20 -> withMag(call("ceil", a), a.mag + 1);
            case 21 -> withMag(call("round", a), a.mag + 1);
            default -> withMag(call("softsign", a), 1);
        };
    }

    private Ex power(Sh s, int d) {
        Ex a = gen(s, d);
        String op = r.nextInt(5) == 0 ? "**" : "^";
        return switch (r.nextInt(9)) {
            case 0 -> {
                Ex b = bounded(a);
                yield new Ex(at(b, ATOM).t + op + "2", POW, b.mag * b.mag);
            }
            case 1 -> {
                Ex b = a.mag > 3 ? bounded(a) : a;
                yield new Ex(at(b, ATOM).t + op + "3", POW, Math.pow(b.mag, 3));
            }
            case 2 -> new Ex("(1 + " + at(bounded(a), POW + 1).t + "^2)" + op + "-1", POW, 1);
            case 3 -> new Ex("(1 + " + at(bounded(a), POW + 1).t + "^2)" + op + "0.5", POW, 1 + bounded(a).mag);
            case 4 -> {
                Ex e = small(gen(r.nextBoolean() ? Sh.S : s, d)); // a variable exponent
                Ex base = bounded(a);
                yield new Ex("(0.5 + " + at(base, POW + 1).t + "^2)" + op + at(e, UNARY).t, POW, Math.pow(0.5 + base.mag * base.mag, 1.6));
            }
            case 5 -> new Ex(call("sigmoid", a).t + op + "1.5", POW, 1);
            case 6 -> new Ex("2" + op + at(small(a), UNARY).t, POW, 3.1);
            case 7 -> {
                Ex e = small(gen(Sh.S, d));
                Ex base = bounded(a);
                yield withMag(call("pow", new Ex("1 + " + at(base, POW + 1).t + "^2", ADD, 0), e), Math.pow(1 + base.mag * base.mag, 1.6));
            }
            default -> new Ex(at(a, ATOM).t + op + (r.nextBoolean() ? "1" : "0"), POW, Math.max(a.mag, 1));
        };
    }

    private Ex twoArg(Sh s, int d) {
        Ex[] o = operands(s, d);
        Ex a = o[0], b = o[1];
        if (r.nextInt(12) == 0) {
            Ex x = gen(s, d);
            return switch (r.nextInt(3)) {
                case 0 -> withMag(call("min", x, new Ex("inf", ATOM, 0)), x.mag);
                case 1 -> withMag(call("max", new Ex("-inf", UNARY, 0), x), x.mag);
                default -> withMag(call("clip", x, new Ex("-inf", UNARY, 0), new Ex("0.5", ATOM, 0)), x.mag);
            };
        }
        return switch (r.nextInt(6)) {
            case 5 -> { // bounds in either order (lo > hi gives hi: KnownBugsTest.clipGradientWhenTheBoundsCross)
                Ex x = gen(s, d), lo = gen(Sh.S, Math.max(0, d - 1)), hi = gen(Sh.S, Math.max(0, d - 1));
                yield withMag(call("clip", x, lo, hi), Math.max(x.mag, Math.max(lo.mag, hi.mag)));
            }
            case 0 -> withMag(call("min", a, b), Math.max(a.mag, b.mag));
            case 1 -> withMag(call("max", a, b), Math.max(a.mag, b.mag));
            case 2 -> withMag(call("atan2", a, r.nextBoolean() ? b : new Ex("1 + " + at(b, POW + 1).t + "^2", ADD, 1)), Math.PI);
            case 3 -> {
                // constant bounds, lo < hi
                double lo = -0.1 - r.nextInt(10) * 0.1, hi = 0.1 + r.nextInt(10) * 0.1;
                yield withMag(call("clip", gen(s, d), number(lo), number(hi)), 1);
            }
            default -> {
                Ex lo = gen(Sh.S, Math.max(0, d - 1));
                yield withMag(new Ex("clip(" + a.t + ", " + lo.t + ", " + at(lo, ADD).t + " + 0.5 + " + at(b, POW + 1).t + "^2)", ATOM, 0),
                        a.mag + lo.mag);
            }
        };
    }

    private static Ex number(double v) {
        String t = Double.toString(Math.round(v * 10) / 10.0);
        return new Ex(t, t.startsWith("-") ? UNARY : ATOM, Math.abs(v));
    }

    /** A condition of shape S or s (elementwise). */
    private Ex condition(Sh s, int d) {
        Sh cs = s == Sh.S || r.nextBoolean() ? Sh.S : s;
        Ex a = gen(cs, d), b = gen(cs, Math.max(0, d - 1));
        return switch (r.nextInt(9)) {
            case 0 -> infix(a, "<", b, CMP, 1);
            case 1 -> infix(a, ">=", number(), CMP, 1);
            case 2 -> new Ex(at(a, CMP + 1).t + " > " + at(b, CMP + 1).t, CMP, 1);
            case 3 -> new Ex("not " + at(infix(a, "<=", b, CMP, 1), NOT).t, NOT, 1);
            case 4 -> new Ex(at(infix(a, ">", number(), CMP, 1), AND).t + " and " + at(infix(b, "<", number(), CMP, 1), NOT).t, AND, 1);
            case 5 -> new Ex(at(infix(a, "<", number(), CMP, 1), OR).t + " or " + at(infix(b, ">", a, CMP, 1), AND).t, OR, 1);
            case 6 -> new Ex("round(" + a.t + ") == round(" + b.t + ")", CMP, 1);
            case 7 -> new Ex("floor(" + a.t + ") != 0", CMP, 1);
            default -> r.nextBoolean() ? withMag(call("sign", a), 1) : withMag(call("relu", a), a.mag); // non-zero is true
        };
    }

    private Ex conditional(Sh s, int d) {
        Ex c = condition(s, d);
        Ex a = gen(s, d), b = gen(s, d);
        // else-branch may be another if without parentheses
        return new Ex("if " + at(c, OR).t + " then " + at(a, OR).t + " else " + at(b, IF).t, IF, Math.max(a.mag, b.mag));
    }

    /** A comparison (0 or 1) used as a number. */
    private Ex compareValue(Sh s, int d) {
        Ex c = condition(s, d);
        Ex a = gen(s, d);
        if (r.nextBoolean()) return new Ex(at(a, MUL).t + " * " + at(c, MUL + 1).t, MUL, a.mag);
        return new Ex(at(c, ADD).t + " + " + at(a, ADD + 1).t, ADD, a.mag + 1);
    }

    private Ex defCall(Sh s, int d) {
        Ex a = gen(s, d);
        return switch (r.nextInt(14)) {
            case 0 -> { Ex b = bounded(a); yield withMag(call("sq", b), b.mag * b.mag); }
            case 1 -> withMag(call("softsign", a), 1);
            case 2 -> withMag(call("ramp", a), 2 * a.mag);
            case 3 -> new Ex("ramp(" + a.t + ", k = 0.5)", ATOM, a.mag);
            case 4 -> new Ex("ramp(" + a.t + ", 3)", ATOM, 3 * a.mag);
            case 5 -> { Ex b = gen(s, d); yield withMag(call("lerp", a, b), 1.5 * Math.max(a.mag, b.mag)); }
            case 6 -> { Ex b = gen(s, d); yield new Ex("lerp(q = " + b.t + ", p = " + a.t + ", s = 0.7)", ATOM, 2.4 * Math.max(a.mag, b.mag)); }
            case 7 -> withMag(call("bump", a), 1);
            case 8 -> new Ex("bump(" + a.t + ", w = 2)", ATOM, 1);
            case 9 -> withMag(call("huber", bounded(a)), 20);
            case 10 -> new Ex("huber(" + bounded(a).t + ", d = 0.5)", ATOM, 10);
            case 11 -> withMag(call("squash", a), 1);
            case 12 -> r.nextBoolean() ? withMag(call("shade", a), 0.5 * a.mag + 1.5)
                    : new Ex("shade(" + a.t + ", a = " + bounded(gen(Sh.S, d)).t + ")", ATOM, 20 * a.mag + 1.5);
            default -> withMag(call("shift", a), a.mag + 1.5);
        };
    }

    private Ex randomDefCall(int d) {
        String def = randomDefs.get(r.nextInt(randomDefs.size()));
        String name = def.substring(0, def.length() - 1);
        boolean two = def.endsWith("2");
        Ex u = small(gen(Sh.S, d));
        if (two && r.nextBoolean()) {
            Ex w = small(gen(Sh.S, d));
            return new Ex(r.nextBoolean() ? name + "(" + u.t + ", " + w.t + ")" : name + "(w = " + w.t + ", u = " + u.t + ")", ATOM, 1e3);
        }
        return new Ex(name + "(" + u.t + ")", ATOM, 1e3);
    }

    // ---------------------------------------------------------- scalar-valued

    private Ex reduction(int d) {
        Sh src = pick(Sh.V2, Sh.V3, Sh.V3, Sh.M23, Sh.M33, Sh.M22, Sh.M32);
        Ex a = gen(src, d);
        int n = src.size();
        return switch (r.nextInt(8)) {
            case 0 -> withMag(call("sum", a), n * a.mag);
            case 1 -> withMag(call("mean", a), a.mag);
            case 2 -> withMag(call("norm", a), Math.sqrt(n) * a.mag);
            case 3 -> withMag(call("norm1", a), n * a.mag);
            case 4 -> withMag(call("min", a), a.mag);
            case 5 -> withMag(call("max", a), a.mag);
            case 6 -> withMag(call("logsumexp", a), a.mag + 3);
            default -> {
                Ex b = gen(src, d); // sum of elementwise product, or dot of softmax and something
                yield withMag(call("sum", infix(call("softmax", a), "*", b, MUL, 0)), b.mag);
            }
        };
    }

    private Ex index(int d) {
        Sh src = pick(Sh.V2, Sh.V3, Sh.M23, Sh.M32, Sh.M33);
        Ex a = gen(src, d);
        if (src.isMatrix()) return new Ex(at(a, ATOM).t + "[" + idx(src.rows) + ", " + idx(src.cols) + "]", ATOM, a.mag);
        return new Ex(at(a, ATOM).t + "[" + idx(src.rows) + "]", ATOM, a.mag);
    }

    private Ex dotLike(int d) {
        Sh src = pick(Sh.V2, Sh.V3);
        Ex a = gen(src, d), b = gen(src, d);
        if (a.mag * b.mag > 100) { a = bounded(a); b = bounded(b); }
        double mag = src.rows * a.mag * b.mag;
        return r.nextBoolean() ? withMag(call("dot", a, b), mag) : infix(a, "@", b, MUL, mag);
    }

    // ------------------------------------------------------ structural, by shape

    private Ex structural(Sh s, int d) {
        List<Supplier<Ex>> c = new ArrayList<>();
        // a literal of expressions
        c.add(() -> pack(s, d));
        // a matrix product into s
        c.add(() -> matmulInto(s, d));
        if (s.rank == 1) {
            int n = s.rows;
            // a row of a matrix with n columns
            c.add(() -> {
                Sh m = r.nextBoolean() ? Sh.matrix(n == 3 ? 2 : 3, n) : Sh.matrix(n, n);
                Ex a = gen(m, d);
                return new Ex(at(a, ATOM).t + "[" + idx(m.rows) + "]", ATOM, a.mag);
            });
            // a column: transpose(M)[j]
            c.add(() -> {
                Sh m = Sh.matrix(n, n == 3 ? 2 : 3);
                Ex a = gen(m, d);
                return new Ex("transpose(" + a.t + ")[" + idx(m.cols) + "]", ATOM, a.mag);
            });
            // a reduction along an axis
            c.add(() -> axisReduction(s, d));
            c.add(() -> withMag(call("softmax", gen(s, d)), 1));
            c.add(() -> { Ex a = gen(Sh.matrix(n, n), d); return withMag(call("diag", a), a.mag); });
            c.add(() -> solveInto(s, d));
            // onehot of a (variable) label; no derivative
            c.add(() -> new Ex("onehot(clip(round(" + gen(Sh.S, d).t + "), 0, " + (n - 1) + "), " + n + ")", ATOM, 1));
            c.add(() -> { Ex a = gen(s, d); return withMag(call("dropout", a, new Ex("0.25", ATOM, 0)), a.mag); });
        } else {
            c.add(() -> solveInto(s, d));
            c.add(() -> { // columns side by side
                StringBuilder sb = new StringBuilder("stack(");
                double mag = 0;
                for (int j = 0; j < s.cols; j++) {
                    Ex col = gen(Sh.vector(s.rows), d);
                    mag = Math.max(mag, col.mag);
                    sb.append(j > 0 ? ", " : "").append(col.t);
                }
                return new Ex(sb.append(')').toString(), ATOM, mag);
            });
            c.add(() -> new Ex("onehot(clip(round(" + gen(Sh.vector(s.rows), d).t + "), 0, " + (s.cols - 1) + "), " + s.cols + ")", ATOM, 1));
            c.add(() -> {
                Ex a = gen(Sh.vector(s.rows), d), b = gen(Sh.vector(s.cols), d);
                if (a.mag * b.mag > 100) { a = bounded(a); b = bounded(b); }
                return withMag(call("outer", a, b), a.mag * b.mag);
            });
            c.add(() -> { Ex a = gen(s.transposed(), d); return withMag(call("transpose", a), a.mag); });
            c.add(() -> new Ex("softmax(" + gen(s, d).t + ", axis = " + r.nextInt(2) + ")", ATOM, 1));
            if (s.rows == s.cols) {
                c.add(() -> { Ex a = gen(Sh.vector(s.rows), d); return withMag(call("diag", a), a.mag); });
                c.add(() -> { Ex a = gen(Sh.S, d); return new Ex("eye(" + s.rows + ") * " + at(a, MUL + 1).t, MUL, a.mag); });
            }
            c.add(() -> {
                Ex a = gen(Sh.S, d);
                return new Ex(at(a, MUL).t + " * " + (r.nextBoolean() ? "ones(" + s.rows + ", " + s.cols + ")" : "zeros(" + s.rows + ", " + s.cols + ")"),
                        MUL, a.mag);
            });
        }
        return c.get(r.nextInt(c.size())).get();
    }

    /** solve(A, B) with A = 4·I + tanh(M), strictly diagonally dominant (|a_ii| > 3 > Σ|a_ij|), so well conditioned. */
    private Ex solveInto(Sh s, int d) {
        int n = s.rows;
        Ex m = gen(Sh.matrix(n, n), d), b = gen(s, d);
        return new Ex("solve(4 * eye(" + n + ") + tanh(" + m.t + "), " + b.t + ")", ATOM, b.mag);
    }

    private Ex pack(Sh s, int d) {
        StringBuilder sb = new StringBuilder("[");
        double mag = 0;
        if (s.isMatrix() && r.nextBoolean()) { // rows as vector expressions
            for (int i = 0; i < s.rows; i++) {
                Ex row = gen(Sh.vector(s.cols), d);
                mag = Math.max(mag, row.mag);
                sb.append(i > 0 ? ", " : "").append(row.t);
            }
            return new Ex(sb.append(']').toString(), ATOM, mag);
        }
        for (int i = 0; i < s.rows; i++) {
            if (i > 0) sb.append(", ");
            if (s.isMatrix()) {
                sb.append('[');
                for (int j = 0; j < s.cols; j++) {
                    Ex e = gen(Sh.S, Math.max(0, d - 1));
                    mag = Math.max(mag, e.mag);
                    sb.append(j > 0 ? ", " : "").append(e.t);
                }
                sb.append(']');
            } else {
                Ex e = gen(Sh.S, d);
                mag = Math.max(mag, e.mag);
                sb.append(e.t);
            }
        }
        return new Ex(sb.append(']').toString(), ATOM, mag);
    }

    /** A product A @ B whose result has shape s. */
    private Ex matmulInto(Sh s, int d) {
        int inner = r.nextBoolean() ? 2 : 3;
        Sh left, right;
        if (s.rank == 1) {
            if (r.nextBoolean()) { left = Sh.matrix(s.rows, inner); right = Sh.vector(inner); }
            else { left = Sh.vector(inner); right = Sh.matrix(inner, s.rows); }
        } else {
            left = Sh.matrix(s.rows, inner);
            right = Sh.matrix(inner, s.cols);
        }
        Ex a = gen(left, d), b = gen(right, d);
        if (a.mag * b.mag > 100) { a = bounded(a); b = bounded(b); }
        return infix(a, "@", b, MUL, inner * a.mag * b.mag);
    }

    private Ex axisReduction(Sh s, int d) {
        int n = s.rows;
        // axis 0 of [m, n] gives [n]; axis 1 of [n, m] gives [n]
        boolean axis0 = r.nextBoolean();
        Sh src = axis0 ? Sh.matrix(n == 3 ? 2 : 3, n) : Sh.matrix(n, n == 3 ? 2 : 3);
        if (r.nextInt(4) == 0) src = Sh.matrix(n, n);
        Ex a = gen(src, d);
        String f = pick("sum", "mean", "min", "max", "logsumexp");
        String axis = r.nextInt(3) == 0 ? (axis0 ? "axis = 0" : "axis = 1") : (axis0 ? "axis = 0" : "axis = 1");
        double mag = f.equals("sum") ? 3 * a.mag : f.equals("logsumexp") ? a.mag + 2 : a.mag;
        return new Ex(f + "(" + a.t + ", " + axis + ")", ATOM, mag);
    }

    @SafeVarargs
    private <T> T pick(T... options) { return options[r.nextInt(options.length)]; }
}
