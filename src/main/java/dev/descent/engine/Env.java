package dev.descent.engine;

import dev.descent.ir.Node;
import java.util.Map;

/**
 * The values of a program's leaves: every PARAM, DATA, INPUT and RANDOM node it reaches.
 * A value is row-major and {@code leaf.shape.size()} long. Engines only read these arrays;
 * they never write to them or keep them past the run that asked for them.
 */
@FunctionalInterface
public interface Env {
    double[] value(Node leaf);

    /** An environment backed by a map; a leaf the map does not hold is an error naming it. */
    static Env of(Map<Node, double[]> values) {
        return leaf -> {
            double[] v = values.get(leaf);
            if (v == null) throw new IllegalArgumentException("no value for leaf " + leaf.op + " " + leaf.attr);
            return v;
        };
    }
}
