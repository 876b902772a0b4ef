package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13: what ran is what is shown (the run line, --json, compare, the trace's lr). */
class WhatRanTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test void theRunLineAndJsonShowTheArgumentsAsEvaluated() throws Exception {
        Cli.Result text = Cli.ok("run", "examples/gd_x2.dsc", "--set", "lr=1.1", "-q");
        assertTrue(text.out().startsWith("gd(lr = 1.1): 10 steps"), text.out());
        JsonNode j = JSON.readTree(Cli.ok("run", "examples/gd_x2.dsc", "--set", "lr=0.05", "--json", "-q").out());
        assertEquals("gd", j.get("runs").get(0).get("optimizer").asText());
        assertEquals("gd(lr = 0.05)", j.get("runs").get(0).get("call").asText());
    }

    @Test void aScheduleKeepsItsFormWithItsArgumentsEvaluated(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("s.dsc");
        Files.writeString(s, """
                let lr0 = 0.2
                param x = 3
                minimize x^2
                optimize with sgd(lr = step_decay(lr0, 0.5, 2), momentum = 2 * 0.45, dampening = 1e-8) for 5 steps
                """);
        Cli.Result r = Cli.ok("run", s.toString(), "--set", "lr0=0.4", "-q");
        assertTrue(r.out().startsWith("sgd(lr = step_decay(0.4, 0.5, 2), momentum = 0.9, dampening = 1e-8): 5 steps"), r.out());
    }

    @Test void compareShowsEachCallEvaluated() {
        Cli.Result r = Cli.ok("compare", "examples/gd_x2.dsc", "--with", "gd(lr = 2 * lr)", "--with", "gd(lr = lr / 4)");
        assertTrue(r.out().contains("gd(lr = 0.4)"), r.out());
        assertTrue(r.out().contains("gd(lr = 0.05)"), r.out());
    }

    @Test void theTracesLrIsTheRateUsedAtThatStep(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("s.dsc"), csv = dir.resolve("t.csv");
        Files.writeString(s, """
                param x = 3
                minimize x^2
                optimize with gd(lr = step_decay(0.2, 0.5, 2)) for 5 steps
                """);
        Cli.ok("run", s.toString(), "--trace", csv.toString(), "-q");
        List<String> rows = Files.readAllLines(csv);
        assertEquals("run,step,loss,grad_norm,lr,x", rows.get(0));
        // row k is the point after update k; its lr is the rate update k used: StepLR(0.2, step 2, gamma 0.5)
        String[] want = {"", "0.2", "0.2", "0.1", "0.1", "0.05"};
        for (int k = 0; k <= 5; k++) assertEquals(want[k], rows.get(k + 1).split(",", -1)[4], "lr of row " + k);
    }

    @Test void earlyStoppingSaysWhichEpochsParametersWereRestored(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("t.csv");
        JsonNode run = JSON.readTree(Cli.ok("run", "examples/early_stopping.dsc", "--json", "-q", "--trace", csv.toString()).out()).get("runs").get(0);
        assertEquals("early_stop", run.get("stopped").asText());
        // the epoch with the lowest validation loss in the trace (each epoch is 20 steps here)
        List<String> rows = Files.readAllLines(csv);
        int col = List.of(rows.get(0).split(",")).indexOf("val_loss");
        long bestEpoch = 0, epoch = 0;
        double best = Double.POSITIVE_INFINITY;
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", -1);
            if (f[col].isEmpty()) continue;
            epoch++;
            if (Double.parseDouble(f[col]) < best) {
                best = Double.parseDouble(f[col]);
                bestEpoch = epoch;
            }
        }
        assertTrue(bestEpoch < run.get("epochs").asLong(), "it stopped after the best epoch");
        assertEquals(bestEpoch, run.get("restored_epoch").asLong());
        assertEquals(best, run.get("validation_loss").asDouble(), 0, "the reported validation loss is the restored epoch's");
        Cli.Result text = Cli.ok("run", "examples/early_stopping.dsc", "-q");
        assertTrue(text.out().contains("\n  restored the parameters of epoch " + bestEpoch + " (the best validation loss)"), text.out());
        // a run that did not stop early says nothing of the kind
        assertTrue(!Cli.ok("run", "examples/gd_x2.dsc", "--json", "-q").out().contains("restored_epoch"));
    }
}
