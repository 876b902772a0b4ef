package dev.descent.run;

import java.util.Locale;

/**
 * Why a run of an {@code optimize with} statement ended. Its {@link #label} is what the text
 * report, {@code --json}'s {@code "stopped"}, {@code compare}'s table and the Java API's
 * {@code Result.Run.stopped()} show.
 */
public enum Stop {
    /** It made all the steps (or epochs) its statement asks for. */
    STEPS,
    /** Its {@code until} condition held. */
    UNTIL,
    /** Early stopping: the validation loss did not improve for {@code patience} epochs (the best parameters were restored). */
    EARLY_STOP,
    /** The loss or the parameters became non-finite. */
    DIVERGED,
    /** A signal (SIGINT, SIGTERM) or the caller asked it to stop. */
    INTERRUPTED;

    /** "steps", "until", "early_stop", "diverged", "interrupted". */
    public String label() { return name().toLowerCase(Locale.ROOT); }

    @Override public String toString() { return label(); }
}
