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

    @Test void aLossThatExplodesIsReportedOnceWithoutChangingTheExitCode(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("boom.dsc");
        Files.writeString(s, "param x = 1\nminimize x^2\noptimize with gd(lr = 2) for 20 steps\n");
        Cli.Result r = Cli.run("run", s.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        // x_k = (-3)^k, f = 9^k: past 10^6 times f0 = 1 first at k = 7 (9^7 = 4782969)
        assertEquals(s + ": warning: gd(lr = 2): the loss grew from 1 to 4782969 after 7 steps, up by more than 1000000 × max(|start|, 1):"
                + " the run is diverging (a smaller learning rate may help)\n", r.err());
        // a start near 0 (x·cos(cx) at 10: -1.8e-15) is no scale: Newton's climb to 26.75 is not an explosion
        Cli.ok("run", "examples/newton_nonconvex.dsc", "-q");
        // growth short of the factor says nothing: gd_x2 with lr = 1.1 grows 38-fold
        Cli.ok("run", "examples/gd_x2.dsc", "--set", "lr=1.1", "-q");
        // a run that becomes non-finite is diverged (exit 3), its message alone
        Files.writeString(s, "param x = 1\nminimize x^2\noptimize with gd(lr = 1e10) for 100 steps\n");
        Cli.Result d = Cli.run("run", s.toString(), "-q");
        assertEquals(3, d.code(), d.toString());
        assertTrue(!d.err().contains("warning"), d.err());
    }

    @Test void untilReadsThePreviousLossAndTheEpoch(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("s.dsc");
        // gd on x^2 from 10 with lr 0.1: x_k = 10·0.8^k, f_{k-1} − f_k = 36·0.64^(k−1), first under 1e-12 at k = 71
        Files.writeString(s, "param x = 10\nminimize x^2\noptimize with gd(lr = 0.1) for 1000 steps until f_prev - f < 1e-12\n");
        JsonNode run = JSON.readTree(Cli.ok("run", s.toString(), "--json", "-q").out()).get("runs").get(0);
        assertEquals(71, run.get("steps").asInt());
        assertEquals("until", run.get("stopped").asText());
        Path e = dir.resolve("e.dsc");
        Files.writeString(e, """
                data d = csv("%s")
                param w = [0, 0]
                minimize mean((stack(d.x1, d.x2) @ w - d.y)^2)
                optimize with sgd(lr = 0.01) for 50 epochs batch 10 until epoch > 3
                """.formatted(Path.of("examples/data/linear.csv").toAbsolutePath()));
        JsonNode er = JSON.readTree(Cli.ok("run", e.toString(), "--json", "-q").out()).get("runs").get(0);
        long rows = Files.readAllLines(Path.of("examples/data/linear.csv")).size() - 1, perEpoch = (rows + 9) / 10;
        assertEquals(3 * perEpoch, er.get("steps").asLong(), "three epochs, then epoch 4's first step stops");
    }

    @Test void reduceOnPlateauFollowsTheValidationLossAndResumesToTheSameBits(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("p.dsc"), csv = dir.resolve("t.csv"), ck = dir.resolve("ck.json");
        Files.writeString(s, Files.readString(Path.of("examples/early_stopping.dsc"))
                .replace("data/linear.csv", Path.of("examples/data/linear.csv").toAbsolutePath().toString())
                .replace("sgd(lr = 0.1, momentum = 0.9) for 200 epochs batch 8 patience 5",
                        "sgd(lr = 0.1 * 0.5^floor(val_stall / 2), momentum = 0.9) for 10 epochs batch 8"));
        String whole = Cli.ok("run", s.toString(), "--json", "-q", "--trace", csv.toString()).out();
        List<String> rows = Files.readAllLines(csv);
        // replay: the validation losses, and the rate each update used
        double best = Double.POSITIVE_INFINITY;
        long stall = 0;
        double rate = 0.1;
        int checked = 0;
        for (String row : rows.subList(2, rows.size())) {
            String[] f = row.split(",", -1);
            assertEquals(rate, Double.parseDouble(f[4]), 0, "the rate of update " + f[1]);
            checked++;
            if (!f[5].isEmpty()) {
                double v = Double.parseDouble(f[5]);
                stall = v < best ? 0 : stall + 1;
                best = Math.min(best, v);
                rate = 0.1 * Math.pow(0.5, Math.floor(stall / 2.0));
            }
        }
        assertEquals(200, checked);
        assertTrue(rate < 0.1, "the rate was reduced at some plateau");
        Cli.ok("run", s.toString(), "--json", "-q", "--checkpoint", ck.toString(), "--every", "7");
        assertEquals(whole, Cli.ok("run", s.toString(), "--json", "-q", "--resume", ck.toString()).out(), "resumed at epoch 7: the same bits");
    }
}
