package dev.descent.ir;

/**
 * The operations of the expression DAG. Every language feature is lowered to
 * these; engines evaluate them, {@code diff} differentiates them, and the
 * printer writes them back in the language's own syntax.
 */
public enum Op {
    // ---- leaves ----
    /**
     * A constant: scalar in {@link Node#num}, array (a literal, or what folding literals
     * made) in {@link Attr.Array}. An array whose elements are all one number ({@code ones},
     * {@code zeros}, a broadcast scalar constant) is a BCAST of a scalar CONST instead:
     * see {@link Node#isFill}.
     */
    CONST(Kind.LEAF, 0, null),
    /** A parameter (whole array), attr {@link Attr.Param}. */
    PARAM(Kind.LEAF, 0, null),
    /** A data column (vector over rows), attr {@link Attr.Column}. */
    DATA(Kind.LEAF, 0, null),
    /** A named input of a step (g, f, t, a state, a hyperparameter), attr {@link Attr.Input}. */
    INPUT(Kind.LEAF, 0, null),
    /** A dropout keep-mask scaled by 1/(1-rate), re-drawn each step; attr {@link Attr.Random}. */
    RANDOM(Kind.LEAF, 0, null),

    // ---- elementwise, one argument ----
    NEG(Kind.UNARY, 1, "-"),
    ABS(Kind.UNARY, 1, "abs"), SIGN(Kind.UNARY, 1, "sign"), SQRT(Kind.UNARY, 1, "sqrt"),
    EXP(Kind.UNARY, 1, "exp"), LOG(Kind.UNARY, 1, "log"), LOG1P(Kind.UNARY, 1, "log1p"),
    EXPM1(Kind.UNARY, 1, "expm1"), SIN(Kind.UNARY, 1, "sin"), COS(Kind.UNARY, 1, "cos"),
    TAN(Kind.UNARY, 1, "tan"), ASIN(Kind.UNARY, 1, "asin"), ACOS(Kind.UNARY, 1, "acos"),
    ATAN(Kind.UNARY, 1, "atan"), SINH(Kind.UNARY, 1, "sinh"), COSH(Kind.UNARY, 1, "cosh"),
    TANH(Kind.UNARY, 1, "tanh"), SIGMOID(Kind.UNARY, 1, "sigmoid"), RELU(Kind.UNARY, 1, "relu"),
    SOFTPLUS(Kind.UNARY, 1, "softplus"), FLOOR(Kind.UNARY, 1, "floor"), CEIL(Kind.UNARY, 1, "ceil"),
    ROUND(Kind.UNARY, 1, "round"),
    /** Logical not: 1 where x == 0, else 0. */
    NOT(Kind.UNARY, 1, "not"),

    // ---- elementwise, two arguments (with broadcasting) ----
    ADD(Kind.BINARY, 2, "+"), SUB(Kind.BINARY, 2, "-"), MUL(Kind.BINARY, 2, "*"), DIV(Kind.BINARY, 2, "/"),
    POW(Kind.BINARY, 2, "^"),
    MIN(Kind.BINARY, 2, "min"), MAX(Kind.BINARY, 2, "max"), ATAN2(Kind.BINARY, 2, "atan2"),
    LT(Kind.BINARY, 2, "<"), LE(Kind.BINARY, 2, "<="), GT(Kind.BINARY, 2, ">"), GE(Kind.BINARY, 2, ">="),
    EQ(Kind.BINARY, 2, "=="), NE(Kind.BINARY, 2, "!="),
    AND(Kind.BINARY, 2, "and"), OR(Kind.BINARY, 2, "or"),

    // ---- elementwise, three arguments ----
    /** if c then a else b, elementwise (c non-zero is true). */
    SELECT(Kind.TERNARY, 3, "if"),
    /** clip(x, lo, hi) = min(max(x, lo), hi). */
    CLIP(Kind.TERNARY, 3, "clip"),

    // ---- reductions ----
    /** Sum of all elements (scalar). */
    SUM(Kind.REDUCE, 1, "sum"),
    /** Sum along an axis, attr {@link Attr.Axis}: axis 1 reduces each row to one value ([m]), axis 0 each column ([n]). */
    SUM_AXIS(Kind.REDUCE, 1, "sum"),
    MAX_ALL(Kind.REDUCE, 1, "max"), MIN_ALL(Kind.REDUCE, 1, "min"),
    MAX_AXIS(Kind.REDUCE, 1, "max"), MIN_AXIS(Kind.REDUCE, 1, "min"),
    /** log(sum(exp(x))), computed stably. */
    LSE(Kind.REDUCE, 1, "logsumexp"),
    LSE_AXIS(Kind.REDUCE, 1, "logsumexp"),

    // ---- structure ----
    /** An element, row or column, attr {@link Attr.Index}. */
    INDEX(Kind.STRUCT, 1, null),
    /** Scalars packed into a vector or matrix (row-major), attr {@link Attr.Packed}. */
    PACK(Kind.STRUCT, -1, null),
    /** Places its input at an index of an otherwise zero array, attr {@link Attr.Scatter}. */
    SCATTER(Kind.STRUCT, 1, null),
    /** Broadcasts its input to a larger shape, attr {@link Attr.Broadcast}. */
    BCAST(Kind.STRUCT, 1, null),
    /** Matrix product: [m,k]@[k,n], [m,k]@[k], [k]@[k,n], [k]@[k]. */
    MATMUL(Kind.LINALG, 2, "@"),
    TRANSPOSE(Kind.LINALG, 1, "transpose"),
    /** Vector to diagonal matrix. */
    DIAG(Kind.LINALG, 1, "diag"),
    /** Diagonal of a square matrix, as a vector. */
    DIAG_EXTRACT(Kind.LINALG, 1, "diag"),
    OUTER(Kind.LINALG, 2, "outer"),
    /** solve(A, b): A^-1 b for a vector or matrix b. */
    SOLVE(Kind.LINALG, 2, "solve"),
    /** Vectors of equal length as the columns of a matrix. */
    STACK(Kind.LINALG, -1, "stack"),
    /** onehot(y, k): labels 0..k-1 to rows of an identity, attr {@link Attr.Classes}; no derivative. */
    ONEHOT(Kind.LINALG, 1, "onehot");

    public enum Kind { LEAF, UNARY, BINARY, TERNARY, REDUCE, STRUCT, LINALG }

    public final Kind kind;
    /** Number of inputs, or -1 for any number. */
    public final int arity;
    /** The language's spelling (function name or operator), or null where there is none. */
    public final String spelling;

    Op(Kind kind, int arity, String spelling) {
        this.kind = kind;
        this.arity = arity;
        this.spelling = spelling;
    }

    public boolean isElementwise() {
        return kind == Kind.UNARY || kind == Kind.BINARY || kind == Kind.TERNARY;
    }

    /** Operations whose value is 0/1 or piecewise constant: derivative zero everywhere it exists. */
    public boolean isPiecewiseConstant() {
        return switch (this) {
            case SIGN, FLOOR, CEIL, ROUND, NOT, LT, LE, GT, GE, EQ, NE, AND, OR, ONEHOT -> true;
            default -> false;
        };
    }
}
