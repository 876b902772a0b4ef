#!/usr/bin/env python3
"""Generates src/main/java/dev/descent/engine/simd/KernelsF64.java and KernelsF32.java.

One template, two precisions, so the interpreters cannot drift apart. Run from the repo
root after editing: python3 tools/gen_simd_kernels.py
"""
import re, pathlib

# (opcode, java name, vector expression over x, scalar expression over x); R(...) rounds to the
# precision (a no-op in float64, a (float) cast in float32).
UNARY = [
    ("NEG", "neg", "x.neg()", "-x"),
    ("ABS", "abs", "x.abs()", "Math.abs(x)"),
    ("SIGN", "sign", "x.blend(1.0, x.compare(GT, 0.0)).blend(-1.0, x.compare(LT, 0.0))", "Math.signum(x)"),
    ("SQRT", "sqrt", "x.sqrt()", "R(Math.sqrt(x))"),
    ("EXP", "exp", "x.lanewise(EXP)", "R(Math.exp(x))"),
    ("LOG", "log", "x.lanewise(LOG)", "R(Math.log(x))"),
    ("LOG1P", "log1p", "x.lanewise(LOG1P)", "R(Math.log1p(x))"),
    ("EXPM1", "expm1", "x.lanewise(EXPM1)", "R(Math.expm1(x))"),
    ("SIN", "sin", "x.lanewise(SIN)", "R(Math.sin(x))"),
    ("COS", "cos", "x.lanewise(COS)", "R(Math.cos(x))"),
    ("TAN", "tan", "x.lanewise(TAN)", "R(Math.tan(x))"),
    ("ASIN", "asin", "x.lanewise(ASIN)", "R(Math.asin(x))"),
    ("ACOS", "acos", "x.lanewise(ACOS)", "R(Math.acos(x))"),
    ("ATAN", "atan", "x.lanewise(ATAN)", "R(Math.atan(x))"),
    ("SINH", "sinh", "x.lanewise(SINH)", "R(Math.sinh(x))"),
    ("COSH", "cosh", "x.lanewise(COSH)", "R(Math.cosh(x))"),
    ("TANH", "tanh", "x.lanewise(TANH)", "R(Math.tanh(x))"),
    # 1/(1+exp(-x)) for x >= 0, exp(x)/(1+exp(x)) below: both are e = exp(-|x|) (ScalarMath.sigmoid)
    ("SIGMOID", "sigmoid", None, "R(ScalarMath.sigmoid(x))"),
    ("RELU", "relu", "x.blend(0.0, x.compare(LE, 0.0))", "(x > 0 ? x : (x == x ? 0 : x))"),
    ("SOFTPLUS", "softplus", "x.max(0.0).add(x.abs().neg().lanewise(EXP).lanewise(LOG1P))", "R(ScalarMath.softplus(x))"),
    ("NOT", "not", "Z.blend(1.0, x.compare(EQ, 0.0))", "(x == 0 ? 1 : 0)"),
    ("SQUARE", "square", "x.mul(x)", "x * x"),
]
SIGMOID_BODY = """            V e = x.abs().neg().lanewise(EXP);
            V den = e.add(1.0);
            e.div(den).blend(V.broadcast(S, 1.0).div(den), x.compare(GE, 0.0)).intoArray(d, dOff + i);"""

# scalar-only (no vector rounding op): a plain loop, which the JIT compiles to roundsd/roundss
SCALAR_ONLY = [("FLOOR", "floor", "R(Math.floor(x))"), ("CEIL", "ceil", "R(Math.ceil(x))"), ("ROUND", "round", "R(Math.rint(x))")]

