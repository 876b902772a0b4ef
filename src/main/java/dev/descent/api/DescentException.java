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
    private static final long serialVersionUID = 1L;

    /** The diagnostics; not serialized (they refer to the script's source), so empty in a deserialized copy. */
    private final transient List<Diagnostic> diagnostics;
    /** The text {@link #rendered()} returns. */
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

    /**
     * Every problem found, in the order {@code descent} reports them.
     *
     * @return the diagnostics, unmodifiable; empty when the problem has no place in a script
     *         (or this exception was deserialized)
     */
    public List<Diagnostic> diagnostics() { return diagnostics == null ? List.of() : diagnostics; }

    /**
     * The problems as the command line prints them.
     *
     * @return {@code FILE:LINE:COL: error: MESSAGE}, the line, a caret and the hint, for each
     *         problem, ending with a newline
     */
    public String rendered() { return rendered; }
}
