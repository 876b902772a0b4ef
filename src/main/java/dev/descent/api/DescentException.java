package dev.descent.api;

import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import java.util.List;

/**
 * A problem with a script, its data or a request made of it: the Java API's one checked-by-
 * convention failure. When the problem is in a script, {@link #diagnostics()} holds every
 * problem found (file, line, column, message, hint) and {@link #rendered()} is the text that
 * {@code descent} prints for them: {@code FILE:LINE:COL: error: …}, the source line and a caret.
 */
public final class DescentException extends RuntimeException {
    private final List<Diagnostic> diagnostics;
    private final String rendered;

    DescentException(String message) {
        super(message, null, false, false);
        this.diagnostics = List.of();
        this.rendered = message.endsWith("\n") ? message : message + "\n";
    }

    DescentException(CompileError e) {
        super(render(e.diagnostics()), null, false, false);
        this.diagnostics = e.diagnostics();
        this.rendered = getMessage();
    }

    private static String render(List<Diagnostic> ds) {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : ds) sb.append(d.render());
        if (ds.size() > 1) sb.append(ds.size()).append(" errors\n");
        return sb.toString();
    }

    /** Every problem found, in the order {@code descent} reports them; empty when the problem has no place in a script. */
    public List<Diagnostic> diagnostics() { return diagnostics; }

    /** The problems as the command line prints them: {@code FILE:LINE:COL: error: MESSAGE}, the line, a caret, the hint. */
    public String rendered() { return rendered; }
}
