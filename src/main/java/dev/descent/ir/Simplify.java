package dev.descent.ir;

/**
 * The local rewrites {@link Dag} tries as it builds an elementwise node: identities that
 * hold for IEEE doubles bit for bit ({@code x*1 = x}, {@code x + (-0) = x}, {@code --x = x},
 * {@code x*x = x^2}, like terms, constants gathered at the front while re-association can only
 * round), never {@code x*0 = 0} or {@code x-x = 0}. Each rule returns the simpler node, built
 * by the same Dag (so it is simplified and hash-consed in turn), or null when none applies.
 */
final class Simplify {
    private final Dag d;

    Simplify(Dag d) { this.d = d; }

    /** A simpler node equal to {@code op(x)}, or null. */
    Node unary(Op op, Node x) {
        switch (op) {
            case NEG -> {
                if (x.op == Op.NEG) return x.in(0);
                if (x.op == Op.MUL && x.in(0).isScalarConst()) return d.mul(d.constant(-x.in(0).num), x.in(1));
            }
            case ABS -> {
                if (x.op == Op.ABS) return x;
                if (x.op == Op.NEG) return d.unary(Op.ABS, x.in(0));
            }
            default -> {}
        }
        return null;
    }

    /** A simpler node equal to {@code op(a, b)} (bit for bit), or null. */
    Node binary(Op op, Node a, Node b) {
        switch (op) {
            case ADD -> {
                // x + (-0) = x exactly; x + (+0) is not (-0 + +0 = +0), so it stays
                if (isNegativeZero(a)) return b;
                if (isNegativeZero(b)) return a;
                if (Dag.packable(a) && Dag.packable(b) && a.shape.equals(b.shape)) return d.packwise(Op.ADD, a, b);
                if (b.op == Op.NEG) return d.sub(a, b.in(0));
                if (a.op == Op.NEG) return d.sub(b, a.in(0));
                if (b.op == Op.MUL && b.in(0).isScalarConst() && b.in(0).num < 0 && a.op != Op.CONST)
                    return d.sub(a, d.mul(d.constant(-b.in(0).num), b.in(1)));
                if (a.op == Op.MUL && a.in(0).isScalarConst() && a.in(0).num < 0 && b.op != Op.CONST)
                    return d.sub(b, d.mul(d.constant(-a.in(0).num), a.in(1)));
                Node like = likeTerms(a, b, 1);
                if (like != null) return like;
            }
            case SUB -> {
                if (isPositiveZero(b)) return a;      // x - (+0) = x exactly, for ±0 too
                if (isNegativeZero(a)) return d.neg(b); // (-0) - x = -x exactly; (+0) - x is not, at x = +0
                if (Dag.packable(a) && Dag.packable(b) && a.shape.equals(b.shape)) return d.packwise(Op.SUB, a, b);
                if (b.op == Op.NEG) return d.add(a, b.in(0));
                if (b.op == Op.MUL && b.in(0).isScalarConst() && b.in(0).num < 0 && a.op != Op.CONST)
                    return d.add(a, d.mul(d.constant(-b.in(0).num), b.in(1)));
                if (a != b) {
                    Node like = likeTerms(a, b, -1);
                    if (like != null) return like;
                }
            }
            case MUL -> {
                if (a.isConstFilled(1)) return b;
                if (b.isConstFilled(1)) return a;
                if (a.isConst(-1)) return d.neg(b);
                if (b.isConst(-1)) return d.neg(a);
                if (b.isScalarConst() && !a.isScalarConst()) return d.mul(b, a);
                if (a.isScalarConst() && b.op == Op.MUL && b.in(0).isScalarConst() && tame(a.num) && tame(b.in(0).num) && tame(a.num * b.in(0).num))
                    return d.mul(d.constant(a.num * b.in(0).num), b.in(1));
                if (a.isScalarConst() && b.op == Op.NEG) return d.mul(d.constant(-a.num), b.in(0));
                // constants gather at the front: (c*y)*b = c*(y*b), a*(c*z) = c*(a*z)
                if (a.op == Op.MUL && a.in(0).isScalarConst() && tame(a.in(0).num) && b.op != Op.CONST) return d.mul(a.in(0), d.mul(a.in(1), b));
                if (b.op == Op.MUL && b.in(0).isScalarConst() && tame(b.in(0).num) && a.op != Op.CONST) return d.mul(b.in(0), d.mul(a, b.in(1)));
                if (a.op == Op.NEG && b.op == Op.NEG) return d.mul(a.in(0), b.in(0));
                if (a.op == Op.NEG) return d.neg(d.mul(a.in(0), b));
                if (b.op == Op.NEG) return d.neg(d.mul(a, b.in(0)));
                if (a == b) return d.pow(a, d.constant(2));
                if (b.op == Op.POW && b.in(0) == a && b.in(1).isScalarConst() && b.in(1).num == Math.rint(b.in(1).num) && b.in(1).num > 0)
                    return d.pow(a, d.constant(b.in(1).num + 1));
                if (a.op == Op.POW && a.in(0) == b && a.in(1).isScalarConst() && a.in(1).num == Math.rint(a.in(1).num) && a.in(1).num > 0)
                    return d.pow(b, d.constant(a.in(1).num + 1));
            }
            case DIV -> {
                if (b.isConstFilled(1)) return a;
                if (a.op == Op.NEG) return d.neg(d.div(a.in(0), b));
                if (b.op == Op.NEG) return d.neg(d.div(a, b.in(0)));
            }
            case POW -> {
                if (b.isConstFilled(1)) return a;
                if (b.isConstFilled(0)) return d.filled(a.shape, 1); // Java and IEEE: x^0 = 1 for every x, NaN included
            }
            default -> {}
        }
        return null;
    }

    private static boolean isNegativeZero(Node x) { return x.isConstant() && allBits(x, Double.doubleToLongBits(-0.0)); }

    private static boolean isPositiveZero(Node x) { return x.isConstant() && allBits(x, 0L); }

    private static boolean allBits(Node x, long bits) {
        if (x.isFill()) return Double.doubleToLongBits(x.fillValue()) == bits;
        for (double v : ((Attr.Array) x.attr).values()) if (Double.doubleToLongBits(v) != bits) return false;
        return true;
    }

    /**
     * Constants that may be gathered or combined: re-association changes a result by
     * rounding only, never by overflow or underflow, while they stay within 2^±32.
     */
    private static boolean tame(double c) {
        double a = Math.abs(c);
        return a >= 0x1p-32 && a <= 0x1p32;
    }

    /** c1*x ± c2*x = (c1 ± c2)*x, for scalar constants c1, c2 (x alone counts as 1*x). */
    private Node likeTerms(Node a, Node b, double sign) {
        Node xa = a, xb = b;
        double ca = 1, cb = 1;
        if (a.op == Op.MUL && a.in(0).isScalarConst()) { ca = a.in(0).num; xa = a.in(1); }
        if (b.op == Op.MUL && b.in(0).isScalarConst()) { cb = b.in(0).num; xb = b.in(1); }
        if (xa != xb || xa.op == Op.CONST) return null;
        if (!xa.shape.equals(a.shape) || !xb.shape.equals(b.shape)) return null;
        double c = ca + sign * cb;
        if (c == 0) return null; // x - x is not 0 when x is infinite or NaN
        if (!tame(ca) || !tame(cb) || !tame(c)) return null;
        return d.mul(d.constant(c), xa);
    }
}
