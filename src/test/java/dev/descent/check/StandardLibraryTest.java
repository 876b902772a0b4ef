package dev.descent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.syntax.CompileError;
import dev.descent.syntax.SourceFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link StandardLibrary}: a script gets the declarations it can reach, parsed, and every other name. */
class StandardLibraryTest {
    static final String QUICK = "param x = [-1.5, 2]\nminimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2\noptimize with adam(lr = 0.05) for 2000 steps\n";

    @Test void onlyWhatTheScriptNamesIsParsedEveryNameIsThereInOrder() {
        StandardLibrary.Loaded all = StandardLibrary.forScript("import \"x.dsc\"\n");
        StandardLibrary.Loaded quick = StandardLibrary.forScript(QUICK);
        assertEquals(List.copyOf(all.module().optimizers.keySet()), List.copyOf(quick.module().optimizers.keySet()));
        assertEquals(List.copyOf(all.module().defs.keySet()), List.copyOf(quick.module().defs.keySet()));
        assertTrue(all.module().optimizers.size() >= 12 && all.module().defs.size() >= 4);
        for (var e : all.module().optimizers.entrySet()) assertNotNull(e.getValue().decl(), e.getKey());
        for (var e : all.module().defs.entrySet()) assertNotNull(e.getValue().def(), e.getKey());
        assertNotNull(quick.module().optimizer("adam").decl());
        assertTrue(parsed(quick, "adam") && !parsed(quick, "sgd") && !parsedDef(quick, "cosine"));
        assertSame(quick.module(), quick.module().optimizer("sgd").module());
        // read anyway, a declaration not parsed for the script is the whole library's
        assertTrue(all.module().optimizer("sgd").decl().toString().equals(quick.module().optimizer("sgd").decl().toString()));
        assertTrue(all.module().def("cosine").def().toString().equals(quick.module().def("cosine").def().toString()));
        assertTrue(!parsed(quick, "sgd"), "the script's module is not changed by reading it");
        assertTrue(all.module().optimizer("adam").decl().toString().equals(quick.module().optimizer("adam").decl().toString()),
                "the same declaration, at the same positions");
        assertEquals(66, quick.module().optimizer("adam").decl().pos().line());
        assertSame(quick, StandardLibrary.forScript(QUICK + "# another script that reaches the same\n"), "made once");
    }

    @Test void aScheduleNamedInTheScriptIsParsed() {
        StandardLibrary.Loaded s = StandardLibrary.forScript("optimize with sgd(lr = cosine(0.1, 0, 100))");
        assertTrue(parsed(s, "sgd") && parsedDef(s, "cosine") && !parsed(s, "adam"));
    }

    @Test void wordsAreTheLexersNames() {
        // more than the names (a comment's words, "e3" of 1.5e3): reaching more is only slower
        assertEquals(java.util.Set.of("a_b1", "x2", "é9", "y", "_z", "θ", "adam", "e3"),
                StandardLibrary.words("a_b1 + x2*é9, 3y # _z\nθ=adam(1.5e3)"));
    }

    /** Whether the script's library module holds this optimizer's declaration itself (parsed for it). */
    private static boolean parsed(StandardLibrary.Loaded l, String name) { return l.module().optimizers.get(name).parsedHere(); }

    private static boolean parsedDef(StandardLibrary.Loaded l, String name) { return l.module().defs.get(name).parsedHere(); }

    @Test void scriptsCheckAndFailAsWithTheWholeLibrary() {
        Script q = Checker.check(SourceFile.ofString("q.dsc", QUICK));
        assertEquals(1, q.steps.size());
        assertTrue(!q.module.optimizer("sgd").parsedHere(), "not parsed for this script");
        CompileError e = org.junit.jupiter.api.Assertions.assertThrows(CompileError.class,
                () -> Checker.check(SourceFile.ofString("q.dsc", QUICK.replace("adam(", "adamm("))));
        String message = e.diagnostics().get(0).message() + " " + e.diagnostics().get(0).hint();
        assertTrue(message.contains("unknown optimizer 'adamm'") && message.contains("adam"), message);
        Script sched = Checker.check(SourceFile.ofString("s.dsc", "param x = 1\nminimize x^2\noptimize with sgd(lr = warmup(0.1, 5), momentum = 0.9) for 10 steps\n"));
        assertEquals(1, sched.steps.size());
    }
}
