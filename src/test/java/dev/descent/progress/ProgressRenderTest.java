package dev.descent.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.Progress;
import org.junit.jupiter.api.Test;

/** The progress bar's line, from its rendering function alone. */
class ProgressRenderTest {
    @Test void aStepRun() {
        String line = Progress.render(1, 1, "adam(lr = 0.05)", 1200, 2000, 0, 0.001234, 4500, 100);
        assertEquals("adam(lr = 0.05)  step 1200/2000 [############---------] 60%  loss 0.001234  4.5k steps/s  0:00 left", line);
    }

    @Test void severalRunsNameTheRun() {
        String line = Progress.render(2, 3, "gd(lr = 0.1)", 50, 100, 0, 2.5, 10, 100);
        assertTrue(line.startsWith("run 2/3 gd(lr = 0.1)  step 50/100 "), line);
        assertTrue(line.contains(" 50%"), line);
        assertTrue(line.endsWith("loss 2.5  10 steps/s  0:05 left"), line);
    }

    @Test void anEpochRunCountsEpochs() {
        // 4 steps per epoch, 10 epochs: after 9 updates the third epoch is under way
        String line = Progress.render(1, 1, "sgd(lr = 0.1)", 9, 40, 4, 0.5, 2, 120);
        assertTrue(line.contains("epoch 3/10 (step 9/40)"), line);
        assertTrue(line.endsWith("0:16 left"), line);
        assertTrue(Progress.render(1, 1, "sgd", 40, 40, 4, 0.5, 2, 120).contains("epoch 10/10 (step 40/40)"));
        assertTrue(Progress.render(1, 1, "sgd", 0, 40, 4, 0.5, Double.NaN, 120).contains("epoch 1/10 (step 0/40)"));
    }

    @Test void withoutARateThereIsNoTimeLeft() {
        String line = Progress.render(1, 1, "gd(lr = 0.1)", 0, 100, 0, 9, Double.NaN, 100);
        assertFalse(line.contains("left"), line);
        assertFalse(line.contains("steps/s"), line);
        assertTrue(line.contains("step 0/100"), line);
    }

    @Test void anUnknownTotalHasNoBar() {
        String line = Progress.render(1, 1, "sgd(lr = 0.1)", 7, -1, 4, 0.5, 3, 100);
        assertEquals("sgd(lr = 0.1)  epoch 2 (step 7)  loss 0.5  3.0 steps/s", line);
    }

    @Test void theLineAlwaysFitsTheTerminal() {
        String call = "sgd(lr = step_decay(0.1, 0.5, 10), momentum = 0.9, nesterov = 1, weight_decay = 0.0001)";
        for (int width = 1; width <= 200; width++) {
            for (long step : new long[] {0, 1, 999, 123456789}) {
                String line = Progress.render(12, 20, call, step, 123456789, step % 2 == 0 ? 0 : 1000, -1.23456e-300, 1.5e7, width);
                assertTrue(line.length() < Math.max(20, width), width + ": " + line);
                assertFalse(line.contains("\n") || line.contains("\r"), line);
            }
        }
    }

    @Test void aNarrowTerminalKeepsTheNumbers() {
        String line = Progress.render(1, 1, "adam(lr = 0.05, beta1 = 0.8, beta2 = 0.99)", 500, 2000, 0, 0.25, 1000, 60);
        assertTrue(line.length() < 60, line);
        assertTrue(line.contains("step 500/2000"), line);
        assertTrue(line.contains("loss 0.25"), line);
        assertTrue(line.contains("1.0k steps/s"), line);
    }

    @Test void numbers() {
        assertTrue(Progress.render(1, 1, "gd", 1, 2, 0, Double.NaN, 1, 80).contains("loss nan"));
        assertTrue(Progress.render(1, 1, "gd", 1, 2, 0, Double.POSITIVE_INFINITY, 1, 80).contains("loss inf"));
        assertTrue(Progress.render(1, 1, "gd", 1, 2, 0, 1.5e-8, 1, 80).contains("loss 1.500e-08"));
        assertTrue(Progress.render(1, 1, "gd", 1, 2, 0, 12.5, 1, 80).contains("loss 12.5"));
        assertTrue(Progress.render(1, 1, "gd", 1, 2, 0, 0, 1, 80).contains("loss 0 "));
        assertTrue(Progress.render(1, 1, "gd", 0, 7200, 0, 1, 1, 120).contains("2:00:00 left"));
        assertTrue(Progress.render(1, 1, "gd", 0, 10_000_000, 0, 1, 2.5e6, 120).contains("2.5M steps/s"));
    }
}