BINARY = [
    ("ADD", "add", "a.add(b)", "a + b"),
    ("SUB", "sub", "a.sub(b)", "a - b"),
    ("MUL", "mul", "a.mul(b)", "a * b"),
    ("DIV", "div", "a.div(b)", "a / b"),
    ("POW", "pow", "a.lanewise(POW, b).blend(a, b.compare(EQ, 1.0)).blend(a.mul(a), b.compare(EQ, 2.0))", "R(ScalarMath.pow(a, b))"),
    ("MIN", "min", "a.min(b)", "Math.min(a, b)"),
    ("MAX", "max", "a.max(b)", "Math.max(a, b)"),
    ("ATAN2", "atan2", "a.lanewise(ATAN2, b)", "R(Math.atan2(a, b))"),
    ("LT", "lt", "Z.blend(1.0, a.compare(LT, b))", "(a < b ? 1 : 0)"),
    ("LE", "le", "Z.blend(1.0, a.compare(LE, b))", "(a <= b ? 1 : 0)"),
    ("GT", "gt", "Z.blend(1.0, a.compare(GT, b))", "(a > b ? 1 : 0)"),
    ("GE", "ge", "Z.blend(1.0, a.compare(GE, b))", "(a >= b ? 1 : 0)"),
    ("EQ", "eq", "Z.blend(1.0, a.compare(EQ, b))", "(a == b ? 1 : 0)"),
    ("NE", "ne", "Z.blend(1.0, a.compare(NE, b))", "(a != b ? 1 : 0)"),
    ("AND", "and", "Z.blend(1.0, a.compare(NE, 0.0).and(b.compare(NE, 0.0)))", "(a != 0 && b != 0 ? 1 : 0)"),
    ("OR", "or", "Z.blend(1.0, a.compare(NE, 0.0).or(b.compare(NE, 0.0)))", "(a != 0 || b != 0 ? 1 : 0)"),
]

# a vector, scalars s0 (and s1)
VS = [
    ("ADD_VS", "addVS", "a.add(s0)", "a + s0"),
    ("SUB_VS", "subVS", "a.sub(s0)", "a - s0"),
    ("MUL_VS", "mulVS", "a.mul(s0)", "s0 * a"),
    ("DIV_VS", "divVS", "a.div(s0)", "a / s0"),
    ("MIN_VS", "minVS", "a.min(s0)", "Math.min(a, s0)"),
    ("MAX_VS", "maxVS", "a.max(s0)", "Math.max(a, s0)"),
    ("SUB_SV", "subSV", "V.broadcast(S, s0).sub(a)", "s0 - a"),
    ("DIV_SV", "divSV", "V.broadcast(S, s0).div(a)", "s0 / a"),
    ("CLIP_VSS", "clipVSS", "a.max(s0).min(s1)", "Math.min(Math.max(a, s0), s1)"),
    ("SQRT_DIV_ADD", "sqrtDivAdd", "a.sqrt().div(s0).add(s1)", "R(Math.sqrt(a)) / s0 + s1"),
    ("SQRT_ADD", "sqrtAdd", "a.sqrt().add(s0)", "R(Math.sqrt(a)) + s0"),
    ("AFFINE", "affine", "a.mul(s0).add(s1)", "s0 * a + s1"),
]
# two vectors and scalars
VVS = [
    ("AXPY", "axpy", "a.add(b.mul(s0))", "a + s0 * b"),
    ("XMSY", "xmsy", "a.sub(b.mul(s0))", "a - s0 * b"),
    ("LIN2", "lin2", "a.mul(s0).add(b.mul(s1))", "s0 * a + s1 * b"),
    ("LIN2SQ", "lin2sq", "a.mul(s0).add(b.mul(b).mul(s1))", "s0 * a + s1 * (b * b)"),
    ("SMUL_DIV", "smulDiv", "a.mul(s0).div(b)", "s0 * a / b"),
]
# three vectors and scalars
VVVS = [
    ("SELECT", "select", "c.blend(b, a.compare(NE, 0.0))", "(a != 0 ? b : c)"),
    ("CLIP", "clip", "a.max(b).min(c)", "Math.min(Math.max(a, b), c)"),
    ("XM_SMUL_DIV", "xmSmulDiv", "a.sub(b.mul(s0).div(c))", "a - s0 * b / c"),
]

