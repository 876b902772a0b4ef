package dev.descent.ir;

/**
 * An operation was applied to operands of shapes it does not accept. The
 * message is written for a user ("cannot add shapes [3] and [4]"); the checker
 * attaches a source position and turns it into a Diagnostic.
 */
public final class ShapeError extends RuntimeException {
    private final String hint;

    public ShapeError(String message) { this(message, null); }

    public ShapeError(String message, String hint) {
        super(message, null, false, false);
        this.hint = hint;
    }

    public String hint() { return hint; }
}
