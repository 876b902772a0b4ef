package dev.descent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.descent.check.Script;
import dev.descent.ir.Shape;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Strict JSON output. Numbers print in the shortest form that reads back as the same
 * double; a non-finite number prints as the string "NaN", "Infinity" or "-Infinity".
 */
final class Json implements AutoCloseable {
    private static final JsonFactory FACTORY = new JsonFactory();
    private final StringWriter buffer = new StringWriter();
    final JsonGenerator g;

    Json() {
        try {
            g = FACTORY.createGenerator(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void number(double v) throws IOException {
        if (Double.isNaN(v)) g.writeString("NaN");
        else if (Double.isInfinite(v)) g.writeString(v > 0 ? "Infinity" : "-Infinity");
        else g.writeNumber(Double.toString(v).replace("E", "e"));
    }

    /** A value of this shape from {@code flat[offset…]}: a number, an array, or an array of rows. */
    void value(Shape shape, double[] flat, int offset) throws IOException { value(shape, i -> flat[i], offset); }

    /** As above, reading element i with {@code flat} (a run's resident buffer, read where it is). */
    void value(Shape shape, java.util.function.IntToDoubleFunction flat, int offset) throws IOException {
        if (shape.isScalar()) number(flat.applyAsDouble(offset));
        else if (shape.isVector()) {
            g.writeStartArray();
            for (int i = 0; i < shape.rows(); i++) number(flat.applyAsDouble(offset + i));
            g.writeEndArray();
        } else {
            g.writeStartArray();
            for (int i = 0; i < shape.rows(); i++) {
                g.writeStartArray();
                for (int j = 0; j < shape.cols(); j++) number(flat.applyAsDouble(offset + i * shape.cols() + j));
                g.writeEndArray();
            }
            g.writeEndArray();
        }
    }

    /** {"x": …, "b": …} for a flat θ (or gradient) of the script's parameters. */
    void params(Script s, double[] flat) throws IOException { params(s, i -> flat[i]); }

    /** As above, reading θ with {@code flat}. */
    void params(Script s, java.util.function.IntToDoubleFunction flat) throws IOException {
        g.writeStartObject();
        for (Script.Param p : s.params) {
            g.writeFieldName(p.name());
            value(p.shape(), flat, p.offset());
        }
        g.writeEndObject();
    }

    void matrix(double[][] rows) throws IOException {
        g.writeStartArray();
        for (double[] r : rows) {
            g.writeStartArray();
            for (double v : r) number(v);
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    @Override public void close() throws IOException { g.close(); }

    String text() {
        try {
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toString();
    }
}
