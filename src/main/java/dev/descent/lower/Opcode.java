package dev.descent.lower;

/**
 * The instruction set of a kernel pass: int opcodes, so that an interpreter dispatches
 * with one {@code switch} per instruction per block. Operands: {@code d} the destination,
 * {@code a, b, c} vector operands (a register or a stream), {@code s0, s1} scalar operands
 * (indices into the pass's scalar table, broadcast to every lane).
 *
 * <p>Every opcode computes exactly the float64 operations of the DAG nodes it stands for,
 * in the same order (no fused multiply-add, no reciprocal in place of a division), so in
 * float64 the interpreter agrees with the scalar engine bit for bit except where a
 * transcendental's vector implementation (SVML) differs from {@link Math} by an ulp.
 */
public final class Opcode {
    private Opcode() {}

    // ---- one vector operand a
    public static final int NEG = 0, ABS = 1, SIGN = 2, SQRT = 3, EXP = 4, LOG = 5, LOG1P = 6, EXPM1 = 7,
            SIN = 8, COS = 9, TAN = 10, ASIN = 11, ACOS = 12, ATAN = 13, SINH = 14, COSH = 15, TANH = 16,
            SIGMOID = 17, RELU = 18, SOFTPLUS = 19, FLOOR = 20, CEIL = 21, ROUND = 22, NOT = 23,
            /** d = a*a (x^2, as the scalar engine computes it). */
            SQUARE = 24,
            COPY = 25,
            /** d = s0 in every lane. */
            FILL = 26;

    // ---- two vector operands a, b
    public static final int ADD = 30, SUB = 31, MUL = 32, DIV = 33, POW = 34, MIN = 35, MAX = 36, ATAN2 = 37,
            LT = 38, LE = 39, GT = 40, GE = 41, EQ = 42, NE = 43, AND = 44, OR = 45;

    // ---- a vector and a scalar: d = a op s0 (VS), or d = s0 op a (SV)
    public static final int ADD_VS = 50, SUB_VS = 51, MUL_VS = 52, DIV_VS = 53, POW_VS = 54, MIN_VS = 55, MAX_VS = 56,
            SUB_SV = 57, DIV_SV = 58;

    // ---- three operands
    /** d = a != 0 ? b : c. */
    public static final int SELECT = 60;
    /** d = min(max(a, b), c). */
    public static final int CLIP = 61;
    /** d = min(max(a, s0), s1). */
    public static final int CLIP_VSS = 62;

    // ---- superinstructions (the shapes the standard optimizers are made of)
    /** d = a + s0*b (also g + weight_decay*p). */
    public static final int AXPY = 70;
    /** d = a - s0*b (p -= lr*g). */
    public static final int XMSY = 71;
    /** d = s0*a + s1*b (moving averages: beta*m + (1-beta)*g). */
    public static final int LIN2 = 72;
    /** d = s0*a + s1*(b*b) (second moments: beta2*v + (1-beta2)*g^2). */
    public static final int LIN2SQ = 73;
    /** d = sqrt(a)/s0 + s1 (Adam's denominator). */
    public static final int SQRT_DIV_ADD = 74;
    /** d = sqrt(a) + s0 (AdaGrad's and RMSprop's denominator). */
    public static final int SQRT_ADD = 75;
    /** d = (s0*a)/b. */
    public static final int SMUL_DIV = 76;
    /** d = a - (s0*b)/c (the adaptive update p -= lr*m/denom). */
    public static final int XM_SMUL_DIV = 77;
    /** d = s0*a + s1 (an affine map). */
    public static final int AFFINE = 78;

    // ---- fused reductions: one partial per block (d is the reduction's partial index)
    public static final int R_SUM = 90, R_SUMSQ = 91, R_DOT = 92, R_MAX = 93, R_MIN = 94, R_LSE = 95;

    public static boolean isReduction(int op) { return op >= R_SUM; }

    /** Partials per block a reduction keeps (LSE keeps the block's max and its sum of exp(x - max)). */
    public static int partials(int op) { return op == R_LSE ? 2 : 1; }

    public static boolean isSuper(int op) { return op >= AXPY && op <= AFFINE || op == R_SUMSQ || op == R_DOT || op == SQUARE; }

