package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a two-program step's body asks of the objective beyond f and g at θ: its line searches
 * (Armijo backtracking; strong Wolfe, whose accepted point's f and g the next step takes when it
 * starts there), hvp(v) and grad_at(q). They run in the body's order between the until condition
 * and the update ({@link #run}), each on the step's rows; their results are the cells and buffers
 * the update's program reads ({@link #bind}). A fused step has none of them.
 */
final class BodyCalls {
    private final StatementRun run;
    private final Driver driver;
    private final Script script;
    private final Step step;
    private final Engine engine;
    private final Rng rng;
    private final double sign;
    private final Batches batches;
    private final Theta theta;
    /** Each line search's program: its direction d (output 0), where it starts (output 1), its settings. */
    private final List<ScriptProgram> searches = new ArrayList<>();
    /** hvp(v): each call's program for its v, its result H·v, the shared v, and the H·v program for each batch's rows. */
    private final List<ScriptProgram> hvpVs = new ArrayList<>();
    private Buffer[] hvpOut = new Buffer[0];
    private Buffer hvpV;
    private final Map<Rows, HessianVector> hvpPrograms = new HashMap<>();
    /** grad_at(q): each call's program for its q, its result (the gradient at q), the shared q, and the gradient program for each batch's rows. */
    private final List<ScriptProgram> gradAtQs = new ArrayList<>();
    private Buffer[] gradAtOut = new Buffer[0];
    private Buffer gradAtQ;
    private final Map<Rows, Evaluation> gradAtPrograms = new HashMap<>();
    private Buffer searchD, searchFrom, searchX, searchG;
    /** Each line search's result, a step size, read by the update as the cell "search:s". */
    private final double[][] searchCells;
    /** The gradient objective a strong-Wolfe search evaluates at its trial points, by rows. */
    private final Map<Rows, Evaluation> searchObjectives = new HashMap<>();
    /**
     * The point a strong-Wolfe search accepted, with the objective's value (as written) and
     * signed gradient there: when the next step starts at exactly that θ on the same rows,
     * they are its f and g, not evaluated again.
     */
    private Buffer acceptedX;
    double[] acceptedG;
    double acceptedValue;
    boolean accepted;

    /** hvp(v) evaluations so far. */
    private long hessianVectorProducts;

    BodyCalls(StatementRun run) {
        this.run = run;
        this.driver = run.driver;
        this.script = run.script;
        this.step = run.step;
        this.engine = run.engine;
        this.rng = run.rng;
        this.sign = run.sign;
        this.batches = run.batches;
        this.theta = run.theta;
        searchCells = new double[step.searches().size()][1];
    }

    /** The hvp and grad_at calls' results and their shared v and q (before the programs that read them are built). */
    void allocate() {
        hvpOut = new Buffer[step.hvps().size()];
        for (int k = 0; k < hvpOut.length; k++) hvpOut[k] = engine.allocate(script.dimension());
        if (hvpOut.length > 0) hvpV = engine.allocate(script.dimension());
        gradAtOut = new Buffer[step.gradAts().size()];
        for (int k = 0; k < gradAtOut.length; k++) gradAtOut[k] = engine.allocate(script.dimension());
        if (gradAtOut.length > 0) gradAtQ = engine.allocate(script.dimension());
    }

    /** The programs of the hvp calls' v and the grad_at calls' q, each bound by {@code inputs} (as the update is). */
    void buildCalls(Consumer<ScriptProgram> inputs) {
        for (Step.Hvp hv : step.hvps()) {
            ScriptProgram vp = new ScriptProgram(engine, List.of(hv.v()));
            inputs.accept(vp);
            vp.bindOutput(0, hvpV, 0);
            hvpVs.add(vp);
        }
        for (Step.GradAt ga : step.gradAts()) {
            ScriptProgram qp = new ScriptProgram(engine, List.of(ga.q()));
            inputs.accept(qp);
            qp.bindOutput(0, gradAtQ, 0);
            gradAtQs.add(qp);
        }
    }

    /** The line searches' programs, each bound by {@code inputs}, and the buffers of their direction, start and trial point. */
    void buildSearches(Consumer<ScriptProgram> inputs) {
        for (Step.LineSearch ls : step.searches()) {
            ScriptProgram sp = new ScriptProgram(engine, ls.inputs());
            inputs.accept(sp);
            if (searchD == null) {
                searchD = engine.allocate(script.dimension());
                searchFrom = engine.allocate(script.dimension());
                searchX = engine.allocate(script.dimension());
            }
            sp.program.bindOutput(0, searchD, 0);
            sp.program.bindOutput(1, searchFrom, 0);
            searches.add(sp);
        }
    }

    /** The calls' results, as a program of the body reads them: "search:s", "hvp:k", "grad_at:k". */
    void bind(ScriptProgram p) {
        for (int s = 0; s < step.searches().size(); s++) p.bind("search:" + s, Buffer.of(searchCells[s]), 0);
        for (int k = 0; k < hvpOut.length; k++) p.bind("hvp:" + k, hvpOut[k], 0);
        for (int k = 0; k < gradAtOut.length; k++) p.bind("grad_at:" + k, gradAtOut[k], 0);
    }

    /** Every call of step t's body, in the body's order, at θ and the states as they stand; f is the step's (signed) loss. */
    void run(double f, long t) {
        int hk = 0, gk = 0;
        for (int s = 0; s <= searches.size(); s++) {
            // the body's hvp and grad_at calls before search s, in the body's order
            while (true) {
                boolean hvpNext = hk < hvpVs.size() && step.hvps().get(hk).afterSearches() == s;
                boolean gradAtNext = gk < gradAtQs.size() && step.gradAts().get(gk).afterSearches() == s;
                if (gradAtNext && (!hvpNext || step.gradAts().get(gk).afterHvps() <= hk)) gradientAt(gk++, t);
                else if (hvpNext) hessianVector(hk++, t);
                else break;
            }
            if (s == searches.size()) break;
            ScriptProgram sp = searches.get(s);
            sp.theta(theta.cur);
            sp.bind("p", theta.cur, 0);
            run.bindStates(sp);
            sp.run(rng);
            dev.descent.engine.Program q = sp.program;
            searchCells[s][0] = q.scalar(6) != 0 ? wolfe(q.scalar(2), q.scalar(3), q.scalar(7), q.scalar(8), q.scalar(5), f, t)
                    : search(q.scalar(2), q.scalar(3), q.scalar(4), q.scalar(5), f, t);
        }
    }

    /** Runs a program of the body's values (an hvp's v, a grad_at's q) at this step's p and states. */
    private void atThisStep(ScriptProgram prog) {
        prog.theta(theta.cur);
        prog.bind("p", theta.cur, 0);
        run.bindStates(prog);
        prog.run(rng);
    }

    /** hvp call k: its v at this step's p and states, then H·v at p on this step's rows, into its result. */
    private void hessianVector(int k, long t) {
        atThisStep(hvpVs.get(k));
        hessianVectorProducts++;
        Rows rows = batches.batch(t);
        if (driver.parallel != null) {
            Evaluation.Remote remote = new Evaluation.Remote(driver.parallel, false, false, sign, false);
            remote.rows(rows);
            double[] r = remote.request(DataParallel.Kind.HVP, theta.cur, hvpV);
            hvpOut[k].write(0, r, 1, hvpOut[k].length());
            return;
        }
        HessianVector hv = hvpPrograms.get(rows);
        if (hv == null) {
            hv = new HessianVector(rows.script, engine, sign);
            hv.rows(rows);
            hvpPrograms.put(rows, hv);
        }
        hv.bind(theta.cur, hvpV, hvpOut[k]);
        hv.run(rng);
    }

    /** grad_at call k: its q at this step's p and states, then the (signed) gradient at q on this step's rows, into its result. */
    private void gradientAt(int k, long t) {
        atThisStep(gradAtQs.get(k));
        Rows rows = batches.batch(t);
        Evaluation o = gradAtPrograms.get(rows);
        if (o == null) {
            o = driver.evaluation(rows.script, true, false, sign, false);
            o.random(rng);
            o.rows(rows);
            gradAtPrograms.put(rows, o);
        }
        o.gradient(gradAtOut[k]);
        o.theta(gradAtQ);
        o.run();
        run.evaluations++;
    }

    /** Armijo backtracking ({@link LineSearches#backtracking}) along the search's direction, on this step's rows. */
    private double search(double a0, double c, double shrink, double slope, double f, long t) {
        Rows rows = batches.batch(t);
        Buffer d = searchD, from = searchFrom, x = searchX;
        int n = x.length();
        return LineSearches.backtracking(a -> {
            for (int i = 0; i < n; i++) x.set(i, from.get(i) + a * d.get(i));
            run.evaluations++;
            return sign * run.value(rows, x);
        }, a0, c, shrink, slope, f, driver.MAX_SEARCH_TRIES);
    }


    /** Whether this step's f and g are those a strong-Wolfe search left at exactly this θ (full batches, no H, no dropout). */
    boolean reusable(Rows rows) {
        if (!driver.reusing || !accepted || batches.active() || run.usesH || rows != batches.batch(run.t)) return false;
        if (script.options.training() && Batches.hasRandom(script.objective)) return false;
        Buffer x = theta.cur;
        for (int i = 0, n = x.length(); i < n; i++)
            if (Double.doubleToRawLongBits(x.get(i)) != Double.doubleToRawLongBits(acceptedX.get(i))) return false;
        return true;
    }

    /** f and g at from + a·d on these rows (a trial of the strong-Wolfe search). */
    private LineSearches.Trial trial(Rows rows, double a) {
        Buffer d = searchD, from = searchFrom, x = searchX;
        int n = x.length();
        for (int i = 0; i < n; i++) x.set(i, from.get(i) + a * d.get(i));
        Evaluation o = searchObjectives.get(rows);
        if (o == null) {
            if (searchG == null) searchG = engine.allocate(n);
            o = driver.evaluation(rows.script, true, false, sign, false);
            o.random(rng);
            o.gradient(searchG);
            o.rows(rows);
            searchObjectives.put(rows, o);
        }
        o.theta(x);
        double value = o.run();
        run.evaluations++;
        double[] gx = new double[n];
        searchG.read(0, gx, 0, n);
        double gtd = 0;
        for (int i = 0; i < n; i++) gtd += gx[i] * d.get(i);
        return new LineSearches.Trial(a, sign * value, value, gx, gtd);
    }

    /**
     * The strong-Wolfe line search ({@link LineSearches#wolfe}) along the search's direction, on
     * this step's rows; the accepted point's f and g are kept for the next step.
     */
    private double wolfe(double a0, double c1, double c2, double maxEvalsValue, double gtd, double f, long t) {
        accepted = false;
        Rows rows = batches.batch(t);
        int maxEvals = (int) Math.max(1, Math.min(1e6, Math.floor(maxEvalsValue)));
        Buffer d = searchD;
        double dNorm = 0;
        for (int i = 0, n = d.length(); i < n; i++) dNorm = Math.max(dNorm, Math.abs(d.get(i)));
        LineSearches.Trial best = LineSearches.wolfe(a -> trial(rows, a), a0, c1, c2, maxEvals, gtd, f, dNorm);
        if (best.g() != null) {
            Buffer from = searchFrom;
            if (acceptedX == null) acceptedX = engine.allocate(d.length());
            for (int i = 0, n = d.length(); i < n; i++) acceptedX.set(i, from.get(i) + best.a() * d.get(i));
            acceptedG = best.g();
            acceptedValue = best.value();
            accepted = true;
        }
        return best.a();
    }
}
