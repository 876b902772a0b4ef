package dev.descent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.ir.Printer;
import dev.descent.ir.Shape;
import dev.descent.syntax.SourceFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Script#instance}: made once per (training, rows), and the same script as a fresh check would make. */
class ScriptInstanceTest {
    static Script script() throws Exception {
        String file = "examples/linear_regression.dsc";
        return Checker.checkForTraining(SourceFile.read(Path.of(file), file), Map.of());
    }

    @Test void anInstanceIsMadeOncePerTrainingAndRows() throws Exception {
        Script s = script();
        Script a = s.instance(true, Map.of("d", 16));
        assertSame(a, s.instance(true, new HashMap<>(Map.of("d", 16))), "the same key: the same instance");
        assertNotSame(a, s.instance(false, Map.of("d", 16)), "for evaluation: another");
        Script b = s.instance(true, Map.of("d", 7));
        assertNotSame(a, b, "other rows: another");
        assertEquals(Shape.vector(16), dataShape(a));
        assertEquals(Shape.vector(7), dataShape(b));
    }

    /** The instance's objective prints as a fresh check's with those rows: skipping the names' stage changes nothing. */
    @Test void anInstanceIsWhatAFreshCheckMakes() throws Exception {
        Script s = script();
        Script fresh = Checker.check(s.source, Map.of(), new Checker.Options(true, s.data, Map.of("d", 16)));
        Script inst = s.instance(true, Map.of("d", 16));
        assertEquals(Printer.print(fresh.objective), Printer.print(inst.objective));
        assertEquals(fresh.steps.size(), inst.steps.size());
        assertEquals(fresh.steps.get(0).call(), inst.steps.get(0).call());
        assertEquals(Printer.print(fresh.steps.get(0).pOutput()), Printer.print(inst.steps.get(0).pOutput()));
        assertTrue(Printer.print(inst.objective).contains("d.y"), Printer.print(inst.objective));
    }

    /** The shape of d.y as the instance's objective sees it. */
    private static Shape dataShape(Script s) {
        Shape[] found = {null};
        dev.descent.ir.Reach.any(java.util.List.of(s.objective), n -> {
            if (n.op == dev.descent.ir.Op.DATA) found[0] = n.shape;
            return false;
        });
        return found[0];
    }
}
