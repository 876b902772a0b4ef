package dev.descent.check;

import dev.descent.ir.Shape;

/**
 * How much work {@code check} lets a script ask for, so that a script that checks also runs:
 * what it would compute is sized when it is checked (shapes are known then), and whatever is
 * over a limit is a positioned error that says what is too large, how large, and which option
 * raises the limit. The defaults are generous for every example; a user who has the memory and
 * the time raises them ({@code --max-array}, {@code --max-hessian}, {@code --max-flops},
 * {@code --max-nodes}). No option lifts the engines' own bounds: an array of at most
 * {@link Shape#MAX_SIZE} elements, a Hessian of at most {@link #HESSIAN_BOUND}² entries.
 *
 * @param maxArray   the most elements of one array a script computes (an intermediate, a
 *                   state, a constant). An array no larger than a parameter, θ or a data set
 *                   (rows × columns) is always allowed: those are already in memory.
 * @param maxHessian the largest θ (number of scalar parameters) for which an optimizer may read
 *                   {@code H}: the step then forms an n×n Hessian, by n reverse passes, at every step
 * @param maxFlops   the most multiply-adds of matrix products ({@code @}, {@code solve}) in one
 *                   evaluation of the objective and its gradient, or in one optimizer step (with
 *                   the Hessian's n passes when it reads {@code H})
 * @param maxNodes   the most nodes of the expression DAG that checking a script builds, and the
 *                   most times it expands defs (each def is expanded once per distinct argument)
 */
public record Limits(long maxArray, long maxHessian, double maxFlops, long maxNodes) {
    /** The limits when no option changes them. */
    public static final Limits DEFAULT = new Limits(100_000_000L, 2_048, 1e11, 1_000_000L);

    /** The largest θ whose Hessian an array can hold: 46,340² is just under {@link Shape#MAX_SIZE}. */
    public static final int HESSIAN_BOUND = 46_340;

    public Limits {
        if (maxArray < 1 || maxHessian < 1 || !(maxFlops >= 1) || maxNodes < 1)
            throw new IllegalArgumentException("limits must be at least 1");
    }

    public Limits withMaxArray(long v) { return new Limits(v, maxHessian, maxFlops, maxNodes); }

    public Limits withMaxHessian(long v) { return new Limits(maxArray, v, maxFlops, maxNodes); }

    public Limits withMaxFlops(double v) { return new Limits(maxArray, maxHessian, v, maxNodes); }

    public Limits withMaxNodes(long v) { return new Limits(maxArray, maxHessian, maxFlops, v); }
}
