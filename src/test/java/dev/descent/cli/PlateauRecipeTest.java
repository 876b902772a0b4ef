package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cookbook's reduce-on-plateau recipe (docs/cookbook.md, "Reduce the rate on a plateau"):
 * an optimizer whose state counts the cuts, handed {@code val_stall}, keeps each cut as
 * torch's ReduceLROnPlateau does. Against tools/fixtures/gen_torch_plateau.py (torch 1.13,
 * float64): the validation loss after each of 40 epochs and the final parameters; and the
 * rate written with val_stall alone, which comes back after an improvement, against the same
 * training with that rate in torch (the fixture's "without_ratchet", which differs).
 */
class PlateauRecipeTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/torch");

    @TempDir Path dir;

    @Test
    void theRecipeCutsAsReduceLROnPlateauDoes() throws Exception {
        Map<String, Object> fx = Cli.object(Cli.json(Files.readString(FIXTURES.resolve("plateau.json"))));
        for (String csv : List.of("plateau_train.csv", "plateau_val.csv")) Files.copy(FIXTURES.resolve(csv), dir.resolve(csv));
        String script = (String) fx.get("script");
        String optimizerLine = script.substring(0, script.indexOf('\n'));
        assertTrue(Files.readString(Path.of("docs/cookbook.md")).contains(optimizerLine), "the cookbook gives the recipe as tested:\n" + optimizerLine);

        Path s = Files.writeString(dir.resolve("plateau.dsc"), script);
        Path trace = dir.resolve("trace.csv");
        Map<String, Object> j = Cli.object(Cli.json(Cli.ok("run", s.toString(), "--json", "--trace", trace.toString()).out()));
        List<Object> epochs = Cli.array(fx.get("epochs"));
        List<Double> val = validationLosses(trace);
        assertEquals(epochs.size(), val.size());
        for (int e = 0; e < val.size(); e++)
            Cli.close(Cli.number(Cli.object(epochs.get(e)).get("val_loss")), val.get(e), 1e-12, "validation loss after epoch " + (e + 1));
        Map<String, Object> want = Cli.object(fx.get("params")), got = Cli.object(j.get("params"));
        double[] w = Cli.vector(got.get("w"));
        for (int i = 0; i < 2; i++) Cli.close(Cli.vector(want.get("w"))[i], w[i], 1e-12, "w[" + i + "]");
        Cli.close(Cli.number(want.get("b")), Cli.number(got.get("b")), 1e-12, "b");

        // the rate of val_stall alone comes back when the loss improves: another run, as torch gives it
        Map<String, Object> plain = Cli.object(fx.get("without_ratchet"));
        double apart = Math.abs(Cli.vector(plain.get("w"))[0] - w[0]);
        assertTrue(apart > 1e-6, "the fixture tells the two apart: " + apart);
        String unratcheted = script.substring(script.indexOf('\n') + 1).replaceAll("optimize with .*",
                "optimize with sgd(lr = 0.6 * 0.5^floor(val_stall / 2), momentum = 0.9) for 40 epochs");
        Path u = Files.writeString(dir.resolve("unratcheted.dsc"), unratcheted);
        Map<String, Object> ju = Cli.object(Cli.object(Cli.json(Cli.ok("run", u.toString(), "--json").out())).get("params"));
        for (int i = 0; i < 2; i++) Cli.close(Cli.vector(plain.get("w"))[i], Cli.vector(ju.get("w"))[i], 1e-12, "without the ratchet, w[" + i + "]");
        Cli.close(Cli.number(plain.get("b")), Cli.number(ju.get("b")), 1e-12, "without the ratchet, b");
    }

    private static List<Double> validationLosses(Path trace) throws Exception {
        List<String> rows = Files.readAllLines(trace);
        int col = List.of(rows.get(0).split(",")).indexOf("val_loss");
        assertTrue(col > 0, rows.get(0));
        List<Double> out = new ArrayList<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", -1);
            if (!f[col].isEmpty()) out.add(Double.parseDouble(f[col]));
        }
        return out;
    }
}
