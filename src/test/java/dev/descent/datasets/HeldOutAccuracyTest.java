package dev.descent.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.api.Descent;
import dev.descent.api.Options;
import dev.descent.api.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, "How it must be verified": the digits network and logistic regression on breast
 * cancer reach at least 95% accuracy on a held-out split, with a fixed seed; and what the
 * README says of them (issue 13): 98% and 97%, held here as at least 97.5% (351 of the 359
 * digits; 352 when measured) and 97% (111 of the 114 cases). The rows of the
 * committed CSV (examples/data) are shuffled once with a fixed seed; the first 80% go to
 * train.csv, which the script trains on through the Java API, and the accuracy is computed here,
 * with plain loops over test.csv (the other 20%), from the parameters the run returns.
 */
class HeldOutAccuracyTest {
    @TempDir Path dir;

    /** A CSV's header and numeric rows. */
    record Table(String[] header, List<double[]> rows) {}

    static Table read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split(",");
        List<double[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            String[] cells = line.split(",");
            assertEquals(header.length, cells.length, () -> file + ": ragged row " + line);
            double[] r = new double[cells.length];
            for (int j = 0; j < cells.length; j++) r[j] = Double.parseDouble(cells[j]);
            rows.add(r);
        }
        return new Table(header, rows);
    }

    /** The source lines of the file, shuffled once with a fixed seed, split 80/20 into train.csv and test.csv. */
    List<double[]> split(String dataset) throws IOException {
        Path src = Path.of("examples/data", dataset);
        List<String> lines = Files.readAllLines(src, StandardCharsets.UTF_8);
        List<String> body = new ArrayList<>(lines.subList(1, lines.size()));
        body.removeIf(String::isBlank);
        Collections.shuffle(body, new Random(20240601L));
        int nTrain = (int) Math.round(body.size() * 0.8);
        Files.write(dir.resolve("train.csv"), concat(lines.get(0), body.subList(0, nTrain)), StandardCharsets.UTF_8);
        Files.write(dir.resolve("test.csv"), concat(lines.get(0), body.subList(nTrain, body.size())), StandardCharsets.UTF_8);
        Table test = read(dir.resolve("test.csv"));
        assertEquals(body.size() - nTrain, test.rows().size());
        return test.rows();
    }

    static List<String> concat(String header, List<String> rows) {
        List<String> all = new ArrayList<>(rows.size() + 1);
        all.add(header);
        all.addAll(rows);
        return all;
    }

    static String stack(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> "d." + prefix + i).collect(Collectors.joining(", ", "stack(", ")"));
    }

    Result train(String script) throws IOException {
        Path file = dir.resolve("model.dsc");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        Result r = Descent.load(file).run(Options.defaults().seed(1));
        assertFalse(r.diverged(), () -> "diverged: " + r.runs());
        return r;
    }

    @Test
    void digitsNetworkReachesNinetyFivePercentOnHeldOutRows() throws IOException {
        List<double[]> test = split("digits.csv");
        int in = 64, hidden = 32, classes = 10;
        Result r = train("""
                data d = csv("train.csv")
                let X = %s
                param W1[64, 32] ~ normal(0, 0.125)
                param b1[32] = 0
                param W2[32, 10] ~ normal(0, 0.18)
                param b2[10] = 0
                let H = tanh(X @ W1 + b1)
                let Z = H @ W2 + b2
                minimize mean(logsumexp(Z, axis = 1) - sum(onehot(d.label, 10) * Z, axis = 1))
                optimize with adam(lr = 0.01) for 20 epochs batch 32
                """.formatted(stack("p", in)));
        assertArrayEquals2(new int[] {in, hidden}, r.shape("W1"));
        assertArrayEquals2(new int[] {hidden, classes}, r.shape("W2"));
        double[] w1 = r.param("W1"), b1 = r.param("b1"), w2 = r.param("W2"), b2 = r.param("b2");
        int correct = 0;
        for (double[] row : test) {
            double[] h = new double[hidden];
            for (int j = 0; j < hidden; j++) {
                double s = b1[j];
                for (int i = 0; i < in; i++) s += row[i] * w1[i * hidden + j];
                h[j] = Math.tanh(s);
            }
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double s = b2[k];
                for (int j = 0; j < hidden; j++) s += h[j] * w2[j * classes + k];
                if (s > bestScore) { bestScore = s; best = k; }
            }
            if (best == (int) row[in]) correct++;
        }
        double accuracy = (double) correct / test.size();
        System.out.printf("digits network: held-out accuracy %.4f (%d of %d), final training loss %s%n", accuracy, correct, test.size(), r.loss());
        assertTrue(accuracy >= 0.975, "held-out accuracy " + accuracy + " (" + correct + " of " + test.size() + "); the README says 98%");
    }

    @Test
    void logisticRegressionOnBreastCancerReachesNinetyFivePercentOnHeldOutRows() throws IOException {
        List<double[]> test = split("breast_cancer.csv");
        int in = 30;
        Result r = train("""
                data d = csv("train.csv")
                let X = %s
                param w[30] = 0
                param b = 0
                let z = X @ w + b
                minimize mean(softplus(z) - d.label * z) + 0.001 * sum(w^2)
                optimize with adam(lr = 0.05) for 30 epochs batch 32
                """.formatted(stack("f", in)));
        assertArrayEquals2(new int[] {in}, r.shape("w"));
        double[] w = r.param("w");
        double b = r.param("b")[0];
        int correct = 0;
        for (double[] row : test) {
            double z = b;
            for (int i = 0; i < in; i++) z += row[i] * w[i];
            int predicted = z > 0 ? 1 : 0;          // σ(z) > 1/2
            if (predicted == (int) row[in]) correct++;
        }
        double accuracy = (double) correct / test.size();
        System.out.printf("breast-cancer logistic regression: held-out accuracy %.4f (%d of %d), final training loss %s%n", accuracy, correct, test.size(), r.loss());
        assertTrue(accuracy >= 0.97, "held-out accuracy " + accuracy + " (" + correct + " of " + test.size() + "); the README says 97%");
    }

    private static void assertArrayEquals2(int[] expected, int[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual,
                () -> "shape " + java.util.Arrays.toString(actual) + ", expected " + java.util.Arrays.toString(expected));
    }
}
