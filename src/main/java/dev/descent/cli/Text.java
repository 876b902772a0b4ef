package dev.descent.cli;

import dev.descent.ir.Shape;

/** Numbers and arrays for people: whole numbers without ".0", others in their shortest round-trip form. */
final class Text {
    private Text() {}

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15 && !(v == 0 && 1 / v < 0)) return Long.toString((long) v);
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return Double.toString(v).replace('E', 'e');
    }

    static String value(Shape shape, double[] flat, int offset) {
        if (shape.isScalar()) return number(flat[offset]);
        StringBuilder sb = new StringBuilder("[");
        if (shape.isVector()) {
            for (int i = 0; i < shape.rows(); i++) sb.append(i == 0 ? "" : ", ").append(number(flat[offset + i]));
        } else {
            for (int i = 0; i < shape.rows(); i++) {
                sb.append(i == 0 ? "[" : ", [");
                for (int j = 0; j < shape.cols(); j++) sb.append(j == 0 ? "" : ", ").append(number(flat[offset + i * shape.cols() + j]));
                sb.append(']');
            }
        }
        return sb.append(']').toString();
    }
}
