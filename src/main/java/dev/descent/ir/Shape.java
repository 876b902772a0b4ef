package dev.descent.ir;

/**
 * A static shape: a scalar, a vector {@code [n]} or a matrix {@code [m, n]}.
 * Every value in a script has one, known before anything runs.
 */
public record Shape(int rank, int rows, int cols) {
    public static final Shape SCALAR = new Shape(0, 1, 1);

    public Shape {
        if (rank < 0 || rank > 2 || rows < 0 || cols < 0) throw new IllegalArgumentException("bad shape");
    }

    public static Shape vector(int n) { return new Shape(1, n, 1); }

    public static Shape matrix(int m, int n) { return new Shape(2, m, n); }

    public boolean isScalar() { return rank == 0; }

    public boolean isVector() { return rank == 1; }

    public boolean isMatrix() { return rank == 2; }

    /** Length of a vector, rows of a matrix, 1 for a scalar. */
    public int length() { return rows; }

    /** Number of elements. */
    public int size() { return rank == 0 ? 1 : rank == 1 ? rows : rows * cols; }

    @Override public String toString() {
        return switch (rank) {
            case 0 -> "scalar";
            case 1 -> "[" + rows + "]";
            default -> "[" + rows + ", " + cols + "]";
        };
    }
}
