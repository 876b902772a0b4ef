package dev.descent.syntax;

import java.util.List;

/** One or more problems in a script or its data; carries every Diagnostic found. */
public final class CompileError extends RuntimeException {
    private final List<Diagnostic> diagnostics;

    public CompileError(Diagnostic d) { this(List.of(d)); }

    public CompileError(List<Diagnostic> diagnostics) {
        super(diagnostics.isEmpty() ? "error" : diagnostics.get(0).message(), null, false, false);
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() { return diagnostics; }

    /** All diagnostics, rendered. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : diagnostics) sb.append(d.render());
        return sb.toString();
    }
}
