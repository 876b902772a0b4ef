package dev.descent.cli;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.syntax.Ast;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.Parser;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The script {@code compare} runs for one {@code --with CALL}: the script's text with its
 * {@code optimize} statements blanked out (lines kept, so diagnostics keep their places) and
 * {@code optimize with CALL for …} appended. Problems inside the call are reported against a
 * source named after the option ({@code --with 2:1:6}), showing the call alone.
 */
final class Comparison {
    private Comparison() {}

    static final String PREFIX = "optimize with ";
    static final long DEFAULT_STEPS = 1000;

    /** The checked script, or the diagnostics and whether they make a usage error (the call does not parse). */
    record Checked(Script script, List<Diagnostic> errors, boolean usage) {}

    /** The text of the script compared with {@code call}, and the line the call is on. */
    record Text(String text, int line, String call) {}

    static Text text(SourceFile source, String call, Long steps) {
        String text = source.text();
        Ast.Program program = Parser.parse(source);
        int[] lineStart = lineStarts(text);
        char[] blanked = text.toCharArray();
        String tail = null;
        List<Ast.Stmt> stmts = program.statements();
        for (int i = 0; i < stmts.size(); i++) {
            if (!(stmts.get(i) instanceof Ast.Optimize o)) continue;
            int from = offset(text, lineStart, o.pos()), to = i + 1 < stmts.size() ? offset(text, lineStart, stmts.get(i + 1).pos()) : text.length();
            if (tail == null && steps == null) tail = tail(text, lineStart, o, to);
            for (int k = from; k < to; k++) if (blanked[k] != '\n' && blanked[k] != '\r') blanked[k] = ' ';
        }
        if (steps != null) tail = "for " + steps + " steps";
        else if (tail == null) tail = "for " + DEFAULT_STEPS + " steps";
        StringBuilder sb = new StringBuilder(new String(blanked));
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n' && sb.charAt(sb.length() - 1) != '\r') sb.append('\n');
        int line = 1;
        for (int k = 0; k < sb.length(); k++) {
            char c = sb.charAt(k);
            if (c == '\n' || (c == '\r' && (k + 1 >= sb.length() || sb.charAt(k + 1) != '\n'))) line++;
        }
        String oneLine = call.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
        sb.append(PREFIX).append(oneLine).append(' ').append(tail).append('\n');
        return new Text(sb.toString(), line, oneLine);
    }

    /** "for N steps …": from the 'for' before the count to the statement's end. */
    private static String tail(String text, int[] lineStart, Ast.Optimize o, int end) {
        int count = offset(text, lineStart, start(o.count()));
        int k = count;
        while (k > 0 && Character.isWhitespace(text.charAt(k - 1))) k--;
        int from = k >= 3 && text.startsWith("for", k - 3) ? k - 3 : -1;
        String t = text.substring(from >= 0 ? from : count, Math.max(end, count)).strip();
        while (t.endsWith(";")) t = t.substring(0, t.length() - 1).strip();
        return from < 0 ? "for " + t : t;
    }

    static Checked check(Script s, String call, String name, Long steps, Map<String, Double> settings) {
        Text t = text(s.source, call, steps);
        SourceFile src = new SourceFile(s.source.name(), s.source.path(), t.text());
        SourceFile callSrc = SourceFile.ofString(name, t.call());
        Ast.Program program;
        try {
            program = Parser.parse(src);
        } catch (CompileError e) {
            return new Checked(null, remap(e.diagnostics(), src, t, callSrc), true);
        }
        List<Ast.Optimize> opts = new ArrayList<>();
        for (Ast.Stmt st : program.statements()) if (st instanceof Ast.Optimize o) opts.add(o);
        int callEnd = PREFIX.length() + t.call().codePointCount(0, t.call().length()); // last column of the call
        boolean one = opts.size() == 1 && opts.get(0).pos().line() == t.line()
                && (opts.get(0).optimizer() instanceof Ast.Call || opts.get(0).optimizer() instanceof Ast.Name);
        if (one) {
            Pos c = start(opts.get(0).count());
            one = c.line() > t.line() || c.column() > callEnd;
        }
        if (!one)
            return new Checked(null, List.of(new Diagnostic(callSrc, 1, 1, Math.max(1, t.call().length()),
                    "expected one optimizer call, like adam(lr = 0.1) or gd", "give the call alone: no 'for', ';' or '#'")), true);
        try {
            // the data sets the script loaded serve every call: a large file is read once, not once per --with
            return new Checked(Checker.check(src, settings, new Checker.Options(true, s.data, Map.of()).withLimits(s.options.limits())), null, false);
        } catch (CompileError e) {
            return new Checked(null, remap(e.diagnostics(), src, t, callSrc), false);
        }
    }

    /** Diagnostics inside the call, moved to the call's own source. */
    private static List<Diagnostic> remap(List<Diagnostic> ds, SourceFile src, Text t, SourceFile callSrc) {
        int n = t.call().codePointCount(0, t.call().length());
        List<Diagnostic> out = new ArrayList<>();
        for (Diagnostic d : ds) {
            int col = d.column() - PREFIX.length();
            if (d.source() == src && d.line() == t.line() && col >= 1 && col <= n + 1)
                out.add(new Diagnostic(callSrc, 1, col, Math.max(1, Math.min(d.length(), n + 1 - col + 1)), d.message(), d.hint()));
            else out.add(d);
        }
        return out;
    }

    static Pos start(Ast.Expr e) {
        return switch (e) {
            case Ast.Binary b -> start(b.left());
            case Ast.Index i -> start(i.target());
            case Ast.Member m -> start(m.target());
            default -> e.pos();
        };
    }

    private static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int offset(String text, int[] lineStart, Pos p) {
        int ls = lineStart[Math.min(p.line(), lineStart.length) - 1];
        int lineEnd = ls;
        while (lineEnd < text.length() && text.charAt(lineEnd) != '\n' && text.charAt(lineEnd) != '\r') lineEnd++;
        int cps = text.codePointCount(ls, lineEnd);
        return text.offsetByCodePoints(ls, Math.min(p.column() - 1, cps));
    }
}
