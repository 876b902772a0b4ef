package dev.descent.ir;

/**
 * A static shape: a scalar, a vector {@code [n]} or a matrix {@code [m, n]}.
 * Every value in a script has one, known before anything runs.
 */
public record Shape(int rank, int rows, int cols) {
    public static final Shape SCALAR = new Shape(0, 1, 1);

    /**
     * The most elements an array the engines hold may have: Java arrays are indexed by int, and
     * a JVM refuses the last few indices. A shape may describe a larger array (the step's Hessian
     * input H is [n, n] whatever n is, and is only ever made when an optimizer reads it), but
     * nothing larger is computed: {@link Dag} refuses it, and {@link #size} throws rather than
     * wrap around.
     */
    public static final int MAX_SIZE = Integer.MAX_VALUE - 64;

    public Shape {
        if (rank < 0 || rank > 2 || rows < 0 || cols < 0) throw new IllegalArgumentException("bad shape");
    }

    // written out, as the record's would be (the record's own equals and hashCode are made by a bootstrap at run time, which cold took a fifth of a short check)
    @Override public boolean equals(Object other) {
        return other instanceof Shape o && rank == o.rank && rows == o.rows && cols == o.cols;
    }

    @Override public int hashCode() { return 31 * (31 * Integer.hashCode(rank) + Integer.hashCode(rows)) + Integer.hashCode(cols); }

    public static Shape vector(int n) { return new Shape(1, n, 1); }

    public static Shape matrix(int m, int n) { return new Shape(2, m, n); }

    public boolean isScalar() { return rank == 0; }

    public boolean isVector() { return rank == 1; }

    public boolean isMatrix() { return rank == 2; }

    /** Length of a vector, rows of a matrix, 1 for a scalar. */
    public int length() { return rows; }

    /** Number of elements, exactly, even when the shape is too large to hold ({@link #MAX_SIZE}). */
    public long elements() { return rank == 0 ? 1 : rank == 1 ? rows : (long) rows * cols; }

    /**
     * Number of elements, as an index into an array; an ArithmeticException for a matrix too
     * large for an int (a shape no array can have: see {@link #MAX_SIZE}), never a wrapped-around count.
     */
    public int size() { return rank == 0 ? 1 : rank == 1 ? rows : Math.multiplyExact(rows, cols); }

    @Override public String toString() {
        return switch (rank) {
            case 0 -> "scalar";
            case 1 -> "[" + rows + "]";
            default -> "[" + rows + ", " + cols + "]";
        };
    }
}
