package dev.descent.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes DAG nodes in the language's own syntax with as few parentheses as the
 * grammar allows, so that the text pasted back into a script parses to the same
 * structure (and so the same value).
 *
 * <p>Precedence, low to high: {@code if}; {@code or}; {@code and}; {@code not};
 * comparisons (non-associative); {@code + -}; {@code * / @}; unary {@code -};
 * {@code ^} (right-associative, its right operand may be unary: {@code x^-2});
 * postfix (calls, indexing, {@code d.col}) and atoms. Left-associative operators
 * parenthesize a right operand of their own level ({@code a - (b - c)}); a
 * prefix form ({@code -x}, {@code not x}, {@code if}) is parenthesized wherever
 * it would otherwise swallow what follows it. Call arguments and literal
 * elements are full expressions; an {@code if} elsewhere, except as the
 * {@code else} branch of another {@code if}, is parenthesized.
 *
 * <p>Printing uses an explicit stack, so arbitrarily deep expressions (a sum of
 * 100,000 terms is a 100,000-deep spine) print without recursion. {@link #print}
 * writes every occurrence of a shared node in full (its text can be exponential
 * in the DAG's size); {@link #printShared} names shared subexpressions and is
 * linear in the DAG's size.
 */
public final class Printer {
    private Printer() {}

    // Precedence levels, low to high.
    static final int IF = 0, OR = 1, AND = 2, NOT = 3, CMP = 4, ADD = 5, MUL = 6, UNARY = 7, POW = 8, ATOM = 9;

    /** Printed forms no longer than this are not worth a name in {@link #printShared}. */
    static final int SHORT = 12;

    /** A child to print in a place that needs precedence at least {@code min} without parentheses. */
    private record Sub(Node node, int min) {}

    /** Shared subexpressions as {@code lets} (name to text, in dependency order) and each output's text. */
    public record Printed(List<Map.Entry<String, String>> lets, LinkedHashMap<String, String> outputs) {
        /** The lets and outputs as script lines: {@code let u1 = …} then {@code NAME = …}. */
        public String toScript() {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, String> e : lets) sb.append("let ").append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
            for (Map.Entry<String, String> e : outputs.entrySet()) sb.append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
            return sb.toString();
        }
    }

    // ------------------------------------------------------------------ API

    /** One expression, everything inline. */
    public static String print(Node n) {
        return new Writer(Map.of()).write(n, false);
    }

    /**
     * Several named outputs sharing subexpressions. Each non-trivial node that occurs
     * more than once across the outputs (not a leaf or constant, not {@code x[0]} or
     * {@code -x} of a leaf, not a form of at most {@value #SHORT} characters) is named
     * {@code u1}, {@code u2}, … (skipping the names in {@code taken} and the output
     * names) in dependency order. A dropout mask used more than once is named too, so
     * that it stays one mask.
     */
    public static Printed printShared(LinkedHashMap<String, Node> outputs, Set<String> taken) {
        if (taken == null) taken = Set.of();
        // Reachable nodes and how often each occurs: once per input slot of a reachable
        // parent, once per output it is the root of.
        List<Node> order = Reach.inIdOrder(outputs.values()); // inputs before their users
        HashMap<Node, Integer> refs = new HashMap<>();
        for (Node root : outputs.values()) refs.merge(root, 1, Integer::sum);
        for (Node x : order)
            for (int i = 0; i < x.arity(); i++) refs.merge(x.in(i), 1, Integer::sum);

        HashMap<Node, String> names = new HashMap<>();
        HashMap<Node, String> shortText = new HashMap<>();
        ArrayList<Node> named = new ArrayList<>();
        int counter = 0;
        for (Node n : order) {
            String text = shortForm(n, names, shortText);
            if (text != null) shortText.put(n, text);
            if (refs.get(n) >= 2 && worthNaming(n, text, names)) {
                String name;
                do name = "u" + ++counter; while (taken.contains(name) || outputs.containsKey(name));
                names.put(n, name);
                named.add(n);
            }
        }

        Writer w = new Writer(names);
        List<Map.Entry<String, String>> lets = new ArrayList<>(named.size());
        for (Node n : named) lets.add(Map.entry(names.get(n), w.write(n, true)));
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : outputs.entrySet()) out.put(e.getKey(), w.write(e.getValue(), false));
        return new Printed(lets, out);
    }

    private static boolean worthNaming(Node n, String text, Map<Node, String> names) {
        if (n.op == Op.RANDOM) return true; // printed twice it would be two masks
        if (n.op.kind == Op.Kind.LEAF || n.isFill()) return false;
        if (text != null) return false; // short
        if ((n.op == Op.NEG || n.op == Op.INDEX) && (isPlainLeaf(n.in(0)) || names.containsKey(n.in(0)))) return false;
        return true;
    }

    private static boolean isPlainLeaf(Node n) {
        return n.op == Op.PARAM || n.op == Op.DATA || n.op == Op.INPUT || n.op == Op.CONST || n.isFill();
    }

    /** n's text when it is at most SHORT characters, given its children's (named or short) texts; else null. */
    private static String shortForm(Node n, Map<Node, String> names, Map<Node, String> shortText) {
        StringBuilder sb = new StringBuilder();
        for (Object p : pieces(n)) {
            if (p instanceof String s) {
                sb.append(s);
            } else {
                Sub sub = (Sub) p;
                String t = names.get(sub.node);
                int prec = ATOM;
                if (t == null) {
                    t = shortText.get(sub.node);
                    if (t == null) return null;
                    prec = prec(sub.node);
                }
                if (prec < sub.min) sb.append('(').append(t).append(')');
                else sb.append(t);
            }
            if (sb.length() > SHORT) return null;
        }
        return sb.toString();
    }

    // ------------------------------------------------------------ the writer

    /** Writes a node with an explicit stack of pending strings and sub-nodes; named nodes print as their names. */
    private static final class Writer {
        private final Map<Node, String> names;
        private final StringBuilder sb = new StringBuilder();
        private final ArrayDeque<Object> stack = new ArrayDeque<>();

        Writer(Map<Node, String> names) { this.names = names; }

        /** The text of root; with expandRoot, a named root is written out rather than as its name. */
        String write(Node root, boolean expandRoot) {
            sb.setLength(0);
            stack.clear();
            if (expandRoot) expand(root, IF);
            else stack.push(new Sub(root, IF));
            while (!stack.isEmpty()) {
                Object o = stack.pop();
                if (o instanceof String s) {
                    sb.append(s);
                    continue;
                }
                Sub sub = (Sub) o;
                String name = names.get(sub.node);
                if (name != null) sb.append(name);
                else expand(sub.node, sub.min);
            }
            return sb.toString();
        }

        private void expand(Node n, int min) {
            List<Object> p = pieces(n);
            if (prec(n) < min) {
                sb.append('(');
                stack.push(")");
            }
            for (int i = p.size() - 1; i >= 0; i--) stack.push(p.get(i));
        }
    }

    // ------------------------------------------------------ forms of a node

    /** The precedence of n's printed form. */
    static int prec(Node n) {
        return switch (n.op) {
            case CONST -> n.shape.isScalar() ? (isNegative(n.num) ? UNARY : ATOM) : arrayConstPrec(n);
            case NEG -> UNARY;
            case NOT -> NOT;
            case ADD, SUB -> ADD;
            case MUL, DIV, MATMUL -> MUL;
            case POW -> POW;
            case LT, LE, GT, GE, EQ, NE -> CMP;
            case AND -> AND;
            case OR -> OR;
            case SELECT -> IF;
            case SCATTER -> IF;
            case BCAST -> ((Attr.Broadcast) n.attr).columns() ? ATOM : n.isFill() ? filledPrec(n) : MUL;
            default -> ATOM;
        };
    }

    /** n's form: strings and sub-nodes (with the precedence each place needs), left to right. */
    private static List<Object> pieces(Node n) {
        List<Object> p = new ArrayList<>(8);
        switch (n.op) {
            case CONST -> p.add(n.shape.isScalar() ? number(n.num) : arrayConst(n));
            case PARAM -> p.add(((Attr.Param) n.attr).name());
            case DATA -> {
                Attr.Column c = (Attr.Column) n.attr;
                p.add(c.data() + "." + c.column());
            }
            case INPUT -> p.add(((Attr.Input) n.attr).name());
            case RANDOM -> {
                Attr.Random r = (Attr.Random) n.attr;
                String mask = n.shape.isScalar() ? "1" : "ones(" + dims(n.shape) + ")";
                p.add("dropout(" + mask + ", " + number(r.rate()) + ")");
            }
            case NEG -> {
                p.add("-");
                p.add(new Sub(n.in(0), POW)); // -(-x), not - -x
            }
            case NOT -> {
                p.add("not ");
                p.add(new Sub(n.in(0), NOT));
            }
            case ADD, SUB -> infix(p, n, ADD);
            case MUL, DIV, MATMUL -> infix(p, n, MUL);
            case AND -> infix(p, n, AND);
            case OR -> infix(p, n, OR);
            case LT, LE, GT, GE, EQ, NE -> { // non-associative: both operands above comparison
                p.add(new Sub(n.in(0), CMP + 1));
                p.add(" " + n.op.spelling + " ");
                p.add(new Sub(n.in(1), CMP + 1));
            }
            case POW -> {
                p.add(new Sub(n.in(0), ATOM));
                p.add("^");
                p.add(new Sub(n.in(1), UNARY));
            }
            case SELECT -> {
                p.add("if ");
                p.add(new Sub(n.in(0), OR));
                p.add(" then ");
                p.add(new Sub(n.in(1), OR));
                p.add(" else ");
                p.add(new Sub(n.in(2), IF)); // else if … chains read naturally
            }
            case SUM_AXIS, MAX_AXIS, MIN_AXIS, LSE_AXIS -> {
                p.add(n.op.spelling + "(");
                p.add(new Sub(n.in(0), IF));
                p.add(", axis = " + ((Attr.Axis) n.attr).axis() + ")");
            }
            case INDEX -> {
                Attr.Index ix = (Attr.Index) n.attr;
                switch (ix.part()) {
                    case ELEMENT, ROW -> {
                        p.add(new Sub(n.in(0), ATOM));
                        p.add("[" + ix.i() + "]");
                    }
                    case ELEMENT2 -> {
                        p.add(new Sub(n.in(0), ATOM));
                        p.add("[" + ix.i() + ", " + ix.j() + "]");
                    }
                    case COLUMN -> {
                        p.add("transpose(");
                        p.add(new Sub(n.in(0), IF));
                        p.add(")[" + ix.j() + "]");
                    }
                }
            }
            case PACK -> {
                Shape s = ((Attr.Packed) n.attr).shape();
                if (s.isMatrix()) {
                    int m = s.rows(), c = s.cols();
                    p.add("[");
                    for (int i = 0; i < m; i++) {
                        p.add(i == 0 ? "[" : ", [");
                        for (int j = 0; j < c; j++) {
                            if (j > 0) p.add(", ");
                            p.add(new Sub(n.in(i * c + j), IF));
                        }
                        p.add("]");
                    }
                    p.add("]");
                } else {
                    p.add("[");
                    for (int i = 0; i < n.arity(); i++) {
                        if (i > 0) p.add(", ");
                        p.add(new Sub(n.in(i), IF));
                    }
                    p.add("]");
                }
            }
            case SCATTER -> {
                // exact even for an infinite or NaN input, which x * onehot(i, n) would spread as NaN into the zeros
                Attr.Scatter sc = (Attr.Scatter) n.attr;
                Attr.Index ix = sc.index();
                Shape s = sc.shape();
                String mask = switch (ix.part()) {
                    case ELEMENT -> "onehot(" + ix.i() + ", " + s.rows() + ")";
                    case ELEMENT2 -> "outer(onehot(" + ix.i() + ", " + s.rows() + "), onehot(" + ix.j() + ", " + s.cols() + "))";
                    case ROW -> "outer(onehot(" + ix.i() + ", " + s.rows() + "), ones(" + s.cols() + "))";
                    case COLUMN -> "outer(ones(" + s.rows() + "), onehot(" + ix.j() + ", " + s.cols() + "))";
                };
                p.add("if " + mask + " then ");
                switch (ix.part()) {
                    case ELEMENT, ELEMENT2 -> p.add(new Sub(n.in(0), OR));
                    case ROW -> {
                        p.add("ones(" + s.rows() + ", " + s.cols() + ") * ");
                        p.add(new Sub(n.in(0), POW));
                    }
                    case COLUMN -> {
                        p.add("outer(");
                        p.add(new Sub(n.in(0), IF));
                        p.add(", ones(" + s.cols() + "))");
                    }
                }
                p.add(" else 0");
            }
            case BCAST -> {
                Attr.Broadcast b = (Attr.Broadcast) n.attr;
                Shape s = b.shape();
                if (n.isFill()) p.add(filled(n));
                else if (b.columns()) {
                    p.add("outer(");
                    p.add(new Sub(n.in(0), IF));
                    p.add(", ones(" + s.cols() + "))");
                } else if (n.in(0).shape.isScalar()) {
                    p.add(new Sub(n.in(0), MUL));
                    p.add(" * ones(" + dims(s) + ")");
                } else {
                    p.add("ones(" + dims(s) + ") * ");
                    p.add(new Sub(n.in(0), MUL + 1));
                }
            }
            case ONEHOT -> {
                p.add("onehot(");
                p.add(new Sub(n.in(0), IF));
                p.add(", " + ((Attr.Classes) n.attr).k() + ")");
            }
            default -> { // calls: unary functions, min/max/atan2, clip, reductions, linear algebra
                if (n.op.spelling == null) throw new IllegalStateException("no spelling for " + n.op);
                p.add(n.op.spelling + "(");
                for (int i = 0; i < n.arity(); i++) {
                    if (i > 0) p.add(", ");
                    p.add(new Sub(n.in(i), IF));
                }
                p.add(")");
            }
        }
        return p;
    }

    /** A left-associative infix operator at level prec. */
    private static void infix(List<Object> p, Node n, int prec) {
        p.add(new Sub(n.in(0), prec));
        p.add(" " + n.op.spelling + " ");
        p.add(new Sub(n.in(1), prec + 1));
    }

    // ------------------------------------------------------------- constants

    private static boolean isNegative(double v) {
        return !Double.isNaN(v) && Double.doubleToRawLongBits(v) < 0; // -0.0 and -inf included
    }

    /**
     * A number as it is written in a script: integers without a fraction, others in
     * Java's shortest round-trip form ({@code 0.1}, {@code 1.0E-8}), {@code pi},
     * {@code inf}, {@code -inf}, NaN as {@code (0/0)}, -0.0 as {@code -0}.
     */
    public static String number(double v) {
        if (Double.isNaN(v)) return "(0/0)";
        if (v == Double.POSITIVE_INFINITY) return "inf";
        if (v == Double.NEGATIVE_INFINITY) return "-inf";
        if (v == Math.PI) return "pi";
        if (v == -Math.PI) return "-pi";
        if (v == 0) return isNegative(v) ? "-0" : "0";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    private static String dims(Shape s) {
        return s.isMatrix() ? s.rows() + ", " + s.cols() : Integer.toString(s.rows());
    }

    private enum ArrayForm { ZEROS, ONES, EYE, FILLED, LITERAL }

    private static ArrayForm arrayForm(Node n) {
        double[] v = ((Attr.Array) n.attr).values();
        boolean zeros = true, ones = true, same = true;
        long first = v.length > 0 ? Double.doubleToLongBits(v[0]) : 0;
        for (double x : v) {
            long bits = Double.doubleToLongBits(x);
            zeros &= bits == 0L; // +0.0 only: zeros(n) does not make -0.0
            ones &= x == 1.0;
            same &= bits == first;
        }
        if (zeros) return ArrayForm.ZEROS;
        if (ones) return ArrayForm.ONES;
        Shape s = n.shape;
        if (s.isMatrix() && s.rows() == s.cols()) {
            boolean eye = true;
            int m = s.rows();
            for (int i = 0; i < m && eye; i++)
                for (int j = 0; j < m; j++) {
                    double x = v[i * m + j];
                    if (i == j ? x != 1.0 : Double.doubleToLongBits(x) != 0L) { eye = false; break; }
                }
            if (eye) return ArrayForm.EYE;
        }
        if (same && v.length > 1) return ArrayForm.FILLED;
        return ArrayForm.LITERAL;
    }

    /**
     * A filled constant (a scalar constant broadcast) as the same array written as a literal
     * prints: {@code zeros(…)}, {@code ones(…)}, {@code c * ones(…)}, or {@code [c]} for one element.
     */
    private static String filled(Node n) {
        double v = n.fillValue();
        Shape s = n.shape;
        if (s.size() == 0 || Double.doubleToLongBits(v) == 0L) return "zeros(" + dims(s) + ")";
        if (v == 1.0) return "ones(" + dims(s) + ")";
        if (s.size() > 1) return number(v) + " * ones(" + dims(s) + ")";
        return s.isMatrix() ? "[[" + number(v) + "]]" : "[" + number(v) + "]";
    }

    private static int filledPrec(Node n) {
        double v = n.fillValue();
        boolean product = n.shape.size() > 1 && Double.doubleToLongBits(v) != 0L && v != 1.0;
        return product ? MUL : ATOM;
    }

    private static int arrayConstPrec(Node n) {
        return arrayForm(n) == ArrayForm.FILLED ? MUL : ATOM;
    }

    private static String arrayConst(Node n) {
        double[] v = ((Attr.Array) n.attr).values();
        Shape s = n.shape;
        return switch (arrayForm(n)) {
            case ZEROS -> "zeros(" + dims(s) + ")";
            case ONES -> "ones(" + dims(s) + ")";
            case EYE -> "eye(" + s.rows() + ")";
            case FILLED -> number(v[0]) + " * ones(" + dims(s) + ")";
            case LITERAL -> {
                StringBuilder sb = new StringBuilder("[");
                if (s.isMatrix()) {
                    int c = s.cols();
                    for (int i = 0; i < s.rows(); i++) {
                        if (i > 0) sb.append(", ");
                        sb.append('[');
                        for (int j = 0; j < c; j++) {
                            if (j > 0) sb.append(", ");
                            sb.append(number(v[i * c + j]));
                        }
                        sb.append(']');
                    }
                } else {
                    for (int i = 0; i < v.length; i++) {
                        if (i > 0) sb.append(", ");
                        sb.append(number(v[i]));
                    }
                }
                yield sb.append(']').toString();
            }
        };
    }
}
