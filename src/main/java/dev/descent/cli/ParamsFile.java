package dev.descent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.descent.check.Script;
import dev.descent.ir.Shape;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * Parameters by name in a JSON file: what {@code run --save} writes and {@code run --init} and
 * {@code eval --params} read (docs/cli.md, "Saved parameters"):
 *
 * <pre>{"format": "descent-params", "version": 1, "params": {"w": [0.5, -1], "b": 0.25, "W": [[1, 2], [3, 4]]}}</pre>
 *
 * A scalar is a number, a vector an array, a matrix an array of rows (so {@code numpy.array(…)}
 * gives each its shape); every number reads back as the same double; a non-finite one is the
 * string "NaN", "Infinity" or "-Infinity". Reading takes any JSON object with a "params" member
 * (so the output of {@code run --json} loads too) and insists on exactly the script's
 * parameters, each of its shape.
 */
final class ParamsFile {
    private ParamsFile() {}

    static final String FORMAT = "descent-params";

    /** The file's text: the parameters of θ (read with {@code theta}). */
    static byte[] write(Script s, IntToDoubleFunction theta) throws IOException {
        try (Json j = new Json()) {
            j.g.writeStartObject();
            j.g.writeStringField("format", FORMAT);
            j.g.writeNumberField("version", 1);
            j.g.writeFieldName("params");
            j.params(s, theta);
            j.g.writeEndObject();
            return (j.text() + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * θ from the file {@code name} (as the user wrote it): every parameter of the script, each of its
     * shape. A problem is a CompileError positioned in the file (exit code 1).
     */
    static double[] read(Script s, String name) {
        SourceFile file = load(name);
        Map<String, Value> values = params(file);
        double[] theta = new double[s.dimension()];
        List<Diagnostic> problems = new ArrayList<>();
        Pos whole = new Pos(file, 1, 1, 1);
        for (Script.Param p : s.params) {
            Value v = values.get(p.name());
            if (v == null) {
                problems.add(Diagnostic.at(whole, "the file has no parameter '" + p.name() + "' (" + shape(p.shape()) + " in the script)",
                        "it holds " + (values.isEmpty() ? "no parameters" : String.join(", ", values.keySet()))));
                continue;
            }
            if (!v.shape.equals(p.shape())) {
                problems.add(Diagnostic.at(v.pos, "parameter '" + p.name() + "' is " + shape(v.shape) + " in this file, but " + shape(p.shape()) + " in the script"));
                continue;
            }
            System.arraycopy(v.values, 0, theta, p.offset(), v.values.length);
        }
        for (Map.Entry<String, Value> e : values.entrySet())
            if (s.param(e.getKey()) == null)
                problems.add(Diagnostic.at(e.getValue().pos, "the script has no parameter '" + e.getKey() + "'",
                        "its parameters: " + String.join(", ", s.params.stream().map(Script.Param::name).toList())));
        if (!problems.isEmpty()) throw new CompileError(problems);
        return theta;
    }

    private static String shape(Shape s) { return s.isScalar() ? "a scalar" : s.isVector() ? "a vector " + s : "a matrix " + s; }

    static SourceFile load(String name) {
        java.nio.file.Path path;
        try {
            path = java.nio.file.Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new CompileError(Diagnostic.noPosition(name, "not a valid file path"));
        }
        if (!java.nio.file.Files.isRegularFile(path))
            throw new CompileError(Diagnostic.noPosition(name, java.nio.file.Files.exists(path) ? "not a regular file" : "no such file"));
        try {
            return SourceFile.read(path, name);
        } catch (RuntimeException e) {
            if (e instanceof CompileError) throw e;
            throw new CompileError(Diagnostic.noPosition(name, "cannot read it: " + e.getMessage()));
        }
    }

    /** A parameter's value as the file gives it: its shape, its numbers row-major, where it is. */
    record Value(Shape shape, double[] values, Pos pos) {}

    /** The "params" member of the file's object, by name, in the file's order. */
    static Map<String, Value> params(SourceFile file) {
        Map<String, Value> out = new LinkedHashMap<>();
        boolean found = false;
        try (JsonParser p = new JsonFactory().createParser(file.text())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw problem(file, p, "expected a JSON object, {\"params\": {…}}");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (!field.equals("params")) {
                    p.skipChildren();
                    continue;
                }
                if (t != JsonToken.START_OBJECT) throw problem(file, p, "\"params\" must be an object of parameters by name");
                found = true;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    Pos at = pos(file, p.currentTokenLocation(), name.length() + 2);
                    p.nextToken();
                    if (out.containsKey(name)) throw new CompileError(Diagnostic.at(at, "parameter '" + name + "' is given twice"));
                    out.put(name, value(file, p, name, at));
                }
            }
        } catch (JsonParseException e) {
            JsonLocation l = e.getLocation();
            throw new CompileError(Diagnostic.at(pos(file, l, 1), "not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (IOException e) {
            throw new CompileError(Diagnostic.noPosition(file.name(), "cannot read it: " + e.getMessage()));
        }
        if (!found) throw new CompileError(Diagnostic.at(new Pos(file, 1, 1, 1), "the file has no \"params\" object",
                "write it with descent run --save FILE.json: {\"params\": {\"x\": [1, 2], …}}"));
        return out;
    }

    /** A number, an array of numbers, or an array of equally long arrays of numbers. */
    private static Value value(SourceFile file, JsonParser p, String name, Pos at) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) return new Value(Shape.SCALAR, new double[] {number(file, p, name)}, at);
        List<Double> flat = new ArrayList<>();
        int rows = 0, cols = -1;
        boolean matrix = false;
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_ARRAY) matrix = true;
        while (t != JsonToken.END_ARRAY) {
            if (matrix) {
                if (t != JsonToken.START_ARRAY) throw problem(file, p, "parameter '" + name + "': a matrix is an array of rows, each an array of numbers");
                int n = 0;
                for (t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    flat.add(number(file, p, name));
                    n++;
                }
                if (cols >= 0 && n != cols) throw problem(file, p, "parameter '" + name + "': row " + rows + " has " + n + " numbers, but row 0 has " + cols);
                cols = n;
                rows++;
            } else {
                flat.add(number(file, p, name));
                rows++;
            }
            t = p.nextToken();
        }
        double[] v = new double[flat.size()];
        for (int i = 0; i < v.length; i++) v[i] = flat.get(i);
        Shape shape;
        if (!matrix) shape = rows == 0 ? Shape.vector(0) : Shape.vector(rows);
        else shape = Shape.matrix(rows, Math.max(cols, 0));
        return new Value(shape, v, at);
    }

    private static double number(SourceFile file, JsonParser p, String name) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) return Double.parseDouble(p.getText());
        if (t == JsonToken.VALUE_STRING)
            switch (p.getText()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        throw problem(file, p, "parameter '" + name + "': expected a number (or \"NaN\", \"Infinity\", \"-Infinity\"), not " + p.getText());
    }

    private static CompileError problem(SourceFile file, JsonParser p, String message) throws IOException {
        return new CompileError(Diagnostic.at(pos(file, p.currentTokenLocation(), Math.max(1, p.getText() == null ? 1 : Math.min(40, p.getText().length()))), message));
    }

    private static Pos pos(SourceFile file, JsonLocation l, int length) {
        int line = Math.max(1, l.getLineNr()), col = Math.max(1, l.getColumnNr());
        return new Pos(file, line, col, Math.max(1, length));
    }
}
