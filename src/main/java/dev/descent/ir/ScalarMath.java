package dev.descent.ir;

/**
 * The meaning of every elementwise operation on one float64 value. The scalar engine
 * evaluates with these, and the Dag folds constants with them, so folding never
 * changes a value.
 */
public final class ScalarMath {
    private ScalarMath() {}

    public static double unary(Op op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case SQRT -> Math.sqrt(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case LOG1P -> Math.log1p(x);
            case EXPM1 -> Math.expm1(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TAN -> Math.tan(x);
            case ASIN -> Math.asin(x);
            case ACOS -> Math.acos(x);
            case ATAN -> Math.atan(x);
            case SINH -> Math.sinh(x);
            case COSH -> Math.cosh(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> relu(x);
            case SOFTPLUS -> softplus(x);
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x);
            case NOT -> x == 0 ? 1.0 : 0.0;
            default -> throw notA(op, "unary");
        };
    }

    // kept out of unary() so that it stays small enough for the JIT to inline into loops
    private static double relu(double x) { return x > 0 ? x : (x == x ? 0.0 : x); }

    private static IllegalArgumentException notA(Op op, String kind) { return new IllegalArgumentException(op + " is not " + kind); }

    public static double binary(Op op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> pow(a, b);
            case MIN -> Math.min(a, b);
            case MAX -> Math.max(a, b);
            case ATAN2 -> Math.atan2(a, b);
            case LT -> a < b ? 1.0 : 0.0;
            case LE -> a <= b ? 1.0 : 0.0;
            case GT -> a > b ? 1.0 : 0.0;
            case GE -> a >= b ? 1.0 : 0.0;
            case EQ -> a == b ? 1.0 : 0.0;
            case NE -> a != b ? 1.0 : 0.0;
            case AND -> a != 0 && b != 0 ? 1.0 : 0.0;
            case OR -> a != 0 || b != 0 ? 1.0 : 0.0;
            default -> throw new IllegalArgumentException(op + " is not binary");
        };
    }

    public static double ternary(Op op, double a, double b, double c) {
        return switch (op) {
            case SELECT -> a != 0 ? b : c;
            case CLIP -> Math.min(Math.max(a, b), c);
            default -> throw new IllegalArgumentException(op + " is not ternary");
        };
    }

    /** 1 / (1 + exp(-x)), without overflow for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** log(1 + exp(x)), without overflow: max(x, 0) + log1p(exp(-|x|)). */
    public static double softplus(double x) {
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** x^y; x^2 as x*x (as PyTorch and the optimizers' formulas do), x^1 as x. */
    public static double pow(double x, double y) {
        if (y == 2.0) return x * x;
        if (y == 1.0) return x;
        return Math.pow(x, y);
    }
}
