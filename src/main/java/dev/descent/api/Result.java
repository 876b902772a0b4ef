package dev.descent.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Model#run()} found: the numbers {@code descent run --json} prints. The final
 * loss is the objective as written at the end (for {@code maximize}, the value maximized).
 */
public final class Result {
    /**
     * How one {@code optimize} statement ended.
     *
     * @param optimizer      the optimizer's name, e.g. {@code "adam"}
     * @param call           the call as written, e.g. {@code "adam(lr = 0.05)"}
     * @param steps          the updates made
     * @param loss           the objective on all data at its end
     * @param stopped        {@code "steps"}, {@code "until"}, {@code "diverged"} or {@code "early_stop"}
     * @param message        why it diverged, or null
     * @param epochs         epochs run, with a validation split (else 0)
     * @param trainLoss      the training loss at its end, with a validation split (else NaN)
     * @param validationLoss the validation loss at its end, with a validation split (else NaN)
     * @param restoredEpoch  after an early stop ({@code stopped} is {@code "early_stop"}), the epoch
     *                       (counted from 1) whose parameters were restored, the one with the best
     *                       validation loss: {@code descent run --json}'s {@code restored_epoch}; else 0
     */
    public record Run(String optimizer, String call, long steps, double loss, String stopped, String message,
                      long epochs, double trainLoss, double validationLoss, long restoredEpoch) {}

    private final double loss;
    private final double[] theta;
    private final List<Parameter> parameters;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final List<Run> runs;

    Result(double loss, double[] theta, List<Parameter> parameters, List<Run> runs) {
        this.loss = loss;
        this.theta = theta;
        this.parameters = parameters;
        for (Parameter p : parameters) byName.put(p.name(), p);
        this.runs = List.copyOf(runs);
    }

    /**
     * The objective at the final parameters.
     *
     * @return the final loss (NaN after a divergence)
     */
    public double loss() { return loss; }

    /**
     * Each optimize statement's outcome.
     *
     * @return one {@link Run} per optimize statement, in order, unmodifiable
     */
    public List<Run> runs() { return runs; }

    /**
     * Whether a run diverged.
     *
     * @return true when a run stopped because the loss or the parameters stopped being finite
     */
    public boolean diverged() { return runs.stream().anyMatch(r -> r.stopped().equals("diverged")); }

    /**
     * The final parameters as one flat vector.
     *
     * @return θ (a copy), laid out as {@link #parameters()} says
     */
    public double[] theta() { return theta.clone(); }

    /**
     * The parameters' names, shapes and places in θ.
     *
     * @return the parameters in declaration order, unmodifiable
     */
    public List<Parameter> parameters() { return parameters; }

    /**
     * One parameter's final value.
     *
     * @param name the parameter's name in the script
     * @return its elements, flat (row-major for a matrix; one element for a scalar), a copy
     * @throws IllegalArgumentException when the script has no parameter of that name
     */
    public double[] param(String name) {
        Parameter p = parameter(name);
        return java.util.Arrays.copyOfRange(theta, p.offset(), p.offset() + p.size());
    }

    /**
     * One parameter's shape.
     *
     * @param name the parameter's name in the script
     * @return {@code []}, {@code [n]} or {@code [rows, cols]}, a copy
     * @throws IllegalArgumentException when the script has no parameter of that name
     */
    public int[] shape(String name) { return parameter(name).shape(); }

    /**
     * Every parameter's final value.
     *
     * @return name to value (as {@link #param(String)} gives it), in declaration order, unmodifiable
     */
    public Map<String, double[]> params() {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (Parameter p : parameters) m.put(p.name(), param(p.name()));
        return Collections.unmodifiableMap(m);
    }

    private Parameter parameter(String name) {
        Parameter p = byName.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter named '" + name + "'; the parameters are " + byName.keySet());
        return p;
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("loss ").append(loss);
        for (Parameter p : parameters) sb.append(", ").append(p.name()).append(" = ").append(java.util.Arrays.toString(param(p.name())));
        return sb.toString();
    }
}
