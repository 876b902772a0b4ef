package dev.descent.syntax;

/** A span in a source file: line and column from 1 (columns in characters), and its length on that line. */
public record Pos(SourceFile source, int line, int column, int length) {
    @Override public String toString() { return source.name() + ":" + line + ":" + column; }
}
