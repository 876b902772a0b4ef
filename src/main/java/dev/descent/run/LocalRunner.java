package dev.descent.run;

import dev.descent.engine.Buffer;
import dev.descent.run.Driver.Trace;

/**
 * One part's optimize statement, run a round of local steps at a time ({@link
 * DataParallel.LocalRounds}, {@link Driver#localRunner}): kept from round to round by the worker
 * that holds the part, so that its programs are built once. (The driver's side of a round, which
 * hands θ and the states out and takes their average back, is {@link StatementRun}'s.)
 */
public final class LocalRunner {
    private final double[] first = {Double.NaN};
    private final StatementRun run;
    private final Rng rng;
    private boolean started;

    LocalRunner(Driver driver, int index) {
        Trace firstLoss = new Trace() {
            @Override public void row(int run, long step, double loss, double gradNorm, double lr, Buffer theta) {
                if (Double.isNaN(first[0])) first[0] = loss;
            }

            @Override public boolean wantsDetail() { return false; }
        };
        // as many updates as rounds will take (its programs are told so: the engine compiles what pays): each round sets its own end
        run = new StatementRun(driver, index, driver.script.steps.get(index - 1),
                new Theta(driver.engine, driver.engine.allocate(driver.script.dimension())), firstLoss, Long.MAX_VALUE);
        rng = driver.rng;
    }

    /**
     * {@code steps} updates from θ and the states (null: as the optimizer starts them) after t
     * updates, the generator seeded with {@code seed} (so a round's draws do not depend on
     * which worker ran the part before); θ, the states and the loss at the round's start.
     */
    public DataParallel.Round round(double[] start, double[][] stateValues, long t, int steps, long seed) {
        first[0] = Double.NaN;
        run.theta.cur.write(0, start, 0, start.length);
        if (stateValues != null) run.restoreStates(stateValues);
        else if (started) run.freshStates();
        started = true;
        rng.restore(seed);
        run.t = t;
        run.total = t + steps;
        run.ended = false;
        run.interrupted = false;
        run.stopped = Stop.STEPS;
        run.calls.accepted = false;
        while (run.advance()) {}
        double[][] out = new double[run.states.size()][];
        for (int i = 0; i < out.length; i++) out[i] = run.states.cur[i] == null ? null : run.states.cur[i].toDoubles();
        return new DataParallel.Round(run.theta.cur.toDoubles(), out, first[0]);
    }
}
