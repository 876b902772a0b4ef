package dev.descent.engine;

/** The floating-point width an engine computes in. The scalar engine is always {@link #F64}. */
public enum Precision {
    F64, F32;

    /** {@code "f64"} or {@code "f32"}, in any case (the command line's {@code --precision}, the API's {@code precision(…)}). */
    public static Precision named(String name) {
        for (Precision p : values()) if (p.name().equalsIgnoreCase(name)) return p;
        throw new IllegalArgumentException("precision '" + name + "': expected f64 or f32");
    }

    /** The name the command line and the API use: "f64", "f32". */
    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
