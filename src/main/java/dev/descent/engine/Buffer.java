package dev.descent.engine;

import java.util.Arrays;

/**
 * An array that a run keeps resident: θ, the gradient, an optimizer's states, a batch of data
 * columns. {@link F64} holds float64 and {@link F32} float32; a program planned for a precision
 * reads and writes the arrays of that precision directly, without converting them
 * ({@link Program#bind}). The host reads or writes single values ({@link #get}, {@link #set})
 * or ranges ({@link #read}, {@link #write}) only when something needs them: a trace row, a
 * plot, a report, the start values.
 *
 * <p>A buffer is a plain array: not thread-safe, and never reallocated.
 */
public abstract sealed class Buffer permits Buffer.F64, Buffer.F32 {
    private Buffer() {}

    /** A new buffer of this precision, all zeros. */
    public static Buffer allocate(Precision precision, int length) {
        return precision == Precision.F32 ? new F32(new float[length]) : new F64(new double[length]);
    }

    /** The caller's array as a buffer (not copied: writes go to the array). */
    public static F64 of(double[] values) { return new F64(values); }

    /** The caller's array as a buffer (not copied: writes go to the array). */
    public static F32 of(float[] values) { return new F32(values); }

    public abstract int length();

    /** Checks that {@code size} elements from {@code offset} lie inside this buffer; {@code what} names them for the message. */
    public void checkRange(String what, int size, int offset) {
        if (offset < 0 || (long) offset + size > length())
            throw new IllegalArgumentException(what + " (" + size + " elements) bound at " + offset + " of a buffer of " + length());
    }

    public abstract Precision precision();

    /** Element i, as a double. */
    public abstract double get(int i);

    /** Sets element i (rounded to this precision). */
    public abstract void set(int i, double v);

    /** Sets elements from (inclusive) to to (exclusive). */
    public abstract void fill(int from, int to, double v);

    /** Copies {@code len} values of {@code src} from {@code srcOff} into this buffer at {@code at} (rounded to this precision). */
    public abstract void write(int at, double[] src, int srcOff, int len);

    /** Copies {@code len} values of {@code src} from {@code srcOff} into this buffer at {@code at} (rounded to this precision). */
    public abstract void write(int at, float[] src, int srcOff, int len);

    /** Copies {@code len} values of this buffer from {@code from} into {@code dst} at {@code dstOff}. */
    public abstract void read(int from, double[] dst, int dstOff, int len);

    /** Copies {@code len} values of {@code src} from {@code srcOff} into this buffer at {@code at} (converting when the precisions differ). */
    public abstract void copy(int at, Buffer src, int srcOff, int len);

    /** A new buffer of the same precision and values. */
    public abstract Buffer copy();

    /** The values as a new float64 array. */
    public double[] toDoubles() {
        double[] d = new double[length()];
        read(0, d, 0, d.length);
        return d;
    }

    /** float64 values. */
    public static final class F64 extends Buffer {
        public final double[] a;

        public F64(double[] a) { this.a = a; }

        @Override public int length() { return a.length; }

        @Override public Precision precision() { return Precision.F64; }

        @Override public double get(int i) { return a[i]; }

        @Override public void set(int i, double v) { a[i] = v; }

        @Override public void fill(int from, int to, double v) { Arrays.fill(a, from, to, v); }

        @Override public void write(int at, double[] src, int srcOff, int len) { System.arraycopy(src, srcOff, a, at, len); }

        @Override public void write(int at, float[] src, int srcOff, int len) {
            for (int k = 0; k < len; k++) a[at + k] = src[srcOff + k];
        }

        @Override public void read(int from, double[] dst, int dstOff, int len) { System.arraycopy(a, from, dst, dstOff, len); }

        @Override public void copy(int at, Buffer src, int srcOff, int len) {
            if (src instanceof F64 s) System.arraycopy(s.a, srcOff, a, at, len);
            else {
                float[] f = ((F32) src).a;
                for (int k = 0; k < len; k++) a[at + k] = f[srcOff + k];
            }
        }

        @Override public F64 copy() { return new F64(a.clone()); }
    }

    /** float32 values. */
    public static final class F32 extends Buffer {
        public final float[] a;

        public F32(float[] a) { this.a = a; }

        @Override public int length() { return a.length; }

        @Override public Precision precision() { return Precision.F32; }

        @Override public double get(int i) { return a[i]; }

        @Override public void set(int i, double v) { a[i] = (float) v; }

        @Override public void fill(int from, int to, double v) { Arrays.fill(a, from, to, (float) v); }

        @Override public void write(int at, double[] src, int srcOff, int len) {
            for (int k = 0; k < len; k++) a[at + k] = (float) src[srcOff + k];
        }

        @Override public void write(int at, float[] src, int srcOff, int len) { System.arraycopy(src, srcOff, a, at, len); }

        @Override public void read(int from, double[] dst, int dstOff, int len) {
            for (int k = 0; k < len; k++) dst[dstOff + k] = a[from + k];
        }

        @Override public void copy(int at, Buffer src, int srcOff, int len) {
            if (src instanceof F32 s) System.arraycopy(s.a, srcOff, a, at, len);
            else {
                double[] d = ((F64) src).a;
                for (int k = 0; k < len; k++) a[at + k] = (float) d[srcOff + k];
            }
        }

        @Override public F32 copy() { return new F32(a.clone()); }
    }
}
