package dev.descent.check;

/** A {@code --set NAME=VALUE} names no let of the script: a usage error (exit 2), not a script error. */
public final class UnknownSetting extends RuntimeException {
    public UnknownSetting(String message) { super(message, null, false, false); }
}
