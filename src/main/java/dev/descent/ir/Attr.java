package dev.descent.ir;

import java.util.Arrays;
import java.util.Objects;

/**
 * Operation-specific attributes of nodes. All are values (equals/hashCode by content), so nodes hash-cons.
 * Their equals and hashCode are written out as the records' own would be: those are made by a
 * bootstrap at run time, which cold was a large part of a short command's start-up.
 */
public sealed interface Attr {

    /** A parameter of the script: its name, its position among the parameters, its shape, and its offset in the flat θ. */
    record Param(String name, int index, Shape shape, int offset) implements Attr {
        @Override public boolean equals(Object other) {
            return other instanceof Param o && Objects.equals(name, o.name) && index == o.index && Objects.equals(shape, o.shape) && offset == o.offset;
        }

        @Override public int hashCode() { return 31 * (31 * (31 * Objects.hashCode(name) + Integer.hashCode(index)) + Objects.hashCode(shape)) + Integer.hashCode(offset); }

        /** This parameter's elements of the flat θ, copied. */
        public double[] slice(double[] theta) { return java.util.Arrays.copyOfRange(theta, offset, offset + shape.size()); }
    }

    /** A column of a data set: {@code d.price}. */
    record Column(String data, String column) implements Attr {
        @Override public boolean equals(Object other) {
            return other instanceof Column o && Objects.equals(data, o.data) && Objects.equals(column, o.column);
        }

        @Override public int hashCode() { return 31 * Objects.hashCode(data) + Objects.hashCode(column); }
    }

    /** An input of an optimizer step or a driver value (g, f, t, a state, a hyperparameter). */
    record Input(String name) implements Attr {
        @Override public boolean equals(Object other) {
            return other instanceof Input o && Objects.equals(name, o.name);
        }

        @Override public int hashCode() { return Objects.hashCode(name); }
    }

    /** A dropout mask: keep with probability 1-rate, kept elements scaled by 1/(1-rate). {@code id} tells masks apart. */
    record Random(int id, double rate) implements Attr {
        @Override public boolean equals(Object other) {
            return other instanceof Random o && id == o.id && Double.compare(rate, o.rate) == 0;
        }

        @Override public int hashCode() { return 31 * Integer.hashCode(id) + Double.hashCode(rate); }
    }

    /** An array constant, row-major. */
    record Array(double[] values) implements Attr {
        @Override public boolean equals(Object o) {
            if (!(o instanceof Array a)) return false;
            if (a.values.length != values.length) return false;
            for (int i = 0; i < values.length; i++)
                if (Double.doubleToLongBits(values[i]) != Double.doubleToLongBits(a.values[i])) return false;
            return true;
        }

        @Override public int hashCode() { return Arrays.hashCode(values); }

        @Override public String toString() { return Arrays.toString(values); }
    }

    /** Reduction axis: 0 reduces each column, 1 each row. */
    record Axis(int axis) implements Attr {
        @Override public boolean equals(Object other) {
            return other instanceof Axis o && axis == o.axis;
        }

        @Override public int hashCode() { return Integer.hashCode(axis); }
    }

    /** Number of classes of onehot. */
    record Classes(int k) implements Attr {
        @Override public boolean equals(Object other) {
            return other instanceof Classes o && k == o.k;
        }

        @Override public int hashCode() { return Integer.hashCode(k); }
    }

    /** The target shape of a PACK. */
    record Packed(Shape shape) implements Attr {
        @Override public boolean equals(Object other) {
            return other instanceof Packed o && Objects.equals(shape, o.shape);
        }

        @Override public int hashCode() { return Objects.hashCode(shape); }
    }

    /**
     * Which part of an array an INDEX reads or a SCATTER writes: an element of a vector
     * ({@code i}), of a matrix ({@code i, j}), a row ({@code i}) or a column ({@code j}).
     */
    record Index(Part part, int i, int j) implements Attr {
        @Override public boolean equals(Object other) {
            return other instanceof Index o && Objects.equals(part, o.part) && i == o.i && j == o.j;
        }

        @Override public int hashCode() { return 31 * (31 * Objects.hashCode(part) + Integer.hashCode(i)) + Integer.hashCode(j); }

        public enum Part { ELEMENT, ELEMENT2, ROW, COLUMN }

        public static Index element(int i) { return new Index(Part.ELEMENT, i, 0); }

        public static Index element(int i, int j) { return new Index(Part.ELEMENT2, i, j); }

        public static Index row(int i) { return new Index(Part.ROW, i, 0); }

        public static Index column(int j) { return new Index(Part.COLUMN, 0, j); }
    }

    /** SCATTER: where its input goes, in an array of shape {@code shape}, zero elsewhere. */
    record Scatter(Index index, Shape shape) implements Attr {
        @Override public boolean equals(Object other) {
            return other instanceof Scatter o && Objects.equals(index, o.index) && Objects.equals(shape, o.shape);
        }

        @Override public int hashCode() { return 31 * Objects.hashCode(index) + Objects.hashCode(shape); }
    }

    /**
     * BCAST: to {@code shape}. A scalar fills it; a vector [n] is repeated as every row of [m, n];
     * with {@code columns}, a vector [m] is repeated as every column of [m, n].
     */
    record Broadcast(Shape shape, boolean columns) implements Attr {
        @Override public boolean equals(Object other) {
            return other instanceof Broadcast o && Objects.equals(shape, o.shape) && columns == o.columns;
        }

        @Override public int hashCode() { return 31 * Objects.hashCode(shape) + Boolean.hashCode(columns); }
    }
}
