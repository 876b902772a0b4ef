package dev.descent.api;

/**
 * One parameter of a script, and where its elements lie in the flat parameter vector θ:
 * elements {@code offset … offset + size - 1}, row-major for a matrix.
 *
 * @param name   its name in the script
 * @param shape  {@code []} for a scalar, {@code [n]} for a vector, {@code [rows, cols]} for a matrix
 * @param offset index of its first element in θ
 * @param size   number of elements
 */
public record Parameter(String name, int[] shape, int offset, int size) {
    /**
     * A parameter's place in θ; the shape is copied.
     *
     * @param name   its name in the script
     * @param shape  {@code []}, {@code [n]} or {@code [rows, cols]}
     * @param offset index of its first element in θ
     * @param size   number of elements
     */
    public Parameter {
        shape = shape.clone();
    }

    /**
     * The shape.
     *
     * @return a copy of the shape (an empty array for a scalar)
     */
    @Override public int[] shape() { return shape.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof Parameter p && p.name.equals(name) && java.util.Arrays.equals(p.shape, shape) && p.offset == offset && p.size == size;
    }

    @Override public int hashCode() { return name.hashCode() * 31 + offset; }

    @Override public String toString() {
        return name + java.util.Arrays.toString(shape) + "@" + offset;
    }

    static Parameter of(dev.descent.check.Script.Param p) {
        dev.descent.ir.Shape s = p.shape();
        int[] shape = s.isScalar() ? new int[0] : s.isVector() ? new int[] {s.rows()} : new int[] {s.rows(), s.cols()};
        return new Parameter(p.name(), shape, p.offset(), s.size());
    }
}
