package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run --epoch-metrics (issue 13): the loss and every report on each split at the end of every
 * epoch, in --json's "epochs" and as --trace columns; the run's bits are those of a run without it;
 * the last epoch's values are the end-of-run ones, and an epoch's accuracy is recomputed here, in
 * plain Java, from the parameters that epoch ended with (saved by a run that stops there).
 */
class EpochMetricsTest {
    static final Path FIX = TrainingCommandsTest.FIX;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] SPLITS = {"train", "validation", "test"}, REPORTS = {"accuracy", "mae", "first_class"};

    /** The iris fixture (data paths absolute) trained for {@code epochs} epochs; {@code extra} replaces nothing when empty. */
    static Path iris(Path dir, String name, int epochs, String objectiveWrap) throws Exception {
        String text = Files.readString(FIX.resolve("iris.dsc"));
        for (String f : new String[] {"train.csv", "val.csv", "test.csv"}) text = text.replace("\"" + f + "\"", "\"" + FIX.resolve(f) + "\"");
        text = text.replace("for 20 epochs batch 16", "for " + epochs + " epochs batch 16");
        if (objectiveWrap != null) text = text.replace("let Z = X @ W + b", objectiveWrap);
        Path s = dir.resolve(name);
        Files.writeString(s, text);
        return s;
    }

    @Test void sameBitsAndTheLastEpochIsTheEndOfTheRun(@TempDir Path dir) throws Exception {
        // with dropout in training, so that the run draws from its random stream at every step
        for (String wrap : new String[] {null, "let Z = dropout(X, 0.3) @ W + b"}) {
            Path s = iris(dir, "iris.dsc", 5, wrap);
            Path plain = dir.resolve("plain.json"), with = dir.resolve("with.json"), trace = dir.resolve("t.csv"), plainTrace = dir.resolve("p.csv");
            JsonNode a = JSON.readTree(Cli.ok("run", s.toString(), "--json", "-q", "--save", plain.toString(), "--trace", plainTrace.toString()).out());
            JsonNode b = JSON.readTree(Cli.ok("run", s.toString(), "--json", "-q", "--epoch-metrics", "--trace", trace.toString(), "--save", with.toString()).out());
            assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(with), "θ bit for bit with and without --epoch-metrics (" + wrap + ")");
            assertEquals(a.get("params"), b.get("params"));
            assertEquals(a.get("runs"), b.get("runs"));
            assertEquals(a.get("metrics"), b.get("metrics"));
            assertEquals(null, a.get("epochs"), "no epochs array unless asked");

            JsonNode epochs = b.get("epochs");
            assertEquals(5, epochs.size());
            for (int e = 0; e < 5; e++) {
                assertEquals(1, epochs.get(e).get("run").asInt());
                assertEquals(e + 1, epochs.get(e).get("epoch").asInt());
                assertEquals(6 * (e + 1), epochs.get(e).get("step").asLong(), "90 training rows in batches of 16: 6 steps an epoch");
            }
            JsonNode last = epochs.get(4);
            assertEquals(b.get("losses"), last.get("losses"), "the last epoch's losses are the end of the run's");
            assertEquals(b.get("metrics"), last.get("metrics"), "the last epoch's reports are the end of the run's");

            // the trace: the same rows and values as without the option, plus the columns, filled on the epochs' last rows
            List<String> rows = Files.readAllLines(trace), before = Files.readAllLines(plainTrace);
            String[] head = rows.get(0).split(",", -1);
            List<String> cols = List.of(head);
            assertEquals(List.of("run", "step", "loss", "grad_norm", "lr", "val_loss", "train_loss", "validation_loss", "test_loss",
                    "accuracy_train", "accuracy_validation", "accuracy_test", "mae_train", "mae_validation", "mae_test",
                    "first_class_train", "first_class_validation", "first_class_test"), cols.subList(0, 18));
            assertEquals(before.size(), rows.size());
            int filled = 0;
            for (int i = 1; i < rows.size(); i++) {
                String[] c = rows.get(i).split(",", -1), p = before.get(i).split(",", -1);
                assertEquals(head.length, c.length);
                for (int k = 0; k < 6; k++) assertEquals(p[k], c[k], "column " + head[k] + " of row " + i);
                for (int k = 6; k < p.length; k++) assertEquals(p[k], c[k + 12], "θ column of row " + i);
                long step = Long.parseLong(c[1]);
                if (step > 0 && step % 6 == 0) {
                    JsonNode ep = epochs.get((int) (step / 6) - 1);
                    for (int k = 0; k < 3; k++) assertEquals(ep.get("losses").get(SPLITS[k]).asDouble(), Double.parseDouble(c[6 + k]));
                    for (int m = 0; m < 3; m++)
                        for (int k = 0; k < 3; k++)
                            assertEquals(ep.get("metrics").get(REPORTS[m]).get(SPLITS[k]).asDouble(), Double.parseDouble(c[9 + 3 * m + k]), head[9 + 3 * m + k]);
                    assertEquals(c[5], c[7], "val_loss is the validation loss");
                    filled++;
                } else for (int k = 6; k < 18; k++) assertEquals("", c[k], head[k] + " of step " + step);
            }
            assertEquals(5, filled);
        }
    }

    @Test void anEpochsAccuracyRecomputedFromItsParameters(@TempDir Path dir) throws Exception {
        JsonNode whole = JSON.readTree(Cli.ok("run", iris(dir, "five.dsc", 5, null).toString(), "--json", "-q", "--epoch-metrics").out());
        // a run of 2 epochs takes the same steps as the first 2 of 5: its saved θ is epoch 2's
        Path saved = dir.resolve("two.json");
        Cli.ok("run", iris(dir, "two.dsc", 2, null).toString(), "-q", "--save", saved.toString());
        JsonNode p = JSON.readTree(saved.toFile()).get("params");
        double[][] w = new double[4][3];
        double[] b = new double[3];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) w[i][j] = p.get("W").get(i).get(j).asDouble();
        for (int j = 0; j < 3; j++) b[j] = p.get("b").get(j).asDouble();
        JsonNode epoch2 = whole.get("epochs").get(1);
        assertEquals(2, epoch2.get("epoch").asInt());
        String[] files = {"val.csv", "test.csv"};
        for (int f = 0; f < 2; f++) {
            List<String> lines = Files.readAllLines(FIX.resolve(files[f]));
            int right = 0, n = 0;
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) continue;
                String[] c = line.split(",");
                double best = Double.NEGATIVE_INFINITY;
                int arg = -1;
                for (int j = 0; j < 3; j++) {
                    double z = b[j];
                    for (int i = 0; i < 4; i++) z += Double.parseDouble(c[i]) * w[i][j];
                    if (z > best) { best = z; arg = j; }
                }
                if (arg == (int) Double.parseDouble(c[4])) right++;
                n++;
            }
            assertEquals((double) right / n, epoch2.get("metrics").get("accuracy").get(SPLITS[f + 1]).asDouble(), 1e-15, files[f]);
        }
    }

    @Test void itGoesWithTraceOrJson(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("run", iris(dir, "i.dsc", 1, null).toString(), "-q", "--epoch-metrics");
        assertEquals(Main.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("--epoch-metrics goes with --trace"), r.err());
    }
}
