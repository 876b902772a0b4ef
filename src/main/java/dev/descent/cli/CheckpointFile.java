package dev.descent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.descent.check.Script;
import dev.descent.run.Driver;
import dev.descent.run.Stop;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Driver.Checkpoint} as JSON: what {@code run --checkpoint FILE --every K} writes (each
 * one whole, through {@link OutputFile}: a temporary file renamed over the last) and
 * {@code run --resume FILE} reads. Its "params" member is the parameters by name, as
 * {@code --save} writes them (so {@code --init} and NumPy read a checkpoint too); the rest is the
 * run's state, every number exact (the generator's state as hexadecimal), and a fingerprint of
 * the script, its --set values, seed and precision, which a resume must match.
 */
final class CheckpointFile {
    private CheckpointFile() {}

    static final String FORMAT = "descent-checkpoint";

    /** What the run is: the script's text, the --set values, the seed, the precision. */
    static String fingerprint(Script s, long seed, String precision) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(s.source.text().getBytes(StandardCharsets.UTF_8));
            md.update(("\0" + new TreeMap<>(s.settings) + "\0" + seed + "\0" + precision).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] write(Script s, String fingerprint, Driver.Checkpoint c) throws IOException {
        try (Json j = new Json()) {
            var g = j.g;
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeNumberField("version", 1);
            g.writeStringField("fingerprint", fingerprint);
            g.writeFieldName("params");
            j.params(s, c.theta());
            g.writeNumberField("statement", c.statement());
            g.writeNumberField("t", c.t());
            g.writeFieldName("theta");
            array(j, c.theta());
            g.writeFieldName("states");
            g.writeStartObject();
            for (int i = 0; i < c.states().length; i++) {
                g.writeFieldName(c.stateNames().get(i));
                if (c.states()[i] == null) g.writeNull();
                else array(j, c.states()[i]);
            }
            g.writeEndObject();
            g.writeBooleanField("initialized", c.initialized());
            g.writeStringField("rng", Long.toHexString(c.rng()));
            g.writeNumberField("shuffled_epoch", c.shuffledEpoch());
            g.writeFieldName("order");
            if (c.order() == null) g.writeNull();
            else g.writeArray(c.order(), 0, c.order().length);
            g.writeFieldName("best_validation");
            j.number(c.bestValidation());
            g.writeFieldName("best");
            if (c.best() == null) g.writeNull();
            else array(j, c.best());
            g.writeNumberField("since_best", c.sinceBest());
            g.writeFieldName("start_loss");
            j.number(c.startLoss());
            g.writeFieldName("f_prev");
            j.number(c.previousF());
            g.writeFieldName("val_loss");
            j.number(c.lastValidation());
            g.writeNumberField("val_stall", c.stall());
            g.writeFieldName("done");
            g.writeStartArray();
            for (Driver.RunResult r : c.done()) {
                g.writeStartObject();
                g.writeStringField("optimizer", r.optimizer());
                g.writeStringField("call", r.call());
                g.writeNumberField("steps", r.steps());
                g.writeFieldName("loss");
                j.number(r.loss());
                g.writeStringField("stopped", r.stopped().label());
                if (r.message() == null) g.writeNullField("message");
                else g.writeStringField("message", r.message());
                g.writeNumberField("epochs", r.epochs());
                g.writeFieldName("train_loss");
                j.number(r.trainLoss());
                g.writeFieldName("validation_loss");
                j.number(r.validationLoss());
                g.writeNumberField("restored_epoch", r.restoredEpoch());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            return (j.text() + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    private static void array(Json j, double[] v) throws IOException {
        j.g.writeStartArray();
        for (double x : v) j.number(x);
        j.g.writeEndArray();
    }

    /** The checkpoint in file {@code name}, made by this run (its fingerprint); else a CompileError in the file's words (exit 1). */
    static Driver.Checkpoint read(String name, String fingerprint) {
        SourceFile file = ParamsFile.load(name);
        Pos top = new Pos(file, 1, 1, 1);
        Map<String, Object> m;
        try (JsonParser p = new JsonFactory().createParser(file.text())) {
            p.nextToken();
            Object o = tree(p);
            if (!(o instanceof Map<?, ?> map)) throw new CompileError(Diagnostic.at(top, "not a checkpoint: expected a JSON object"));
            @SuppressWarnings("unchecked") Map<String, Object> mm = (Map<String, Object>) map;
            m = mm;
        } catch (JsonParseException e) {
            throw new CompileError(Diagnostic.at(new Pos(file, Math.max(1, e.getLocation().getLineNr()), Math.max(1, e.getLocation().getColumnNr()), 1),
                    "not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (IOException e) {
            throw new CompileError(Diagnostic.noPosition(name, "cannot read it: " + e.getMessage()));
        }
        if (!FORMAT.equals(m.get("format")))
            throw new CompileError(Diagnostic.at(top, "not a checkpoint (its \"format\" is not \"" + FORMAT + "\")", "write one with descent run FILE --checkpoint CKPT.json --every K"));
        if (!fingerprint.equals(m.get("fingerprint")))
            throw new CompileError(Diagnostic.at(top, "this checkpoint was made by another run: the script's text, its --set values, the seed or the precision differ",
                    "resume with the same script and options that wrote it"));
        try {
            List<Driver.RunResult> done = new ArrayList<>();
            for (Object o : (List<?>) m.get("done")) {
                Map<?, ?> r = (Map<?, ?>) o;
                done.add(new Driver.RunResult((String) r.get("optimizer"), (String) r.get("call"), num(r.get("steps")).longValue(), dbl(r.get("loss")),
                        Stop.valueOf(((String) r.get("stopped")).toUpperCase(java.util.Locale.ROOT)), (String) r.get("message"), num(r.get("epochs")).longValue(), dbl(r.get("train_loss")), dbl(r.get("validation_loss")),
                        r.get("restored_epoch") == null ? 0 : num(r.get("restored_epoch")).longValue()));
            }
            Map<?, ?> st = (Map<?, ?>) m.get("states");
            List<String> names = new ArrayList<>();
            double[][] states = new double[st.size()][];
            int i = 0;
            for (Map.Entry<?, ?> e : st.entrySet()) {
                names.add((String) e.getKey());
                states[i++] = e.getValue() == null ? null : doubles(e.getValue());
            }
            int[] order = null;
            if (m.get("order") != null) {
                List<?> o = (List<?>) m.get("order");
                order = new int[o.size()];
                for (int k = 0; k < order.length; k++) order[k] = num(o.get(k)).intValue();
            }
            return new Driver.Checkpoint(num(m.get("statement")).intValue(), done, num(m.get("t")).longValue(), doubles(m.get("theta")), names, states,
                    Boolean.TRUE.equals(m.get("initialized")), Long.parseUnsignedLong((String) m.get("rng"), 16), num(m.get("shuffled_epoch")).longValue(), order,
                    dbl(m.get("best_validation")), m.get("best") == null ? null : doubles(m.get("best")), num(m.get("since_best")).longValue(),
                    m.containsKey("start_loss") ? dbl(m.get("start_loss")) : Double.NaN,
                    m.containsKey("f_prev") ? dbl(m.get("f_prev")) : Double.POSITIVE_INFINITY,
                    m.containsKey("val_loss") ? dbl(m.get("val_loss")) : Double.POSITIVE_INFINITY,
                    m.containsKey("val_stall") ? num(m.get("val_stall")).longValue() : 0);
        } catch (RuntimeException e) {
            if (e instanceof CompileError) throw e;
            throw new CompileError(Diagnostic.at(top, "a damaged checkpoint: a member is missing or of the wrong kind", "write it again with --checkpoint"));
        }
    }

    private static Number num(Object o) { return (Number) o; }

    private static double dbl(Object o) {
        if (o instanceof String s)
            return switch (s) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException(s);
            };
        return ((Number) o).doubleValue();
    }

    private static double[] doubles(Object o) {
        List<?> l = (List<?>) o;
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) v[i] = dbl(l.get(i));
        return v;
    }

    /** The value at the parser's token: an object (in order), an array, a number (a Long when whole, else a Double parsed exactly), a string, a boolean, null. */
    private static Object tree(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) throw new JsonParseException(p, "empty file");
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    p.nextToken();
                    m.put(k, tree(p));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) l.add(tree(p));
                return l;
            }
            case VALUE_NUMBER_INT: return p.getLongValue();
            case VALUE_NUMBER_FLOAT: return Double.parseDouble(p.getText());
            case VALUE_STRING: return p.getText();
            case VALUE_TRUE: return Boolean.TRUE;
            case VALUE_FALSE: return Boolean.FALSE;
            case VALUE_NULL: return null;
            default: throw new JsonParseException(p, "unexpected " + t);
        }
    }
}
