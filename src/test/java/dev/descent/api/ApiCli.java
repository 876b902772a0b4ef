package dev.descent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs {@code descent} in-process and reads its JSON, for comparing the API with it. */
final class ApiCli {
    private ApiCli() {}

    static JsonNode json(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, () -> "descent " + String.join(" ", args) + " failed: " + err);
        try {
            return new ObjectMapper().readTree(out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path dir, String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON number (or "NaN"/"Infinity" string) as a double. */
    static double number(JsonNode n) {
        return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
    }

    static double[] numbers(JsonNode n) {
        if (!n.isArray()) return new double[] {number(n)};
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) v[i] = number(n.get(i));
        return v;
    }
}
