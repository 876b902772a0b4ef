package dev.descent.check;

import dev.descent.ir.Node;
import dev.descent.syntax.Ast;
import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer call as a report names it ({@link Step#call}): the text written in the source,
 * with each argument that is one number shown as that number.
 */
final class CallText {
    private CallText() {}

    /**
     * The call as it runs: each argument that is one number shown as that number, so that
     * {@code gd(lr = lr)} after {@code --set lr=1.1} reads "gd(lr = 1.1)"; a number as written keeps
     * its spelling; an argument that changes with t (a schedule) keeps its form, each of its own
     * arguments shown the same way ("sgd(lr = step_decay(0.2, 0.5, 10))"); anything else as written.
     * A call written over several lines is shown as {@link #text} gives it.
     */
    static String shown(Checker ck, Ast.Call call, String written, Checker.Scope scope) {
        int open = written.indexOf('(');
        if (call.args().isEmpty() || open < 0 || !written.endsWith(")")) return written;
        List<String> parts = topLevelArgs(written.substring(open + 1, written.length() - 1));
        if (parts.size() != call.args().size()) return written;
        StringBuilder sb = new StringBuilder(written.substring(0, open).strip()).append('(');
        for (int i = 0; i < parts.size(); i++) {
            Ast.Arg a = call.args().get(i);
            String part = parts.get(i).strip();
            if (i > 0) sb.append(", ");
            if (a.name() != null) {
                int eq = part.indexOf('=');
                if (!part.startsWith(a.name()) || eq < 0) return written;
                part = part.substring(eq + 1).strip();
                sb.append(a.name()).append(" = ");
            }
            sb.append(shownValue(ck, a.value(), part, scope));
        }
        return sb.append(')').toString();
    }

    private static String shownValue(Checker ck, Ast.Expr e, String written, Checker.Scope scope) {
        if (e instanceof Ast.Num) return written;
        int mark = ck.mark();
        Node v = ck.expr(e, scope);
        ck.rollback(mark); // checked already: nothing new to say
        if (v != null && v.isScalarConst()) return number(v.num);
        if (e instanceof Ast.Call c) return shown(ck, c, written, scope);
        return written;
    }

    /** The arguments' texts between a call's brackets, split at the commas outside brackets. */
    private static List<String> topLevelArgs(String inside) {
        List<String> out = new ArrayList<>();
        int depth = 0, from = 0;
        for (int i = 0; i < inside.length(); i++) {
            char ch = inside.charAt(i);
            if (ch == '(' || ch == '[') depth++;
            else if (ch == ')' || ch == ']') depth--;
            else if (ch == ',' && depth == 0) {
                out.add(inside.substring(from, i));
                from = i + 1;
            }
        }
        out.add(inside.substring(from));
        return out;
    }

    /** A value as the report prints numbers: whole numbers without ".0", else the shortest repr (e for the exponent). */
    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15 && !(v == 0 && 1 / v < 0)) return Long.toString((long) v);
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return Double.toString(v).replace('E', 'e');
    }

    /** The call as written in the source, e.g. "adam(lr = 0.05)". */
    static String text(Ast.Call call) {
        String line = call.pos().source().line(call.pos().line());
        int from = line.offsetByCodePoints(0, Math.min(call.pos().column() - 1, line.codePointCount(0, line.length())));
        int after = from + call.name().length();
        while (after < line.length() && Character.isWhitespace(line.charAt(after))) after++;
        if (call.args().isEmpty() && (after >= line.length() || line.charAt(after) != '(')) return call.name(); // written without ( )
        int depth = 0;
        for (int i = from; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '(') depth++;
            else if (ch == ')' && --depth == 0) return line.substring(from, i + 1);
        }
        return call.args().isEmpty() ? call.name() : call.name() + "(…)";
    }
}