HEADER = """package dev.descent.engine.simd;

// GENERATED by tools/gen_simd_kernels.py from one template for float64 and float32: edit the
// generator, not this file.

import static jdk.incubator.vector.VectorOperators.*;

import dev.descent.ir.ScalarMath;
import dev.descent.lower.Opcode;
import java.util.Arrays;
import jdk.incubator.vector.@V@;
import jdk.incubator.vector.VectorSpecies;

/**
 * The @PREC@ block interpreter: {@link #run} executes a pass's instructions over blocks, one
 * {@code switch} per instruction per block, each case one tight Vector API loop over the block
 * to {@code loopBound} and then a scalar tail. Vectors live only inside these methods' loops.
 * The scalar tails compute what the scalar engine computes ({@link ScalarMath}'s formulas);
 * the vector bodies compute the same operations in the same order, except that
 * transcendentals are the Vector API's (SVML on x86: within about 1 ulp of {@link Math}).
 * Reductions leave one partial per block: a block's sum is its vector accumulator's lanes
 * added in lane order, then its tail, so it never depends on which thread ran the block.
 */
final class @CLS@ {
    private @CLS@() {}

    static final VectorSpecies<@BOX@> S = @V@.SPECIES_PREFERRED;
    static final int LANES = S.length();

    /**
     * Runs {@code count} instructions of {@code code} over blocks {@code from} (inclusive) to
     * {@code to} (exclusive) of a loop of {@code n} elements in blocks of {@code block}.
     * Register r is {@code regs[r]}; stream s (operand {@code -(s+1)}) is {@code streams[s]}
     * from element {@code offs[s]} on (a view of a larger array), read and written at the block's
     * offset. Reduction partial p of block k goes to
     * {@code part[p * blocks + k]}. {@code lanes} is scratch of at least {@link #LANES} elements.
     */
    static void run(int[] code, int count, @T@[][] regs, @T@[][] streams, int[] offs, @T@[] scal, double[] part, int blocks,
                    int n, int block, int from, int to, @T@[] lanes) {
        for (int blk = from; blk < to; blk++) {
            int start = blk * block;
            int len = Math.min(block, n - start);
            for (int at = 0, end = count * 8; at < end; at += 8) {
                int op = code[at], d = code[at + 1], ia = code[at + 2], ib = code[at + 3], ic = code[at + 4];
                int i0 = code[at + 5], i1 = code[at + 6];
                @T@ s0 = i0 >= 0 ? scal[i0] : 0, s1 = i1 >= 0 ? scal[i1] : 0;
                @T@[] a = ia >= 0 ? regs[ia] : streams[-ia - 1];
                int ao = ia >= 0 ? 0 : start + offs[-ia - 1];
                @T@[] b = ib >= 0 ? regs[ib] : streams[-ib - 1];
                int bo = ib >= 0 ? 0 : start + offs[-ib - 1];
                @T@[] c = ic >= 0 ? regs[ic] : streams[-ic - 1];
                int co = ic >= 0 ? 0 : start + offs[-ic - 1];
                if (op >= Opcode.R_SUM) {
                    int p = d * blocks + blk;
                    switch (op) {
                        case Opcode.R_SUM -> part[p] = rsum(a, ao, len, lanes);
                        case Opcode.R_SUMSQ -> part[p] = rsumsq(a, ao, len, lanes);
                        case Opcode.R_DOT -> part[p] = rdot(a, ao, b, bo, len, lanes);
                        case Opcode.R_MAX -> part[p] = rmax(a, ao, len, lanes);
                        case Opcode.R_MIN -> part[p] = rmin(a, ao, len, lanes);
                        case Opcode.R_LSE -> {
                            @T@ m = rmax(a, ao, len, lanes);
                            part[p] = m;
                            part[p + blocks] = Double.isFinite(m) ? rsumexp(a, ao, len, m, lanes) : 0;
                        }
                        default -> throw new IllegalStateException("opcode " + op);
                    }
                    continue;
                }
                @T@[] dd = d >= 0 ? regs[d] : streams[-d - 1];
                int dOff = d >= 0 ? 0 : start + offs[-d - 1];
                switch (op) {
@CASES@
                    case Opcode.COPY -> System.arraycopy(a, ao, dd, dOff, len);
                    case Opcode.FILL -> Arrays.fill(dd, dOff, dOff + len, s0);
                    case Opcode.POW_VS -> {
                        if (s0 == 2) square(a, ao, dd, dOff, len);
                        else if (s0 == 1) System.arraycopy(a, ao, dd, dOff, len);
                        else powVS(a, ao, dd, dOff, len, s0);
                    }
                    default -> throw new IllegalStateException("opcode " + op);
                }
            }
        }
    }
@METHODS@
    // ---------------------------------------------------------------- reductions

    static double rsum(@T@[] a, int ao, int len, @T@[] lanes) {
        V acc = V.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.add(V.fromArray(S, a, ao + i));
        return lanesThenTail(acc, lanes, a, ao, i, len);
    }

    static double rsumsq(@T@[] a, int ao, int len, @T@[] lanes) {
        V acc = V.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) {
            V x = V.fromArray(S, a, ao + i);
            acc = acc.add(x.mul(x));
        }
        acc.intoArray(lanes, 0);
        double s = 0;
        for (int l = 0; l < LANES; l++) s += lanes[l];
        for (; i < len; i++) s += (double) (a[ao + i] * a[ao + i]);
        return s;
    }

    static double rdot(@T@[] a, int ao, @T@[] b, int bo, int len, @T@[] lanes) {
        V acc = V.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.add(V.fromArray(S, a, ao + i).mul(V.fromArray(S, b, bo + i)));
        acc.intoArray(lanes, 0);
        double s = 0;
        for (int l = 0; l < LANES; l++) s += lanes[l];
        for (; i < len; i++) s += (double) (a[ao + i] * b[bo + i]);
        return s;
    }

    private static double lanesThenTail(V acc, @T@[] lanes, @T@[] a, int ao, int i, int len) {
        acc.intoArray(lanes, 0);
        double s = 0;
        for (int l = 0; l < LANES; l++) s += lanes[l];
        for (; i < len; i++) s += a[ao + i];
        return s;
    }

    static @T@ rmax(@T@[] a, int ao, int len, @T@[] lanes) {
        V acc = V.broadcast(S, @BOX@.NEGATIVE_INFINITY);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.max(V.fromArray(S, a, ao + i));
        acc.intoArray(lanes, 0);
        @T@ m = @BOX@.NEGATIVE_INFINITY;
        for (int l = 0; l < LANES; l++) m = Math.max(m, lanes[l]);
        for (; i < len; i++) m = Math.max(m, a[ao + i]);
        return m;
    }

    static @T@ rmin(@T@[] a, int ao, int len, @T@[] lanes) {
        V acc = V.broadcast(S, @BOX@.POSITIVE_INFINITY);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.min(V.fromArray(S, a, ao + i));
        acc.intoArray(lanes, 0);
        @T@ m = @BOX@.POSITIVE_INFINITY;
        for (int l = 0; l < LANES; l++) m = Math.min(m, lanes[l]);
        for (; i < len; i++) m = Math.min(m, a[ao + i]);
        return m;
    }

    /** Sum of exp(x - m) over the block (m its finite maximum). */
    static double rsumexp(@T@[] a, int ao, int len, @T@ m, @T@[] lanes) {
        V acc = V.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.add(V.fromArray(S, a, ao + i).sub(m).lanewise(EXP));
        acc.intoArray(lanes, 0);
        double s = 0;
        for (int l = 0; l < LANES; l++) s += lanes[l];
        for (; i < len; i++) s += Math.exp(a[ao + i] - m);
        return s;
    }
}
"""

