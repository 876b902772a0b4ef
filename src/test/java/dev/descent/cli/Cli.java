package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one harness for the command-line tests, in every package: run {@link Main#execute}
 * in-process and capture its exit code, stdout and stderr; write scripts; read JSON output
 * with a strict parser.
 */
public final class Cli {
    private Cli() {}

    /** What one run of the command line gave: exit code, stdout, stderr. */
    public record Result(int code, String out, String err) {
        /** The first line of stderr. */
        public String firstErrLine() {
            int nl = err.indexOf('\n');
            return nl < 0 ? err : err.substring(0, nl);
        }

        @Override public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs and insists on exit 0 and an empty stderr. */
    public static Result ok(String... args) {
        Result r = run(args);
        assertEquals(0, r.code(), () -> "expected success for " + String.join(" ", args) + "\n" + r);
        assertEquals("", r.err(), () -> "expected nothing on stderr\n" + r);
        return r;
    }

    /** Writes a UTF-8 file (creating folders) and returns its absolute path as a string. */
    public static String write(Path dir, String name, String text) {
        try {
            Path p = dir.resolve(name);
            if (p.getParent() != null) Files.createDirectories(p.getParent());
            Files.writeString(p, text, StandardCharsets.UTF_8);
            return p.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** No Java exception or stack trace leaks into the output. */
    public static void noStackTrace(Result r) {
        String all = r.out() + r.err();
        assertFalse(all.contains("\tat "), () -> "stack trace in output\n" + r);
        assertFalse(all.matches("(?s).*\\b(java|picocli|dev\\.descent)\\.[\\w.$]*(Exception|Error)\\b.*"), () -> "Java exception in output\n" + r);
        assertFalse(all.contains("internal error"), () -> "internal error\n" + r);
    }

    // ------------------------------------------------------------------ JSON

    private static final JsonFactory STRICT = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * Parses one JSON document strictly (no NaN tokens, no trailing content, no duplicate
     * keys) into maps, lists, Doubles (read back from the exact text), Strings, Booleans, null.
     */
    static Object json(String text) {
        try (JsonParser p = STRICT.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) fail("no JSON in: " + text);
            Object v = read(p, t);
            assertNull(p.nextToken(), () -> "content after the JSON value: " + text);
            return v;
        } catch (IOException e) {
            throw new AssertionError("not strict JSON: " + e.getMessage() + "\n" + text, e);
        }
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken()));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) l.add(read(p, t));
                yield l;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> Double.parseDouble(p.getText());
            case VALUE_STRING -> p.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new AssertionError("unexpected JSON token " + t);
        };
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object o) {
        assertInstanceOf(Map.class, o, () -> "expected a JSON object, not " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> array(Object o) {
        assertInstanceOf(List.class, o, () -> "expected a JSON array, not " + o);
        return (List<Object>) o;
    }

    /** A number: a JSON number, or one of the strings "NaN", "Infinity", "-Infinity". */
    static double number(Object o) {
        if (o instanceof Double d) {
            assertTrue(Double.isFinite(d), "a JSON number is finite");
            return d;
        }
        if (o instanceof String s) {
            return switch (s) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new AssertionError("a string that is not a non-finite number: \"" + s + "\"");
            };
        }
        throw new AssertionError("expected a number, not " + o);
    }

    static double[] vector(Object o) {
        List<Object> l = array(o);
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) v[i] = number(l.get(i));
        return v;
    }

    static double[][] matrix(Object o) {
        List<Object> l = array(o);
        double[][] m = new double[l.size()][];
        for (int i = 0; i < m.length; i++) m[i] = vector(l.get(i));
        return m;
    }

    /** Relative closeness, for values computed two ways (|a - b| ≤ tol · max(1, |a|, |b|)). */
    static void close(double expected, double actual, double tol, String what) {
        if (Double.compare(expected, actual) == 0) return;
        double scale = Math.max(1, Math.max(Math.abs(expected), Math.abs(actual)));
        assertTrue(Math.abs(expected - actual) <= tol * scale, () -> what + ": expected " + expected + " but got " + actual);
    }
}