    public static String name(int op) {
        return switch (op) {
            case NEG -> "neg"; case ABS -> "abs"; case SIGN -> "sign"; case SQRT -> "sqrt"; case EXP -> "exp";
            case LOG -> "log"; case LOG1P -> "log1p"; case EXPM1 -> "expm1"; case SIN -> "sin"; case COS -> "cos";
            case TAN -> "tan"; case ASIN -> "asin"; case ACOS -> "acos"; case ATAN -> "atan"; case SINH -> "sinh";
            case COSH -> "cosh"; case TANH -> "tanh"; case SIGMOID -> "sigmoid"; case RELU -> "relu";
            case SOFTPLUS -> "softplus"; case FLOOR -> "floor"; case CEIL -> "ceil"; case ROUND -> "round";
            case NOT -> "not"; case SQUARE -> "square"; case COPY -> "copy"; case FILL -> "fill";
            case ADD -> "add"; case SUB -> "sub"; case MUL -> "mul"; case DIV -> "div"; case POW -> "pow";
            case MIN -> "min"; case MAX -> "max"; case ATAN2 -> "atan2"; case LT -> "lt"; case LE -> "le";
            case GT -> "gt"; case GE -> "ge"; case EQ -> "eq"; case NE -> "ne"; case AND -> "and"; case OR -> "or";
            case ADD_VS -> "add.vs"; case SUB_VS -> "sub.vs"; case MUL_VS -> "mul.vs"; case DIV_VS -> "div.vs";
            case POW_VS -> "pow.vs"; case MIN_VS -> "min.vs"; case MAX_VS -> "max.vs"; case SUB_SV -> "sub.sv";
            case DIV_SV -> "div.sv"; case SELECT -> "select"; case CLIP -> "clip"; case CLIP_VSS -> "clip.vss";
            case AXPY -> "axpy"; case XMSY -> "xmsy"; case LIN2 -> "lin2"; case LIN2SQ -> "lin2sq";
            case SQRT_DIV_ADD -> "sqrt_div_add"; case SQRT_ADD -> "sqrt_add"; case SMUL_DIV -> "smul_div";
            case XM_SMUL_DIV -> "xm_smul_div"; case AFFINE -> "affine";
            case R_SUM -> "sum"; case R_SUMSQ -> "sumsq"; case R_DOT -> "dot"; case R_MAX -> "maxall";
            case R_MIN -> "minall"; case R_LSE -> "logsumexp";
            default -> "op" + op;
        };
    }

    /** Human form of an instruction, given its operands already named. */
    public static String format(int op, String d, String a, String b, String c, String s0, String s1) {
        return switch (op) {
            case SQUARE -> d + " = " + a + "*" + a;
            case COPY -> d + " = " + a;
            case FILL -> d + " = " + s0;
            case ADD -> d + " = " + a + " + " + b;
            case SUB -> d + " = " + a + " - " + b;
            case MUL -> d + " = " + a + " * " + b;
            case DIV -> d + " = " + a + " / " + b;
            case ADD_VS -> d + " = " + a + " + " + s0;
            case SUB_VS -> d + " = " + a + " - " + s0;
            case MUL_VS -> d + " = " + s0 + " * " + a;
            case DIV_VS -> d + " = " + a + " / " + s0;
            case SUB_SV -> d + " = " + s0 + " - " + a;
            case DIV_SV -> d + " = " + s0 + " / " + a;
            case POW_VS -> d + " = " + a + "^" + s0;
            case MIN_VS, MAX_VS -> d + " = " + name(op).substring(0, 3) + "(" + a + ", " + s0 + ")";
            case CLIP_VSS -> d + " = clip(" + a + ", " + s0 + ", " + s1 + ")";
            case SELECT -> d + " = if " + a + " then " + b + " else " + c;
            case CLIP -> d + " = clip(" + a + ", " + b + ", " + c + ")";
            case AXPY -> d + " = " + a + " + " + s0 + "*" + b;
            case XMSY -> d + " = " + a + " - " + s0 + "*" + b;
            case LIN2 -> d + " = " + s0 + "*" + a + " + " + s1 + "*" + b;
            case LIN2SQ -> d + " = " + s0 + "*" + a + " + " + s1 + "*" + b + "^2";
            case SQRT_DIV_ADD -> d + " = sqrt(" + a + ")/" + s0 + " + " + s1;
            case SQRT_ADD -> d + " = sqrt(" + a + ") + " + s0;
            case SMUL_DIV -> d + " = " + s0 + "*" + a + "/" + b;
            case XM_SMUL_DIV -> d + " = " + a + " - " + s0 + "*" + b + "/" + c;
            case AFFINE -> d + " = " + s0 + "*" + a + " + " + s1;
            case R_SUM, R_MAX, R_MIN, R_LSE -> d + " += " + name(op) + "(" + a + ")";
            case R_SUMSQ -> d + " += sum(" + a + "^2)";
            case R_DOT -> d + " += dot(" + a + ", " + b + ")";
            default -> {
                if (op < ADD) yield d + " = " + name(op) + "(" + a + ")";
                yield d + " = " + name(op) + "(" + a + ", " + b + ")";
            }
        };
    }
}
