package dev.descent.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.ir.Shape;
import dev.descent.syntax.SourceFile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A state read before the body first assigns it takes the shape the body gives it, or one
 * positioned error says why it cannot; a failed statement's temporaries cause no further errors.
 */
class StateShapesTest {
    static final String HEAD = "param x = [1, 2, 3]\nminimize sum(x^2)\n";

    static Script script(String text) { return Checker.checkForTraining(SourceFile.ofString("t.dsc", text), Map.of()); }

    static int count(String rendered) { return rendered.split("error:", -1).length - 1; }

    /** m is read (m[1]) before it is assigned m = b + g: it is a vector like p, and the steps are the hand-computed ones. */
    @Test
    void aStateReadBeforeItsAssignmentTakesTheBodysShape() {
        String text = HEAD + """
                optimizer o() {
                  state m = 0
                  a = m[1]
                  b = a * 2
                  m = b + g
                  p -= 0.1 * m
                }
                optimize with o() for 2 steps
                """;
        Script s = script(text);
        assertEquals(Shape.vector(3), s.steps.get(0).stateInputs().get(0).shape);
        // g = 2x. Step 1: m = g = [2, 4, 6], x = [0.8, 1.6, 2.4]. Step 2: a = 4, m = 8 + [1.6, 3.2, 4.8].
        double[] x = new Driver(s, 0).run(s.initialTheta(0), null).theta();
        assertArrayEquals(new double[] {0.8 - 0.96, 1.6 - 1.12, 2.4 - 1.28}, x, 1e-12);
    }

    /** S[0] is a row only if S is a matrix; its assignment needs y, which needs S[0]: the body is consistent with S [3, 3] only. */
    @Test
    void aMatrixStateIsFoundThroughItsOwnRows() {
        Script s = script(HEAD + """
                optimizer o() {
                  state S = 0
                  y = S[0]
                  z = y * g
                  S = outer(g, g) + z[0]
                  p -= 0.01 * (z + y)
                }
                optimize with o() for 3 steps
                """);
        assertEquals(Shape.matrix(3, 3), s.steps.get(0).stateInputs().get(0).shape);
    }

    /** No shape makes this body consistent ([2, 3] is not one it tries): one error, at the read, saying so. */
    @Test
    void aStateWhoseShapeCannotBeFoundIsOneError() {
        String e = OptimizeTest.errors(HEAD + """
                optimizer o() {
                  state S = 0
                  y = S[1]
                  S = transpose(stack(g, g)) + y[0]
                  z = y * 2
                  p -= 0.1 * z[0]
                }
                optimize with o() for 3 steps
                """);
        assertEquals(1, count(e), e);
        assertTrue(e.contains("bad.dsc:5:7: error: state 'S' is read here before the body assigns it, so it is still its start, a number"), e);
        assertTrue(e.contains("start it with that shape, e.g. state S = zeros(3) or zeros(3, 3)"), e);
    }

    /** An error that is not the state's shape stays what it is, and the temporaries after it add nothing. */
    @Test
    void noCascade() {
        String typo = OptimizeTest.errors(HEAD + """
                optimizer o(beta = 0.9) {
                  state v = 0
                  y = v * 2
                  v = beta * v + gg
                  z = y + v
                  p -= 0.1 * z
                }
                optimize with o() for 3 steps
                """);
        assertEquals(1, count(typo), typo);
        assertTrue(typo.contains("bad.dsc:6:18: error: unknown name 'gg'"), typo);
        String chain = OptimizeTest.errors(HEAD + """
                optimizer o() {
                  a = foo + 1
                  b = a * 2
                  c = [b, b, b] + g
                  p -= 0.1 * c
                }
                optimize with o() for 3 steps
                """);
        assertEquals(1, count(chain), chain);
        assertTrue(chain.contains("bad.dsc:4:7: error: unknown name 'foo'"), chain);
    }
}
