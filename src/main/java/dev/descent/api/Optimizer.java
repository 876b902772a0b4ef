package dev.descent.api;

import dev.descent.check.OptimizerStep;
import dev.descent.check.Step;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.run.GradientStep;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Parser;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An optimizer of the standard library, or one written in Descent, that your own training
 * loop drives: compute the gradient into your array, call {@link #step(double[], double[])},
 * and the parameters are updated in place, on the SIMD engine, with the optimizer's state
 * (moments, buffers) kept inside. The step number t starts at 1 and advances by one per call.
 *
 * <pre>{@code
 * Optimizer adam = Optimizer.standard("adam", Map.of("lr", 0.01));
 * for (int i = 0; i < 1000; i++) {
 *     gradient(w, g);          // your code: g = ∇loss(w)
 *     adam.step(w, g);         // w updated in place
 * }
 * }</pre>
 *
 * <p>The first call fixes the layout: the number of elements (several arrays count as one flat
 * vector, in order) and the precision ({@code double[]} steps in float64, {@code float[]} in
 * float32). The step program for that length is built once, and each later call runs it over
 * the same buffers without allocating. A hyperparameter given as a number is that constant;
 * given as a string it is an expression of the language, which may use {@code t} and the
 * standard schedules: {@code Map.of("lr", "cosine(0.1, 0.001, 100)")}.
 *
 * <p>Optimizers whose update needs the objective itself (its value, Hessian or a line search:
 * {@code newton}, {@code cg}) cannot be driven by gradients alone and are refused; run them on
 * a script with {@link Descent}. Not thread-safe: one optimizer, one training loop.
 */
public final class Optimizer {
    private static final Pattern NAME = Pattern.compile("[\\p{L}_][\\p{L}\\p{Nd}_]*");

    private final String name, call;
    private final OptimizerStep checked;
    private int threads = Runtime.getRuntime().availableProcessors();
    private long t;
    private Layout layout;

    /** {@code library}: the declarations the call may use besides the standard library (null for none). */
    private Optimizer(String name, SourceFile library, Map<String, ?> args) {
        this.name = name;
        SourceFile call = SourceFile.ofString("<optimizer " + name + ">", call(name, args));
        try {
            this.checked = OptimizerStep.of(library, call);
        } catch (CompileError e) {
            throw new DescentException(e);
        }
        Step own = checked.first();
        this.call = own.call();
        refuseIfNeedsObjective(own);
    }

    /**
     * An optimizer of the standard library by name ({@code "adam"}, {@code "sgd"}, {@code "rmsprop"},
     * …), with these arguments; hyperparameters not given keep their defaults.
     *
     * @param name the optimizer's name in the standard library
     * @param args values as {@link Number}s, or as {@link String}s holding an expression (a schedule of t)
     * @return the optimizer, before its first step
     * @throws DescentException for an unknown optimizer or argument, or one that needs the objective
     */
    public static Optimizer standard(String name, Map<String, ?> args) {
        return new Optimizer(name, null, args);
    }

    /**
     * A standard optimizer with its default hyperparameters.
     *
     * @param name the optimizer's name in the standard library
     * @return the optimizer, before its first step
     * @throws DescentException for an unknown optimizer, or one that needs the objective
     */
    public static Optimizer standard(String name) { return standard(name, Map.of()); }

    /**
     * An optimizer written in Descent: {@code text} declares it ({@code optimizer lion(lr = 1e-4) { … }},
     * with any functions it uses), {@code name} says which to use, {@code args} its arguments
     * (numbers, or expression strings). Diagnostics name the text {@code <optimizer script>}
     * and count its lines from 1.
     *
     * @param text the optimizer's declaration in Descent, with anything it uses
     * @param name which optimizer of the text to use
     * @param args its arguments, as in {@link #standard(String, Map)}
     * @return the optimizer, before its first step
     * @throws DescentException with the diagnostics when the text has errors
     */
    public static Optimizer script(String text, String name, Map<String, ?> args) {
        return new Optimizer(name, SourceFile.ofString("<optimizer script>", text), args);
    }

    /** The call as one would write it after {@code optimize with}: {@code adam(lr = 0.01)}. */
    private static String call(String name, Map<String, ?> args) {
        if (!NAME.matcher(name).matches()) throw new DescentException("'" + name + "' is not an optimizer's name");
        StringBuilder sb = new StringBuilder(name);
        if (!args.isEmpty()) {
            sb.append('(');
            boolean first = true;
            for (Map.Entry<String, ?> e : args.entrySet()) {
                if (!NAME.matcher(e.getKey()).matches()) throw new DescentException("'" + e.getKey() + "' is not a hyperparameter's name");
                if (!first) sb.append(", ");
                first = false;
                sb.append(e.getKey()).append(" = ").append(literal(e.getKey(), e.getValue()));
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static String literal(String key, Object v) {
        if (v instanceof Number x) {
            double d = x.doubleValue();
            if (!Double.isFinite(d)) throw new DescentException("hyperparameter " + key + " = " + d + ": must be a finite number");
            String s = Double.toString(Math.abs(d));
            return d < 0 || (d == 0 && 1 / d < 0) ? "(-" + s + ")" : s;
        }
        if (v instanceof Boolean b) return b ? "1" : "0";
        if (v instanceof String s) {
            if (s.isBlank() || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('#') >= 0)
                throw new DescentException("hyperparameter " + key + " = \"" + s + "\": expected one expression on one line");
            try { // one expression and nothing else, so that in parentheses it is one argument
                Parser.parseExpression(SourceFile.ofString("<hyperparameter " + key + ">", s));
            } catch (CompileError e) {
                throw new DescentException(e);
            }
            return "(" + s + ")";
        }
        throw new DescentException("hyperparameter " + key + ": expected a number or an expression string, not "
                + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    private static void refuseIfNeedsObjective(Step s) {
        String why = s.needsObjective();
        if (why != null)
            throw new DescentException(why + "; write the objective in a script and run it with Descent.load(…).run()");
        if (s.readsF())
            throw new DescentException(s.optimizer() + " reads the objective's value f, which step(params, grads) does not have;"
                    + " run it on a script with Descent.load(…).run()");
    }

    /**
     * The optimizer's name.
     *
     * @return the name it was made with, e.g. {@code "adam"}
     */
    public String name() { return name; }

    /**
     * The call as checked.
     *
     * @return e.g. {@code "adam(lr = 0.01)"}
     */
    @Override public String toString() { return call; }

    /**
     * Steps taken so far.
     *
     * @return the steps since the start or {@link #reset()}: the next step runs with t = {@code steps() + 1}
     */
    public long steps() { return t; }

    /**
     * Threads the SIMD engine may use for large arrays (default: all cores); results do not
     * depend on it. Takes effect before the first step only.
     *
     * @param n at least 1
     * @return this optimizer
     * @throws IllegalArgumentException when {@code n} is below 1
     * @throws IllegalStateException    after the first step
     */
    public Optimizer threads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be at least 1, not " + n);
        if (layout != null) throw new IllegalStateException("threads must be set before the first step");
        this.threads = n;
        return this;
    }

    /** Forgets the state and the layout: the next step is step 1 again, of any size. */
    public void reset() {
        t = 0;
        layout = null;
    }

    // ------------------------------------------------------------------ steps

    /**
     * One step in float64: {@code params} updated in place from {@code grads}.
     *
     * @param params the parameters, updated in place
     * @param grads  the gradient at {@code params}, as long; not changed
     * @throws IllegalArgumentException when the lengths differ from each other or from the first step's
     * @throws IllegalStateException    when the first step was in float32
     */
    public void step(double[] params, double[] grads) {
        requireSame(params.length, grads.length, "params", "grads");
        Layout l = layout(List.of(params.length), Precision.F64);
        l.step(l.wrap(params), l.wrapGrads(grads));
        t++;
    }

    /**
     * One step in float32 on the SIMD engine: {@code params} updated in place from {@code grads}.
     *
     * @param params the parameters, updated in place
     * @param grads  the gradient at {@code params}, as long; not changed
     * @throws IllegalArgumentException when the lengths differ from each other or from the first step's,
     *                                  or the JVM has no {@code jdk.incubator.vector}
     * @throws IllegalStateException    when the first step was in float64
     */
    public void step(float[] params, float[] grads) {
        requireSame(params.length, grads.length, "params", "grads");
        Layout l = layout(List.of(params.length), Precision.F32);
        l.step(l.wrap(params), l.wrapGrads(grads));
        t++;
    }

    /**
     * One step in float64 over several arrays taken as one flat vector, in order:
     * {@code params[k]} and {@code grads[k]} must have the same length, and the same lengths
     * from call to call. (They are copied into one flat vector and back: a single array is
     * updated where it is.)
     *
     * @param params the parameters, updated in place
     * @param grads  the gradients at {@code params}, array by array as long; not changed
     * @throws IllegalArgumentException when the lengths differ from each other or from the first step's
     * @throws IllegalStateException    when the first step was in float32
     */
    public void step(double[][] params, double[][] grads) {
        Layout l = layout(sizes(params.length, grads.length, k -> params[k].length, k -> grads[k].length), Precision.F64);
        Buffer.F64 p = (Buffer.F64) l.flatP, g = (Buffer.F64) l.flatG;
        int o = 0;
        for (int k = 0; k < params.length; k++) {
            System.arraycopy(params[k], 0, p.a, o, params[k].length);
            System.arraycopy(grads[k], 0, g.a, o, grads[k].length);
            o += params[k].length;
        }
        l.step(p, g);
        o = 0;
        for (double[] x : params) {
            System.arraycopy(p.a, o, x, 0, x.length);
            o += x.length;
        }
        t++;
    }

    /**
     * One step in float32 over several arrays taken as one flat vector, in order (see
     * {@link #step(double[][], double[][])}).
     *
     * @param params the parameters, updated in place
     * @param grads  the gradients at {@code params}, array by array as long; not changed
     * @throws IllegalArgumentException when the lengths differ from each other or from the first step's,
     *                                  or the JVM has no {@code jdk.incubator.vector}
     * @throws IllegalStateException    when the first step was in float64
     */
    public void step(float[][] params, float[][] grads) {
        Layout l = layout(sizes(params.length, grads.length, k -> params[k].length, k -> grads[k].length), Precision.F32);
        Buffer.F32 p = (Buffer.F32) l.flatP, g = (Buffer.F32) l.flatG;
        int o = 0;
        for (int k = 0; k < params.length; k++) {
            System.arraycopy(params[k], 0, p.a, o, params[k].length);
            System.arraycopy(grads[k], 0, g.a, o, grads[k].length);
            o += params[k].length;
        }
        l.step(p, g);
        o = 0;
        for (float[] x : params) {
            System.arraycopy(p.a, o, x, 0, x.length);
            o += x.length;
        }
        t++;
    }

    private static void requireSame(int a, int b, String an, String bn) {
        if (a != b) throw new IllegalArgumentException(an + " has " + a + " elements but " + bn + " has " + b + "; they must have the same length");
    }

    private static List<Integer> sizes(int np, int ng, java.util.function.IntUnaryOperator p, java.util.function.IntUnaryOperator g) {
        if (np != ng) throw new IllegalArgumentException(np + " parameter arrays but " + ng + " gradient arrays; give one gradient array per parameter array");
        if (np == 0) throw new IllegalArgumentException("no parameter arrays");
        List<Integer> out = new ArrayList<>(np);
        for (int k = 0; k < np; k++) {
            int a = p.applyAsInt(k), b = g.applyAsInt(k);
            if (a != b) throw new IllegalArgumentException("params[" + k + "] has " + a + " elements but grads[" + k + "] has " + b + "; they must have the same length");
            out.add(a);
        }
        return out;
    }

    // ------------------------------------------------------------------ layouts

    /**
     * What the first step fixed: the arrays' lengths, the precision, and the update for them: the
     * driver's own ({@link GradientStep}), over the caller's arrays (wrapped, not copied: the
     * parameters are updated where they are).
     */
    private final class Layout {
        final List<Integer> sizes;
        final Precision precision;
        final GradientStep update;
        /** Flat copies for several arrays (null for one). */
        final Buffer flatP, flatG;
        private Object lastP, lastG;
        private Buffer wrappedP, wrappedG;

        Layout(List<Integer> sizes, Precision precision) {
            this.sizes = List.copyOf(sizes);
            this.precision = precision;
            int n = 0;
            for (int s : sizes) n += s;
            if (n < 1) throw new IllegalArgumentException("the parameters have no elements");
            Step step;
            try {
                step = checked.step(n);
            } catch (CompileError e) {
                throw new DescentException(e);
            }
            refuseIfNeedsObjective(step);
            update = new GradientStep(checked.dag(), step, new Engine(Engine.Kind.AUTO, precision, threads), 0);
            flatP = sizes.size() > 1 ? Buffer.allocate(precision, n) : null;
            flatG = sizes.size() > 1 ? Buffer.allocate(precision, n) : null;
        }

        /** The caller's array as a buffer (the same wrapper while the caller passes the same array). */
        Buffer wrap(Object params) {
            if (params != lastP) {
                wrappedP = params instanceof double[] d ? Buffer.of(d) : Buffer.of((float[]) params);
                lastP = params;
            }
            return wrappedP;
        }

        Buffer wrapGrads(Object grads) {
            if (grads != lastG) {
                wrappedG = grads instanceof double[] d ? Buffer.of(d) : Buffer.of((float[]) grads);
                lastG = grads;
            }
            return wrappedG;
        }

        void step(Buffer p, Buffer g) { update.step(p, g); }
    }

    private Layout layout(List<Integer> sizes, Precision precision) {
        if (layout == null) return layout = new Layout(sizes, precision);
        if (layout.precision != precision)
            throw new IllegalStateException("this optimizer steps " + (layout.precision == Precision.F32 ? "float[]" : "double[]")
                    + " arrays (its first step did); use another Optimizer for " + (precision == Precision.F32 ? "float[]" : "double[]"));
        checkSizes(layout.sizes, sizes);
        return layout;
    }

    private static void checkSizes(List<Integer> first, List<Integer> now) {
        if (first.equals(now)) return;
        throw new IllegalArgumentException("the arrays have " + describe(now) + " elements, but the first step had " + describe(first)
                + "; an optimizer keeps state for the arrays of its first step (reset() to start over)");
    }

    private static String describe(List<Integer> sizes) {
        if (sizes.size() == 1) return String.valueOf(sizes.get(0));
        return sizes.toString() + " (" + sizes.stream().mapToInt(Integer::intValue).sum() + " in all)";
    }
}