def gen(prec):
    f64 = prec == "f64"
    T = "double" if f64 else "float"
    V = "DoubleVector" if f64 else "FloatVector"
    BOX = "Double" if f64 else "Float"
    CLS = "KernelsF64" if f64 else "KernelsF32"
    cases, methods = [], []
    P1 = "@T@[] a, int ao, @T@[] d, int dOff, int len"
    for code, name, vexpr, sexpr in UNARY:
        body = ["            V x = V.fromArray(S, a, ao + i);"]
        custom = SIGMOID_BODY if code == "SIGMOID" else None
        m = [f"\n    static void {name}({P1}) {{", "        int i = 0, ub = S.loopBound(len);"]
        if vexpr and "Z." in vexpr: m.append("        V Z = V.zero(S);")
        m.append("        for (; i < ub; i += LANES) {")
        m += body
        m.append(custom if custom else f"            ({vexpr}).intoArray(d, dOff + i);")
        m.append("        }")
        m.append("        for (; i < len; i++) {")
        m.append("            @T@ x = a[ao + i];")
        m.append(f"            d[dOff + i] = R({sexpr});")
        m.append("        }")
        m.append("    }")
        methods.append("\n".join(m))
        cases.append(f"                    case Opcode.{code} -> {name}(a, ao, dd, dOff, len);")
    for code, name, sexpr in SCALAR_ONLY:
        methods.append(f"\n    static void {name}({P1}) {{\n        for (int i = 0; i < len; i++) {{\n            @T@ x = a[ao + i];\n            d[dOff + i] = R({sexpr});\n        }}\n    }}")
        cases.append(f"                    case Opcode.{code} -> {name}(a, ao, dd, dOff, len);")
    P2 = "@T@[] a, int ao, @T@[] b, int bo, @T@[] d, int dOff, int len"
    for code, name, vexpr, sexpr in BINARY:
        m = [f"\n    static void {name}({P2}) {{", "        int i = 0, ub = S.loopBound(len);"]
        if "Z." in vexpr: m.append("        V Z = V.zero(S);")
        m += ["        for (; i < ub; i += LANES) {",
              "            V a_ = V.fromArray(S, a, ao + i), b_ = V.fromArray(S, b, bo + i);",
              f"            ({rename(vexpr)}).intoArray(d, dOff + i);",
              "        }",
              "        for (; i < len; i++) {",
              "            @T@ a_ = a[ao + i], b_ = b[bo + i];",
              f"            d[dOff + i] = R({rename(sexpr)});",
              "        }", "    }"]
        methods.append("\n".join(m))
        cases.append(f"                    case Opcode.{code} -> {name}(a, ao, b, bo, dd, dOff, len);")
    PS = "@T@[] a, int ao, @T@[] d, int dOff, int len, @T@ s0, @T@ s1"
    for code, name, vexpr, sexpr in VS:
        m = [f"\n    static void {name}({PS}) {{", "        int i = 0, ub = S.loopBound(len);",
             "        for (; i < ub; i += LANES) {",
             "            V a_ = V.fromArray(S, a, ao + i);",
             f"            ({rename(vexpr)}).intoArray(d, dOff + i);",
             "        }",
             "        for (; i < len; i++) {",
             "            @T@ a_ = a[ao + i];",
             f"            d[dOff + i] = R({rename(sexpr)});",
             "        }", "    }"]
        methods.append("\n".join(m))
        cases.append(f"                    case Opcode.{code} -> {name}(a, ao, dd, dOff, len, s0, s1);")
    # pow with a scalar exponent other than 1 and 2, and square (used by POW_VS)
    methods.append("""
    static void powVS(@T@[] a, int ao, @T@[] d, int dOff, int len, @T@ s0) {
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) V.fromArray(S, a, ao + i).lanewise(POW, s0).intoArray(d, dOff + i);
        for (; i < len; i++) d[dOff + i] = R(Math.pow(a[ao + i], s0));
    }""")
    P2S = "@T@[] a, int ao, @T@[] b, int bo, @T@[] d, int dOff, int len, @T@ s0, @T@ s1"
    for code, name, vexpr, sexpr in VVS:
        m = [f"\n    static void {name}({P2S}) {{", "        int i = 0, ub = S.loopBound(len);",
             "        for (; i < ub; i += LANES) {",
             "            V a_ = V.fromArray(S, a, ao + i), b_ = V.fromArray(S, b, bo + i);",
             f"            ({rename(vexpr)}).intoArray(d, dOff + i);",
             "        }",
             "        for (; i < len; i++) {",
             "            @T@ a_ = a[ao + i], b_ = b[bo + i];",
             f"            d[dOff + i] = R({rename(sexpr)});",
             "        }", "    }"]
        methods.append("\n".join(m))
        cases.append(f"                    case Opcode.{code} -> {name}(a, ao, b, bo, dd, dOff, len, s0, s1);")
    P3S = "@T@[] a, int ao, @T@[] b, int bo, @T@[] c, int co, @T@[] d, int dOff, int len, @T@ s0"
    for code, name, vexpr, sexpr in VVVS:
        m = [f"\n    static void {name}({P3S}) {{", "        int i = 0, ub = S.loopBound(len);",
             "        for (; i < ub; i += LANES) {",
             "            V a_ = V.fromArray(S, a, ao + i), b_ = V.fromArray(S, b, bo + i), c_ = V.fromArray(S, c, co + i);",
             f"            ({rename(vexpr)}).intoArray(d, dOff + i);",
             "        }",
             "        for (; i < len; i++) {",
             "            @T@ a_ = a[ao + i], b_ = b[bo + i], c_ = c[co + i];",
             f"            d[dOff + i] = R({rename(sexpr)});",
             "        }", "    }"]
        methods.append("\n".join(m))
        cases.append(f"                    case Opcode.{code} -> {name}(a, ao, b, bo, c, co, dd, dOff, len, s0);")
    src = HEADER.replace("@CASES@", "\n".join(cases)).replace("@METHODS@", "\n".join(methods))
    src = src.replace("@PREC@", "float64" if f64 else "float32")
    src = src.replace("@CLS@", CLS).replace("@BOX@", BOX)
    # V as a type name: the vector class
    src = re.sub(r"\bV\b(?=[ .])", V, src)
    src = src.replace("@V@", V).replace("@T@", T)
    src = src.replace("R(", "(" if f64 else "(float) (")
    if not f64:
        src = re.sub(r"(?<![\w.])(\d+\.\d+)(?![\w.])", r"\1f", src)
        src = src.replace("(float) (ScalarMath.pow(a_, b_))", "(float) ScalarMath.pow(a_, b_)")
    return src

