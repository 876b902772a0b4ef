package dev.descent.engine;

/** The floating-point width an engine computes in. The scalar engine is always {@link #F64}. */
public enum Precision { F64, F32 }