def rename(e):
    e = re.sub(r"\ba\b", "a_", e)
    e = re.sub(r"\bb\b", "b_", e)
    e = re.sub(r"\bc\b", "c_", e)
    return e


OPS_HEADER = """package dev.descent.engine.compiled;

// GENERATED by tools/gen_simd_kernels.py from the same tables as engine/simd/Kernels@SUF@: edit the
// generator, not this file.

import static jdk.incubator.vector.VectorOperators.*;

import dev.descent.ir.ScalarMath;
import jdk.incubator.vector.@V@;
import jdk.incubator.vector.VectorSpecies;

/**
 * The @PREC@ operations of the compiled tier, one vector and one scalar method per opcode,
 * generated from the same expressions as the interpreter's loops (engine/simd/Kernels@SUF@),
 * so a compiled step computes exactly what the interpreter computes, bit for bit. Generated
 * step classes call these with {@code invokestatic}; each is a few bytecodes, inlined by C2
 * into the step's loop, so vectors never leave the compiled method. Public only because
 * hidden classes outside this class's nest must be able to link against it.
 */
public final class Ops@SUF@ {
    private Ops@SUF@() {}

    public static final VectorSpecies<@BOX@> S = @V@.SPECIES_PREFERRED;
    public static final int LANES = S.length();
@METHODS@

    // ---------------------------------------------------------------- copies, fills, powers

    public static V copy(V x) { return x; }

    public static @T@ copy(@T@ x) { return x; }

    public static V fill(@T@ s0) { return V.broadcast(S, s0); }

    public static @T@ fillS(@T@ s0) { return s0; }

    /** x^s0 as the interpreter's POW_VS: x*x for 2, x for 1, else lanewise POW. */
    public static V powVS(V x, @T@ s0) {
        if (s0 == 2) return x.mul(x);
        if (s0 == 1) return x;
        return x.lanewise(POW, s0);
    }

    public static @T@ powVS(@T@ x, @T@ s0) {
        if (s0 == 2) return x * x;
        if (s0 == 1) return x;
        return R(Math.pow(x, s0));
    }

    // ---------------------------------------------------------------- reductions

    public static V zero() { return V.zero(S); }

    public static V negInf() { return V.broadcast(S, @BOX@.NEGATIVE_INFINITY); }

    public static V posInf() { return V.broadcast(S, @BOX@.POSITIVE_INFINITY); }

    public static V accSum(V acc, V x) { return acc.add(x); }

    public static V accSumsq(V acc, V x) { return acc.add(x.mul(x)); }

    public static V accDot(V acc, V a, V b) { return acc.add(a.mul(b)); }

    public static V accMax(V acc, V x) { return acc.max(x); }

    public static V accMin(V acc, V x) { return acc.min(x); }

    /** The lanes added in lane order from 0, as the interpreter's partial sums. */
    public static double sumLanes(V acc) {
        double s = 0;
        for (int l = 0; l < LANES; l++) s += acc.lane(l);
        return s;
    }

    public static @T@ maxLanes(V acc) {
        @T@ m = @BOX@.NEGATIVE_INFINITY;
        for (int l = 0; l < LANES; l++) m = Math.max(m, acc.lane(l));
        return m;
    }

    public static @T@ minLanes(V acc) {
        @T@ m = @BOX@.POSITIVE_INFINITY;
        for (int l = 0; l < LANES; l++) m = Math.min(m, acc.lane(l));
        return m;
    }

    /**
     * The second sweep of a log-sum-exp partial: the sum of exp(x - m) over a block's values
     * (m their maximum), 0 when m is not finite, exactly as the interpreter's rsumexp.
     */
    public static double lseSum(@T@[] a, int len, @T@ m) {
        if (!Double.isFinite(m)) return 0;
        V acc = V.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.add(V.fromArray(S, a, i).sub(m).lanewise(EXP));
        double s = 0;
        for (int l = 0; l < LANES; l++) s += acc.lane(l);
        for (; i < len; i++) s += Math.exp(a[i] - m);
        return s;
    }

    public static double tailSum(double s, @T@ x) { return s + x; }

    public static double tailSumsq(double s, @T@ x) { return s + (double) (x * x); }

    public static double tailDot(double s, @T@ a, @T@ b) { return s + (double) (a * b); }

    public static @T@ tailMax(@T@ m, @T@ x) { return Math.max(m, x); }

    public static @T@ tailMin(@T@ m, @T@ x) { return Math.min(m, x); }
}
"""

def gen_ops(prec):
    f64 = prec == "f64"
    T = "double" if f64 else "float"
    V = "DoubleVector" if f64 else "FloatVector"
    BOX = "Double" if f64 else "Float"
    SUF = "F64" if f64 else "F32"
    methods = []
    def pair(name, vparams, sparams, vexpr, sexpr, zero=False, vbody=None):
        z = "        V Z = V.zero(S);\n" if zero else ""
        if vbody is None:
            vbody = f"{z}        return {vexpr};"
        methods.append(f"\n    public static V {name}({vparams}) {{\n{vbody}\n    }}")
        methods.append(f"\n    public static @T@ {name}({sparams}) {{\n        return R({sexpr});\n    }}")
    for code, name, vexpr, sexpr in UNARY:
        vb = None
        if code == "SIGMOID":
            vb = ("        V e = x.abs().neg().lanewise(EXP);\n        V den = e.add(1.0);\n"
                  "        return e.div(den).blend(V.broadcast(S, 1.0).div(den), x.compare(GE, 0.0));")
        pair(name, "V x", "@T@ x", vexpr, sexpr, zero=bool(vexpr and "Z." in vexpr), vbody=vb)
    for code, name, sexpr in SCALAR_ONLY:
        vb = (f"        @T@[] t = new @T@[LANES];\n        x.intoArray(t, 0);\n"
              f"        for (int l = 0; l < LANES; l++) t[l] = {name}(t[l]);\n        return V.fromArray(S, t, 0);")
        pair(name, "V x", "@T@ x", None, sexpr, vbody=vb)
    for code, name, vexpr, sexpr in BINARY:
        pair(name, "V a_, V b_", "@T@ a_, @T@ b_", rename(vexpr), rename(sexpr), zero="Z." in vexpr)
    for code, name, vexpr, sexpr in VS:
        pair(name, "V a_, @T@ s0, @T@ s1", "@T@ a_, @T@ s0, @T@ s1", rename(vexpr), rename(sexpr))
    for code, name, vexpr, sexpr in VVS:
        pair(name, "V a_, V b_, @T@ s0, @T@ s1", "@T@ a_, @T@ b_, @T@ s0, @T@ s1", rename(vexpr), rename(sexpr))
    for code, name, vexpr, sexpr in VVVS:
        pair(name, "V a_, V b_, V c_, @T@ s0", "@T@ a_, @T@ b_, @T@ c_, @T@ s0", rename(vexpr), rename(sexpr))
    src = OPS_HEADER.replace("@METHODS@", "\n".join(methods))
    src = src.replace("@PREC@", "float64" if f64 else "float32").replace("@SUF@", SUF).replace("@BOX@", BOX)
    src = re.sub(r"\bV\b(?=[ .])", V, src)
    src = src.replace("@V@", V).replace("@T@", T)
    src = src.replace("R(", "(" if f64 else "(float) (")
    if not f64:
        src = re.sub(r"(?<![\w.])(\d+\.\d+)(?![\w.])", r"\1f", src)
        src = src.replace("(float) (ScalarMath.pow(a_, b_))", "(float) ScalarMath.pow(a_, b_)")
    return src

root = pathlib.Path(__file__).resolve().parent.parent / "src/main/java/dev/descent/engine/simd"
for prec in ("f64", "f32"):
    name = "KernelsF64.java" if prec == "f64" else "KernelsF32.java"
    (root / name).write_text(gen(prec))
print("generated")

ops_root = root.parent / "compiled"
ops_root.mkdir(exist_ok=True)
for prec in ("f64", "f32"):
    (ops_root / ("OpsF64.java" if prec == "f64" else "OpsF32.java")).write_text(gen_ops(prec))
print("generated ops")
