package dev.descent.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PrinterTest {
    private final Dag d = new Dag();
    private final Node a = d.input("a", Shape.SCALAR);
    private final Node b = d.input("b", Shape.SCALAR);
    private final Node c = d.input("c", Shape.SCALAR);
    private final Node p = d.input("p", Shape.SCALAR);
    private final Node q = d.input("q", Shape.SCALAR);
    private final Node v = d.input("v", Shape.vector(3));
    private final Node w = d.input("w", Shape.vector(3));
    private final Node u = d.input("u", Shape.vector(2));
    private final Node A = d.input("A", Shape.matrix(2, 3));
    private final Node A2 = d.input("A2", Shape.matrix(2, 3));
    private final Node B = d.input("B", Shape.matrix(3, 2));
    private final Node M = d.input("M", Shape.matrix(2, 2));
    private final Node S = d.input("S", Shape.matrix(3, 3));

    private static String pr(Node n) { return Printer.print(n); }

    private Node k(double x) { return d.constant(x); }

    private Node bin(Op op, Node x, Node y) { return d.binary(op, x, y); }

    private Node un(Op op, Node x) { return d.unary(op, x); }

    // ------------------------------------------------------------ constants

    @Test void scalarConstants() {
        assertEquals("3", pr(k(3)));
        assertEquals("-3", pr(k(-3)));
        assertEquals("0", pr(k(0)));
        assertEquals("-0", pr(k(-0.0)));
        assertEquals("0.1", pr(k(0.1)));
        assertEquals("2.5", pr(k(2.5)));
        assertEquals("-2.5", pr(k(-2.5)));
        assertEquals("1.0E-8", pr(k(1e-8)));
        assertEquals("0.001", pr(k(1e-3)));
        assertEquals("123456789", pr(k(123456789)));
        assertEquals("1.0E15", pr(k(1e15)));
        assertEquals("1.0E20", pr(k(1e20)));
        assertEquals("0.30000000000000004", pr(k(0.1 + 0.2)));
        assertEquals("pi", pr(k(Math.PI)));
        assertEquals("-pi", pr(k(-Math.PI)));
        assertEquals("inf", pr(k(Double.POSITIVE_INFINITY)));
        assertEquals("-inf", pr(k(Double.NEGATIVE_INFINITY)));
        assertEquals("(0/0)", pr(k(Double.NaN)));
        assertEquals("2.718281828459045", pr(k(Math.E)));
    }

    @Test void arrayConstants() {
        assertEquals("zeros(3)", pr(d.filled(Shape.vector(3), 0)));
        assertEquals("zeros(2, 3)", pr(d.filled(Shape.matrix(2, 3), 0)));
        assertEquals("ones(3)", pr(d.filled(Shape.vector(3), 1)));
        assertEquals("ones(2, 3)", pr(d.filled(Shape.matrix(2, 3), 1)));
        assertEquals("2.5 * ones(3)", pr(d.filled(Shape.vector(3), 2.5)));
        assertEquals("-2 * ones(2, 2)", pr(d.filled(Shape.matrix(2, 2), -2)));
        assertEquals("-0 * ones(2)", pr(d.filled(Shape.vector(2), -0.0)));
        assertEquals("(0/0) * ones(2)", pr(d.filled(Shape.vector(2), Double.NaN)));
        assertEquals("eye(3)", pr(d.eye(3)));
        assertEquals("ones(1, 1)", pr(d.eye(1)));
        assertEquals("[1, 2, 3]", pr(d.constant(Shape.vector(3), new double[] {1, 2, 3})));
        assertEquals("[[1, 2], [3, 4]]", pr(d.constant(Shape.matrix(2, 2), new double[] {1, 2, 3, 4})));
        assertEquals("[[1, 2, 3]]", pr(d.constant(Shape.matrix(1, 3), new double[] {1, 2, 3})));
        assertEquals("[[1], [2]]", pr(d.constant(Shape.matrix(2, 1), new double[] {1, 2})));
        assertEquals("[-1, 0.5, (0/0), inf, pi]",
                pr(d.constant(Shape.vector(5), new double[] {-1, 0.5, Double.NaN, Double.POSITIVE_INFINITY, Math.PI})));
        assertEquals("[5]", pr(d.constant(Shape.vector(1), new double[] {5})));
        assertEquals("[0, -0]", pr(d.constant(Shape.vector(2), new double[] {0, -0.0})));
        // an identity with a -0.0 off the diagonal is not eye(n)
        assertEquals("[[1, -0], [0, 1]]", pr(d.constant(Shape.matrix(2, 2), new double[] {1, -0.0, 0, 1})));
    }

    @Test void filledConstantIsAProduct() {
        // a filled constant is a broadcast scalar: where it survives as an operand, it prints (and parenthesizes) as a product
        Node twos = d.filled(Shape.matrix(3, 2), 2);
        assertEquals("A @ (2 * ones(3, 2))", pr(d.matmul(A, twos)));
        assertEquals("2 * ones(3, 2) @ A", pr(d.matmul(twos, A)));
        assertEquals("2 * ones(2, 3)", pr(d.transpose(twos)));
        assertEquals("[1, 2, 3]^v", pr(d.pow(d.constant(Shape.vector(3), new double[] {1, 2, 3}), v)));
    }

    @Test void filledConstantInAnElementwiseOperationIsItsScalar() {
        // the broadcast is implicit in an elementwise operation: the same values, element by element
        Node two = d.filled(Shape.vector(3), 2);
        assertEquals("2^v", pr(d.pow(two, v)));
        assertEquals("v / 2", pr(d.div(v, two)));
        assertEquals("2 / v", pr(d.div(two, v)));
        assertEquals("v - 2", pr(d.sub(v, two)));
        assertEquals("2^a * ones(3)", pr(d.pow(two, a)));
        assertEquals("6 * ones(3)", pr(d.mul(two, d.filled(Shape.vector(3), 3))));
        assertEquals("5 * ones(2, 3)", pr(d.add(k(3), d.filled(Shape.matrix(2, 3), 2))));
    }

    // ---------------------------------------------------------------- leaves

    @Test void leaves() {
        assertEquals("w", pr(d.param(new Attr.Param("w", 0, Shape.vector(3), 0))));
        assertEquals("β", pr(d.param(new Attr.Param("β", 1, Shape.SCALAR, 3))));
        assertEquals("d.price", pr(d.data(new Attr.Column("d", "price"), Shape.vector(10))));
        assertEquals("lr", pr(d.input("lr", Shape.SCALAR)));
        assertEquals("dropout(ones(3), 0.5)", pr(d.random(0, 0.5, Shape.vector(3))));
        assertEquals("dropout(ones(2, 3), 0.25)", pr(d.random(1, 0.25, Shape.matrix(2, 3))));
        assertEquals("dropout(1, 0.1)", pr(d.random(2, 0.1, Shape.SCALAR)));
    }

    // ------------------------------------------------------- one form per op

    @Test void everyOpHasAForm() {
        Node y = d.input("y", Shape.vector(5));
        Node r = d.input("r", Shape.vector(10));
        EnumMap<Op, Map.Entry<Node, String>> cases = new EnumMap<>(Op.class);
        cases.put(Op.CONST, Map.entry(k(2), "2"));
        cases.put(Op.PARAM, Map.entry(d.param(new Attr.Param("x", 0, Shape.SCALAR, 0)), "x"));
        cases.put(Op.DATA, Map.entry(d.data(new Attr.Column("d", "y"), Shape.vector(4)), "d.y"));
        cases.put(Op.INPUT, Map.entry(a, "a"));
        cases.put(Op.RANDOM, Map.entry(d.random(0, 0.5, Shape.vector(3)), "dropout(ones(3), 0.5)"));
        for (Op op : Op.values())
            if (op.kind == Op.Kind.UNARY)
                cases.put(op, Map.entry(un(op, a), op == Op.NEG ? "-a" : op == Op.NOT ? "not a" : op.spelling + "(a)"));
        cases.put(Op.ADD, Map.entry(d.add(a, b), "a + b"));
        cases.put(Op.SUB, Map.entry(d.sub(a, b), "a - b"));
        cases.put(Op.MUL, Map.entry(d.mul(a, b), "a * b"));
        cases.put(Op.DIV, Map.entry(d.div(a, b), "a / b"));
        cases.put(Op.POW, Map.entry(d.pow(a, b), "a^b"));
        cases.put(Op.MIN, Map.entry(bin(Op.MIN, a, b), "min(a, b)"));
        cases.put(Op.MAX, Map.entry(bin(Op.MAX, a, b), "max(a, b)"));
        cases.put(Op.ATAN2, Map.entry(bin(Op.ATAN2, a, b), "atan2(a, b)"));
        cases.put(Op.LT, Map.entry(bin(Op.LT, a, b), "a < b"));
        cases.put(Op.LE, Map.entry(bin(Op.LE, a, b), "a <= b"));
        cases.put(Op.GT, Map.entry(bin(Op.GT, a, b), "a > b"));
        cases.put(Op.GE, Map.entry(bin(Op.GE, a, b), "a >= b"));
        cases.put(Op.EQ, Map.entry(bin(Op.EQ, a, b), "a == b"));
        cases.put(Op.NE, Map.entry(bin(Op.NE, a, b), "a != b"));
        cases.put(Op.AND, Map.entry(bin(Op.AND, a, b), "a and b"));
        cases.put(Op.OR, Map.entry(bin(Op.OR, a, b), "a or b"));
        cases.put(Op.SELECT, Map.entry(d.select(a, b, c), "if a then b else c"));
        cases.put(Op.CLIP, Map.entry(d.clip(a, b, c), "clip(a, b, c)"));
        cases.put(Op.SUM, Map.entry(d.sum(v), "sum(v)"));
        cases.put(Op.SUM_AXIS, Map.entry(d.reduceAxis(Op.SUM_AXIS, A, 1), "sum(A, axis = 1)"));
        cases.put(Op.MAX_ALL, Map.entry(d.reduce(Op.MAX_ALL, v), "max(v)"));
        cases.put(Op.MIN_ALL, Map.entry(d.reduce(Op.MIN_ALL, v), "min(v)"));
        cases.put(Op.MAX_AXIS, Map.entry(d.reduceAxis(Op.MAX_AXIS, A, 0), "max(A, axis = 0)"));
        cases.put(Op.MIN_AXIS, Map.entry(d.reduceAxis(Op.MIN_AXIS, A, 1), "min(A, axis = 1)"));
        cases.put(Op.LSE, Map.entry(d.reduce(Op.LSE, v), "logsumexp(v)"));
        cases.put(Op.LSE_AXIS, Map.entry(d.reduceAxis(Op.LSE_AXIS, A, 1), "logsumexp(A, axis = 1)"));
        cases.put(Op.INDEX, Map.entry(d.index(v, Attr.Index.element(1)), "v[1]"));
        cases.put(Op.PACK, Map.entry(d.pack(Shape.vector(3), List.of(a, b, c)), "[a, b, c]"));
        cases.put(Op.SCATTER, Map.entry(d.scatter(r, Attr.Index.row(2), Shape.matrix(10, 10)), "if outer(onehot(2, 10), ones(10)) then ones(10, 10) * r else 0"));
        cases.put(Op.BCAST, Map.entry(d.broadcast(a, Shape.vector(3), false), "a * ones(3)"));
        cases.put(Op.MATMUL, Map.entry(d.matmul(A, B), "A @ B"));
        cases.put(Op.TRANSPOSE, Map.entry(d.transpose(A), "transpose(A)"));
        cases.put(Op.DIAG, Map.entry(d.diag(v), "diag(v)"));
        cases.put(Op.DIAG_EXTRACT, Map.entry(d.diag(S), "diag(S)"));
        cases.put(Op.OUTER, Map.entry(d.outer(v, w), "outer(v, w)"));
        cases.put(Op.SOLVE, Map.entry(d.solve(S, v), "solve(S, v)"));
        cases.put(Op.STACK, Map.entry(d.stack(List.of(v, w, v)), "stack(v, w, v)"));
        cases.put(Op.ONEHOT, Map.entry(d.onehot(y, 10), "onehot(y, 10)"));

        assertEquals(EnumSet.allOf(Op.class), cases.keySet(), "every op has a printed form under test");
        for (Map.Entry<Op, Map.Entry<Node, String>> e : cases.entrySet()) {
            assertSame(e.getKey(), e.getValue().getKey().op, "the node built for " + e.getKey());
            assertEquals(e.getValue().getValue(), pr(e.getValue().getKey()), e.getKey().toString());
        }
    }

    @Test void toStringPrints() {
        assertEquals("a + b", d.add(a, b).toString());
    }

    // ---------------------------------------------- additive, multiplicative

    @Test void leftAssociativeAdditive() {
        assertEquals("a + b + c", pr(d.add(d.add(a, b), c)));
        assertEquals("a + (b + c)", pr(d.add(a, d.add(b, c))));
        assertEquals("a - b - c", pr(d.sub(d.sub(a, b), c)));
        assertEquals("a - (b - c)", pr(d.sub(a, d.sub(b, c))));
        assertEquals("a - (b + c)", pr(d.sub(a, d.add(b, c))));
        assertEquals("a + (b - c)", pr(d.add(a, d.sub(b, c))));
        assertEquals("a - b + c", pr(d.add(d.sub(a, b), c)));
        assertEquals("a + b - c", pr(d.sub(d.add(a, b), c)));
    }

    @Test void leftAssociativeMultiplicative() {
        assertEquals("a * b * c", pr(d.mul(d.mul(a, b), c)));
        assertEquals("a * (b * c)", pr(d.mul(a, d.mul(b, c))));
        assertEquals("a / b / c", pr(d.div(d.div(a, b), c)));
        assertEquals("a / (b * c)", pr(d.div(a, d.mul(b, c))));
        assertEquals("a / (b / c)", pr(d.div(a, d.div(b, c))));
        assertEquals("a * b / c", pr(d.div(d.mul(a, b), c)));
        assertEquals("a * (b / c)", pr(d.mul(a, d.div(b, c))));
        assertEquals("a / b * c", pr(d.mul(d.div(a, b), c)));
    }

    @Test void additiveUnderMultiplicative() {
        assertEquals("a * b + c", pr(d.add(d.mul(a, b), c)));
        assertEquals("a + b * c", pr(d.add(a, d.mul(b, c))));
        assertEquals("a * (b + c)", pr(d.mul(a, d.add(b, c))));
        assertEquals("(a + b) * c", pr(d.mul(d.add(a, b), c)));
        assertEquals("(a - b) / (b + c)", pr(d.div(d.sub(a, b), d.add(b, c))));
        assertEquals("a / b - c / p", pr(d.sub(d.div(a, b), d.div(c, p))));
    }

    @Test void matmul() {
        assertEquals("A @ B @ M", pr(d.matmul(d.matmul(A, B), M)));
        assertEquals("A @ (B @ M)", pr(d.matmul(A, d.matmul(B, M))));
        assertEquals("A @ v", pr(d.matmul(A, v)));
        assertEquals("u @ A", pr(d.matmul(u, A)));
        assertEquals("2 * (A @ B)", pr(d.mul(d.matmul(A, B), k(2))));
        assertEquals("2 * A @ B", pr(d.matmul(d.mul(k(2), A), B)));
        assertEquals("-A @ B", pr(d.matmul(d.neg(A), B)));
        assertEquals("A @ -B", pr(d.matmul(A, d.neg(B))));
        assertEquals("(A + A2) @ B", pr(d.matmul(d.add(A, A2), B)));
        assertEquals("A @ B + M", pr(d.add(d.matmul(A, B), M)));
        assertEquals("M - A @ B", pr(d.sub(M, d.matmul(A, B))));
        assertEquals("A @ B * M", pr(d.mul(d.matmul(A, B), M)));
        assertEquals("M * (A @ B)", pr(d.mul(M, d.matmul(A, B))));
        assertEquals("transpose(A) @ u", pr(d.matmul(d.transpose(A), u)));
    }

    // ------------------------------------------------------------------- power

    @Test void power() {
        assertEquals("a^b^c", pr(d.pow(a, d.pow(b, c))));
        assertEquals("(a^b)^c", pr(d.pow(d.pow(a, b), c)));
        assertEquals("(-a)^2", pr(d.pow(d.neg(a), k(2))));
        assertEquals("-a^2", pr(d.neg(d.pow(a, k(2)))));
        assertEquals("a^-b", pr(d.pow(a, d.neg(b))));
        assertEquals("a^-2", pr(d.pow(a, k(-2))));
        assertEquals("a^-0.5", pr(d.pow(a, k(-0.5))));
        assertEquals("(-2)^a", pr(d.pow(k(-2), a)));
        assertEquals("2^a", pr(d.pow(k(2), a)));
        assertEquals("0.5^a", pr(d.pow(k(0.5), a)));
        assertEquals("1.0E-8^a", pr(d.pow(k(1e-8), a)));
        assertEquals("pi^a", pr(d.pow(k(Math.PI), a)));
        assertEquals("(-pi)^a", pr(d.pow(k(-Math.PI), a)));
        assertEquals("inf^a", pr(d.pow(k(Double.POSITIVE_INFINITY), a)));
        assertEquals("(-inf)^a", pr(d.pow(k(Double.NEGATIVE_INFINITY), a)));
        assertEquals("(-0)^a", pr(d.pow(k(-0.0), a)));
        assertEquals("(0/0)^a", pr(d.pow(k(Double.NaN), a)));
        assertEquals("a^(0/0)", pr(d.pow(a, k(Double.NaN))));
        assertEquals("(a + b)^2", pr(d.pow(d.add(a, b), k(2))));
        assertEquals("(a * b)^2", pr(d.pow(d.mul(a, b), k(2))));
        assertEquals("a^(b + c)", pr(d.pow(a, d.add(b, c))));
        assertEquals("a^(b * c)", pr(d.pow(a, d.mul(b, c))));
        assertEquals("sin(a)^2", pr(d.pow(un(Op.SIN, a), k(2))));
        assertEquals("a^sin(b)", pr(d.pow(a, un(Op.SIN, b))));
        assertEquals("v[0]^2", pr(d.pow(d.index(v, Attr.Index.element(0)), k(2))));
        assertEquals("a^(not b)", pr(d.pow(a, un(Op.NOT, b))));
        assertEquals("(not a)^b", pr(d.pow(un(Op.NOT, a), b)));
        assertEquals("a^-b^c", pr(d.pow(a, d.neg(d.pow(b, c)))));
        assertEquals("a^(-b)^c", pr(d.pow(a, d.pow(d.neg(b), c))));
        assertEquals("(a^-b)^c", pr(d.pow(d.pow(a, d.neg(b)), c)));
        assertEquals("a^-b * c", pr(d.mul(d.pow(a, d.neg(b)), c)));
        assertEquals("2 * a^2", pr(d.mul(k(2), d.pow(a, k(2)))));
        assertEquals("a^2 + b^2", pr(d.add(d.pow(a, k(2)), d.pow(b, k(2)))));
        assertEquals("(if a then b else c)^2", pr(d.pow(d.select(a, b, c), k(2))));
        assertEquals("a^(if a then b else c)", pr(d.pow(a, d.select(a, b, c))));
    }

    // ------------------------------------------------------------ unary minus

    @Test void unaryMinus() {
        assertEquals("-(a + b)", pr(d.neg(d.add(a, b))));
        assertEquals("-(a * b)", pr(d.neg(d.mul(a, b))));
        assertEquals("-(a / b)", pr(d.neg(d.div(a, b))));
        assertEquals("-sin(a)", pr(d.neg(un(Op.SIN, a))));
        assertEquals("-v[0]", pr(d.neg(d.index(v, Attr.Index.element(0)))));
        assertEquals("-(not a)", pr(d.neg(un(Op.NOT, a))));
        assertEquals("-(if a then b else c)", pr(d.neg(d.select(a, b, c))));
        assertEquals("-(a < b)", pr(d.neg(bin(Op.LT, a, b))));
        assertEquals("-(A @ B)", pr(d.neg(d.matmul(A, B))));
        assertEquals("-a - b", pr(d.sub(d.neg(a), b)));
        assertEquals("-a < b", pr(bin(Op.LT, d.neg(a), b)));
        assertEquals("a < -b", pr(bin(Op.LT, a, d.neg(b))));
        assertEquals("not -a", pr(un(Op.NOT, d.neg(a))));
        assertEquals("-a and -b", pr(bin(Op.AND, d.neg(a), d.neg(b))));
        assertEquals("max(-a, b)", pr(bin(Op.MAX, d.neg(a), b)));
        assertEquals("exp(-a)", pr(un(Op.EXP, d.neg(a))));
        assertEquals("(-v)[0]", pr(d.index(d.neg(v), Attr.Index.element(0))));
    }

    @Test void negativeConstantsInEveryPosition() {
        Node m3 = k(-3);
        assertEquals("-3 * a", pr(d.mul(m3, a)));
        assertEquals("-3 * a", pr(d.mul(a, m3))); // the Dag puts a scalar factor first
        assertEquals("a / -3", pr(d.div(a, m3)));
        assertEquals("-3 / a", pr(d.div(m3, a)));
        assertEquals("a + -3", pr(d.add(a, m3)));
        assertEquals("-3 + a", pr(d.add(m3, a)));
        assertEquals("a - -3", pr(d.sub(a, m3)));
        assertEquals("-3 - a", pr(d.sub(m3, a)));
        assertEquals("a^-3", pr(d.pow(a, m3)));
        assertEquals("(-3)^a", pr(d.pow(m3, a)));
        assertEquals("a < -3", pr(bin(Op.LT, a, m3)));
        assertEquals("-3 >= a", pr(bin(Op.GE, m3, a)));
        assertEquals("-3 and a", pr(bin(Op.AND, m3, a)));
        assertEquals("a or -3", pr(bin(Op.OR, a, m3)));
        assertEquals("max(-3, a)", pr(bin(Op.MAX, m3, a)));
        assertEquals("clip(a, -1, 1)", pr(d.clip(a, k(-1), k(1))));
        assertEquals("[-3, a]", pr(d.pack(Shape.vector(2), List.of(m3, a))));
        assertEquals("if a then -3 else -4", pr(d.select(a, m3, k(-4))));
        // the Dag gathers constants at the front of a product, whichever side they were on
        assertEquals("-3 * (a * b)", pr(d.mul(a, d.mul(m3, b))));
        assertEquals("-3 * (a * b)", pr(d.mul(d.mul(m3, a), b)));
        assertEquals("a * (b - -3)", pr(d.mul(a, d.sub(b, m3))));
        assertEquals("-3 * v @ B", pr(d.matmul(d.mul(m3, v), B)));
        assertEquals("v @ (-3 * B)", pr(d.matmul(v, d.mul(m3, B))));
        assertEquals("a^-0.5 + -1.0E-8", pr(d.add(d.pow(a, k(-0.5)), k(-1e-8))));
        assertEquals("-inf < a", pr(bin(Op.LT, k(Double.NEGATIVE_INFINITY), a)));
        assertEquals("a - -inf", pr(d.sub(a, k(Double.NEGATIVE_INFINITY))));
        assertEquals("-0 * a", pr(d.mul(k(-0.0), a)));
        assertEquals("if onehot(3, 100) then -3 * a else 0", pr(d.scatter(d.mul(m3, a), Attr.Index.element(3), Shape.vector(100))));
        assertEquals("-3 * ones(3)", pr(d.filled(Shape.vector(3), -3)));
    }

    // ------------------------------------------------------------- comparisons

    @Test void comparisonsAreNonAssociative() {
        assertEquals("(a < b) < c", pr(bin(Op.LT, bin(Op.LT, a, b), c)));
        assertEquals("a < (b < c)", pr(bin(Op.LT, a, bin(Op.LT, b, c))));
        assertEquals("(a == b) != c", pr(bin(Op.NE, bin(Op.EQ, a, b), c)));
        assertEquals("a <= (b >= c)", pr(bin(Op.LE, a, bin(Op.GE, b, c))));
        assertEquals("a + b < 2 * c", pr(bin(Op.LT, d.add(a, b), d.mul(c, k(2)))));
        assertEquals("a < b + c", pr(bin(Op.LT, a, d.add(b, c))));
        assertEquals("(a < b) + c", pr(d.add(bin(Op.LT, a, b), c)));
        assertEquals("a * (b > c)", pr(d.mul(a, bin(Op.GT, b, c))));
        assertEquals("(a < b)^2", pr(d.pow(bin(Op.LT, a, b), k(2))));
    }

    // ---------------------------------------------------------------- logic

    @Test void logic() {
        assertEquals("a < b and c > a", pr(bin(Op.AND, bin(Op.LT, a, b), bin(Op.GT, c, a))));
        assertEquals("a and b or c", pr(bin(Op.OR, bin(Op.AND, a, b), c)));
        assertEquals("a or b and c", pr(bin(Op.OR, a, bin(Op.AND, b, c))));
        assertEquals("a and (b or c)", pr(bin(Op.AND, a, bin(Op.OR, b, c))));
        assertEquals("(a or b) and c", pr(bin(Op.AND, bin(Op.OR, a, b), c)));
        assertEquals("a and b and c", pr(bin(Op.AND, bin(Op.AND, a, b), c)));
        assertEquals("a and (b and c)", pr(bin(Op.AND, a, bin(Op.AND, b, c))));
        assertEquals("a or b or c", pr(bin(Op.OR, bin(Op.OR, a, b), c)));
        assertEquals("a or (b or c)", pr(bin(Op.OR, a, bin(Op.OR, b, c))));
    }

    @Test void not() {
        assertEquals("not (a and b)", pr(un(Op.NOT, bin(Op.AND, a, b))));
        assertEquals("not (a or b)", pr(un(Op.NOT, bin(Op.OR, a, b))));
        assertEquals("not a < b", pr(un(Op.NOT, bin(Op.LT, a, b))));
        assertEquals("not a + b", pr(un(Op.NOT, d.add(a, b))));
        assertEquals("not not a", pr(un(Op.NOT, un(Op.NOT, a))));
        assertEquals("not a and b", pr(bin(Op.AND, un(Op.NOT, a), b)));
        assertEquals("a and not b", pr(bin(Op.AND, a, un(Op.NOT, b))));
        assertEquals("not a or not b", pr(bin(Op.OR, un(Op.NOT, a), un(Op.NOT, b))));
        assertEquals("a and not b or c", pr(bin(Op.OR, bin(Op.AND, a, un(Op.NOT, b)), c)));
        assertEquals("(not a) + b", pr(d.add(un(Op.NOT, a), b)));
        assertEquals("a + (not b)", pr(d.add(a, un(Op.NOT, b))));
        assertEquals("(not a) < b", pr(bin(Op.LT, un(Op.NOT, a), b)));
        assertEquals("a < (not b)", pr(bin(Op.LT, a, un(Op.NOT, b))));
        assertEquals("a * (not b)", pr(d.mul(a, un(Op.NOT, b))));
        assertEquals("not (if a then b else c)", pr(un(Op.NOT, d.select(a, b, c))));
        assertEquals("sign(not a)", pr(un(Op.SIGN, un(Op.NOT, a))));
    }

    // ------------------------------------------------------------------- if

    @Test void conditional() {
        assertEquals("if a < b then a else b", pr(d.select(bin(Op.LT, a, b), a, b)));
        assertEquals("if a or b then c + p else p * q", pr(d.select(bin(Op.OR, a, b), d.add(c, p), d.mul(p, q))));
        assertEquals("if not a then b else c", pr(d.select(un(Op.NOT, a), b, c)));
        assertEquals("(if a then b else c) + a", pr(d.add(d.select(a, b, c), a)));
        assertEquals("a + (if a then b else c)", pr(d.add(a, d.select(a, b, c))));
        assertEquals("(if a then b else c) and p", pr(bin(Op.AND, d.select(a, b, c), p)));
        assertEquals("p or (if a then b else c)", pr(bin(Op.OR, p, d.select(a, b, c))));
        assertEquals("if (if a then b else c) then p else q", pr(d.select(d.select(a, b, c), p, q)));
        assertEquals("if a then (if b then c else p) else q", pr(d.select(a, d.select(b, c, p), q)));
        assertEquals("if a then b else if c then p else q", pr(d.select(a, b, d.select(c, p, q))));
        assertEquals("sin(if a then b else c)", pr(un(Op.SIN, d.select(a, b, c))));
        assertEquals("max(if a then b else c, a)", pr(bin(Op.MAX, d.select(a, b, c), a)));
        assertEquals("(if a then v else w)[0]", pr(d.index(d.select(a, v, w), Attr.Index.element(0))));
        assertEquals("[if a then b else c, p]", pr(d.pack(Shape.vector(2), List.of(d.select(a, b, c), p))));
    }

    // ---------------------------------------------------------- calls, clip

    @Test void calls() {
        assertEquals("sin(a + b)", pr(un(Op.SIN, d.add(a, b))));
        assertEquals("log(1 + a)", pr(un(Op.LOG, d.add(k(1), a))));
        assertEquals("max(a + b, 0)", pr(bin(Op.MAX, d.add(a, b), k(0))));
        assertEquals("atan2(a * b, c - p)", pr(bin(Op.ATAN2, d.mul(a, b), d.sub(c, p))));
        assertEquals("clip(a, b < c, -p)", pr(d.clip(a, bin(Op.LT, b, c), d.neg(p))));
        assertEquals("sqrt(sum(v^2))", pr(d.norm(v)));
        assertEquals("sum(v * w)", pr(d.dot(v, w)));
        assertEquals("sum(v + w)", pr(d.reduceAxis(Op.SUM_AXIS, d.add(v, w), 0))); // a vector's only axis
        assertEquals("sum(A + A2, axis = 1)", pr(d.reduceAxis(Op.SUM_AXIS, d.add(A, A2), 1)));
        assertEquals("sum(v) / 3", pr(d.mean(v)));
        assertEquals("sum(A, axis = 0) / 2", pr(d.meanAxis(A, 0)));
        assertEquals("onehot(a, 3)", pr(d.onehot(a, 3)));
    }

    // ------------------------------------------------------------- indexing

    @Test void indexing() {
        assertEquals("v[2]", pr(d.index(v, Attr.Index.element(2))));
        assertEquals("A[1, 2]", pr(d.index(A, Attr.Index.element(1, 2))));
        assertEquals("A[1]", pr(d.index(A, Attr.Index.row(1))));
        assertEquals("transpose(A)[2]", pr(d.index(A, Attr.Index.column(2))));
        assertEquals("transpose(A + A2)[0]", pr(d.index(d.add(A, A2), Attr.Index.column(0))));
        assertEquals("A[1][0]", pr(d.index(d.index(A, Attr.Index.row(1)), Attr.Index.element(0))));
        assertEquals("(v + w)[0]", pr(d.index(d.add(v, w), Attr.Index.element(0))));
        assertEquals("(2 * v)[0]", pr(d.index(d.mul(k(2), v), Attr.Index.element(0))));
        assertEquals("(v^2)[1]", pr(d.index(d.pow(v, k(2)), Attr.Index.element(1))));
        assertEquals("sin(v)[0]", pr(d.index(un(Op.SIN, v), Attr.Index.element(0))));
        assertEquals("(A @ B)[0, 1]", pr(d.index(d.matmul(A, B), Attr.Index.element(0, 1))));
        assertEquals("(A @ B)[1]", pr(d.index(d.matmul(A, B), Attr.Index.row(1))));
        assertEquals("d.price[3]", pr(d.index(d.data(new Attr.Column("d", "price"), Shape.vector(10)), Attr.Index.element(3))));
        assertEquals("dropout(ones(3), 0.5)[1]", pr(d.index(d.random(0, 0.5, Shape.vector(3)), Attr.Index.element(1))));
        assertEquals("stack(v, w)[2, 1]", pr(d.index(d.stack(List.of(v, w)), Attr.Index.element(2, 1))));
        assertEquals("(ones(2, 3) * v)[1, 2]",
                pr(d.index(d.broadcast(v, Shape.matrix(2, 3), false), Attr.Index.element(1, 2))));
        Node sc = d.scatter(a, Attr.Index.element(3), Shape.vector(100));
        assertEquals("(if onehot(3, 100) then a else 0)[5]", pr(d.index(sc, Attr.Index.element(5))));
    }

    @Test void literals() {
        Node pk = d.pack(Shape.matrix(2, 2), List.of(a, b, c, p));
        assertEquals("[[a, b], [c, p]]", pr(pk));
        assertEquals("[[a, b], [c, p]] @ u", pr(d.matmul(pk, u)));
        assertEquals("transpose([[a, b], [c, p]])", pr(d.transpose(pk)));
        assertEquals("[a, b + c, -p, if a then b else c]",
                pr(d.pack(Shape.vector(4), List.of(a, d.add(b, c), d.neg(p), d.select(a, b, c)))));
        assertEquals("[[a], [b]]", pr(d.pack(Shape.matrix(2, 1), List.of(a, b))));
        assertEquals("[[a, 0, -1]]", pr(d.pack(Shape.matrix(1, 3), List.of(a, k(0), k(-1)))));
        assertEquals("sum([a, b]^2)", pr(d.sum(d.pow(d.pack(Shape.vector(2), List.of(a, b)), k(2)))));
    }

    // --------------------------------------------------------------- scatter

    @Test void scatter() {
        Node r = d.input("r", Shape.vector(10));
        Shape big = Shape.vector(100), mat = Shape.matrix(10, 10);
        assertEquals("if onehot(3, 100) then a else 0", pr(d.scatter(a, Attr.Index.element(3), big)));
        assertEquals("if onehot(3, 100) then a + b else 0", pr(d.scatter(d.add(a, b), Attr.Index.element(3), big)));
        assertEquals("if onehot(3, 100) then a * b else 0", pr(d.scatter(d.mul(a, b), Attr.Index.element(3), big)));
        assertEquals("if onehot(3, 100) then a / b else 0", pr(d.scatter(d.div(a, b), Attr.Index.element(3), big)));
        assertEquals("if onehot(3, 100) then -a else 0", pr(d.scatter(d.neg(a), Attr.Index.element(3), big)));
        assertEquals("if onehot(3, 100) then a^2 else 0", pr(d.scatter(d.pow(a, k(2)), Attr.Index.element(3), big)));
        assertEquals("if onehot(0, 100) then (if a then b else c) else 0", pr(d.scatter(d.select(a, b, c), Attr.Index.element(0), big)));
        assertEquals("if outer(onehot(2, 10), onehot(3, 10)) then a else 0", pr(d.scatter(a, Attr.Index.element(2, 3), mat)));
        assertEquals("if outer(onehot(2, 10), onehot(3, 10)) then a - b else 0", pr(d.scatter(d.sub(a, b), Attr.Index.element(2, 3), mat)));
        assertEquals("if outer(onehot(2, 10), ones(10)) then ones(10, 10) * r else 0", pr(d.scatter(r, Attr.Index.row(2), mat)));
        assertEquals("if outer(onehot(2, 10), ones(10)) then ones(10, 10) * (r + r^2) else 0", pr(d.scatter(d.add(r, d.pow(r, k(2))), Attr.Index.row(2), mat)));
        assertEquals("if outer(ones(10), onehot(3, 10)) then outer(r, ones(10)) else 0", pr(d.scatter(r, Attr.Index.column(3), mat)));
        Node sc = d.scatter(a, Attr.Index.element(3), big);
        assertEquals("sum(if onehot(3, 100) then a else 0)", pr(d.sum(sc)));
        assertEquals("b * (if onehot(3, 100) then a else 0)", pr(d.mul(b, sc)));
        assertEquals("(if onehot(3, 100) then a else 0) * b", pr(d.mul(sc, b)));
        assertEquals("(if onehot(3, 100) then a else 0)^2", pr(d.pow(sc, k(2))));
    }

    // ------------------------------------------------------------- broadcast

    @Test void broadcast() {
        assertEquals("a * ones(3)", pr(d.broadcast(a, Shape.vector(3), false)));
        assertEquals("a * ones(2, 3)", pr(d.broadcast(a, Shape.matrix(2, 3), false)));
        assertEquals("(a + b) * ones(3)", pr(d.broadcast(d.add(a, b), Shape.vector(3), false)));
        assertEquals("a * b * ones(3)", pr(d.broadcast(d.mul(a, b), Shape.vector(3), false)));
        assertEquals("-a * ones(3)", pr(d.broadcast(d.neg(a), Shape.vector(3), false)));
        assertEquals("ones(2, 3) * v", pr(d.broadcast(v, Shape.matrix(2, 3), false)));
        assertEquals("ones(2, 3) * (v + w)", pr(d.broadcast(d.add(v, w), Shape.matrix(2, 3), false)));
        assertEquals("ones(2, 3) * (2 * v)", pr(d.broadcast(d.mul(k(2), v), Shape.matrix(2, 3), false)));
        assertEquals("ones(2, 3) * -v", pr(d.broadcast(d.neg(v), Shape.matrix(2, 3), false)));
        assertEquals("ones(2, 3) * v^2", pr(d.broadcast(d.pow(v, k(2)), Shape.matrix(2, 3), false)));
        assertEquals("outer(u, ones(3))", pr(d.broadcast(u, Shape.matrix(2, 3), true)));
        assertEquals("outer(2 * u, ones(3))", pr(d.broadcast(d.add(u, u), Shape.matrix(2, 3), true)));
        assertEquals("sum(a * ones(3))", pr(d.sum(d.broadcast(a, Shape.vector(3), false))));
        assertEquals("ones(2, 3) * v @ B", pr(d.matmul(d.broadcast(v, Shape.matrix(2, 3), false), B)));
        assertEquals("A @ (a * ones(3, 2))", pr(d.matmul(A, d.broadcast(a, Shape.matrix(3, 2), false))));
        assertEquals("a^v", pr(d.pow(d.broadcast(a, Shape.vector(3), false), v))); // the Dag drops this broadcast
    }

    // ---------------------------------------------------------- linear algebra

    @Test void linearAlgebra() {
        Node y = d.input("y", Shape.vector(5));
        assertEquals("transpose(A)", pr(d.transpose(A)));
        assertEquals("transpose(A @ B)", pr(d.transpose(d.matmul(A, B))));
        assertEquals("diag(v)", pr(d.diag(v)));
        assertEquals("diag(v + w)", pr(d.diag(d.add(v, w))));
        assertEquals("diag(S)", pr(d.diag(S)));
        assertEquals("outer(v, w)", pr(d.outer(v, w)));
        assertEquals("solve(S, v)", pr(d.solve(S, v)));
        assertEquals("solve(2 * S, v - w)", pr(d.solve(d.add(S, S), d.sub(v, w))));
        assertEquals("stack(v, w)", pr(d.stack(List.of(v, w))));
        assertEquals("onehot(y, 10)", pr(d.onehot(y, 10)));
        assertEquals("sum(onehot(y, 10) * stack(y, y, y, y, y, y, y, y, y, y), axis = 1)",
                pr(d.reduceAxis(Op.SUM_AXIS, d.mul(d.onehot(y, 10), d.stack(List.of(y, y, y, y, y, y, y, y, y, y))), 1)));
    }

    @Test void quickstartObjective() {
        Node x = d.param(new Attr.Param("x", 0, Shape.vector(2), 0));
        Node x0 = d.index(x, Attr.Index.element(0)), x1 = d.index(x, Attr.Index.element(1));
        Node f = d.add(d.pow(d.sub(k(1), x0), k(2)), d.mul(k(100), d.pow(d.sub(x1, d.pow(x0, k(2))), k(2))));
        assertEquals("(1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2", pr(f));
    }

    @Test void softmaxClassifierLoss() {
        Node Z = d.input("Z", Shape.matrix(4, 10));
        Node y = d.data(new Attr.Column("d", "label"), Shape.vector(4));
        Node loss = d.mean(d.sub(d.reduceAxis(Op.LSE_AXIS, Z, 1), d.reduceAxis(Op.SUM_AXIS, d.mul(d.onehot(y, 10), Z), 1)));
        assertEquals("sum(logsumexp(Z, axis = 1) - sum(onehot(d.label, 10) * Z, axis = 1)) / 4", pr(loss));
    }

    // -------------------------------------------------------------- deep DAGs

    /** Runs body on a thread with a small stack, rethrowing what it throws. */
    private static void onSmallStack(Runnable body) throws Throwable {
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable e) {
                error.set(e);
            }
        }, "small-stack", 512 * 1024);
        t.start();
        t.join();
        if (error.get() != null) throw error.get();
    }

    @Test void deepLeftSpineOnASmallStack() throws Throwable {
        int n = 100_000;
        Node s = d.input("x0", Shape.SCALAR);
        StringJoiner expected = new StringJoiner(" + ");
        expected.add("x0");
        for (int i = 1; i < n; i++) {
            s = d.add(s, d.input("x" + i, Shape.SCALAR));
            expected.add("x" + i);
        }
        Node sum = s;
        onSmallStack(() -> {
            assertEquals(expected.toString(), Printer.print(sum));
            LinkedHashMap<String, Node> outs = new LinkedHashMap<>();
            outs.put("f", sum);
            Printer.Printed pr = Printer.printShared(outs, Set.of());
            assertTrue(pr.lets().isEmpty());
            assertEquals(expected.toString(), pr.outputs().get("f"));
        });
    }

    @Test void deepRightSpineAndCallsOnASmallStack() throws Throwable {
        int n = 100_000;
        Node s = a, f = a, neg = a;
        for (int i = 0; i < n; i++) {
            s = d.sub(d.input("y" + i, Shape.SCALAR), s);
            f = un(Op.SIN, f);
        }
        for (int i = 0; i < 10_000; i++) neg = d.neg(d.pow(neg, k(2)));
        Node sub = s, sin = f, negs = neg;
        onSmallStack(() -> {
            String t = Printer.print(sub);
            assertTrue(t.startsWith("y99999 - (y99998 - (y99997 - "), t.substring(0, 40));
            assertTrue(t.endsWith(" - (y1 - (y0 - a)" + ")".repeat(n - 2)));
            String fs = Printer.print(sin);
            assertEquals("sin(".repeat(n) + "a" + ")".repeat(n), fs);
            String ns = Printer.print(negs);
            assertEquals("-(".repeat(9_999) + "-a^2" + ")^2".repeat(9_999), ns);
        });
    }

    // ----------------------------------------------------------- printShared

    private static LinkedHashMap<String, Node> outs(Object... nameNode) {
        LinkedHashMap<String, Node> m = new LinkedHashMap<>();
        for (int i = 0; i < nameNode.length; i += 2) m.put((String) nameNode[i], (Node) nameNode[i + 1]);
        return m;
    }

    private static List<Map.Entry<String, String>> lets(String... nameText) {
        List<Map.Entry<String, String>> l = new ArrayList<>();
        for (int i = 0; i < nameText.length; i += 2) l.add(Map.entry(nameText[i], nameText[i + 1]));
        return l;
    }

    @Test void sharedSubexpressionIsNamed() {
        Node e = un(Op.EXP, d.add(d.mul(a, b), c)); // exp(a * b + c), 14 characters
        Printer.Printed r = Printer.printShared(outs("a", d.mul(e, b), "b", d.mul(e, a)), Set.of("a", "b", "c"));
        assertEquals(lets("u1", "exp(a * b + c)"), r.lets());
        assertEquals(Map.of("a", "u1 * b", "b", "u1 * a"), r.outputs());
        assertEquals(List.of("a", "b"), List.copyOf(r.outputs().keySet()));
        assertEquals("let u1 = exp(a * b + c)\na = u1 * b\nb = u1 * a\n", r.toScript());
    }

    @Test void shortOrTrivialSharedNodesStayInline() {
        Node s = d.add(a, b); // "a + b"
        Node lr = d.param(new Attr.Param("learning_rate", 0, Shape.SCALAR, 0));
        Node weights = d.param(new Attr.Param("weights_vector", 1, Shape.vector(5), 1));
        Node nlr = d.neg(lr); // "-learning_rate", 14 characters but trivial
        Node w0 = d.index(weights, Attr.Index.element(0)); // "weights_vector[0]", trivial
        Node big = d.constant(Shape.vector(5), new double[] {1.5, 2.5, 3.5, 4.5, 5.5}); // constants are never named
        Printer.Printed r = Printer.printShared(outs(
                "s", un(Op.SIN, s),
                "c", un(Op.COS, s),
                "x", bin(Op.ATAN2, nlr, w0),
                "y", bin(Op.ATAN2, w0, nlr),
                "z", d.mul(big, weights),
                "t", d.div(weights, big)), Set.of());
        assertEquals(List.of(), r.lets());
        assertEquals("sin(a + b)", r.outputs().get("s"));
        assertEquals("cos(a + b)", r.outputs().get("c"));
        assertEquals("atan2(-learning_rate, weights_vector[0])", r.outputs().get("x"));
        assertEquals("atan2(weights_vector[0], -learning_rate)", r.outputs().get("y"));
        assertEquals("[1.5, 2.5, 3.5, 4.5, 5.5] * weights_vector", r.outputs().get("z"));
        assertEquals("weights_vector / [1.5, 2.5, 3.5, 4.5, 5.5]", r.outputs().get("t"));
    }

    @Test void namesSkipTakenOnesAndComeInDependencyOrder() {
        Node e = un(Op.EXP, d.add(d.mul(a, b), c));        // exp(a * b + c)
        Node s = un(Op.SQRT, d.add(e, un(Op.SIN, a)));     // sqrt(e + sin(a))
        Printer.Printed r = Printer.printShared(outs("x", d.mul(e, s), "y", d.div(s, e)), Set.of("u1", "u3", "x"));
        assertEquals(lets("u2", "exp(a * b + c)", "u4", "sqrt(u2 + sin(a))"), r.lets());
        assertEquals("u2 * u4", r.outputs().get("x"));
        assertEquals("u4 / u2", r.outputs().get("y"));
    }

    @Test void namesSkipOutputNames() {
        Node e = un(Op.EXP, d.add(d.mul(a, b), c));
        Printer.Printed r = Printer.printShared(outs("u1", d.mul(e, a), "u2", d.mul(e, b)), Set.of());
        assertEquals(lets("u3", "exp(a * b + c)"), r.lets());
        assertEquals("u3 * a", r.outputs().get("u1"));
        assertEquals("u3 * b", r.outputs().get("u2"));
    }

    @Test void sharedOutputRoots() {
        Node e = un(Op.EXP, d.add(d.mul(a, b), c));
        Printer.Printed r = Printer.printShared(outs("x", e, "y", d.mul(e, a), "z", e), Set.of());
        assertEquals(lets("u1", "exp(a * b + c)"), r.lets());
        assertEquals(List.of("u1", "u1 * a", "u1"), List.copyOf(r.outputs().values()));
    }

    @Test void letsAreWrittenAtTopLevelAndUsedAsAtoms() {
        Node sel = d.select(bin(Op.LT, a, b), d.add(un(Op.EXP, a), c), d.mul(b, c)); // a low-precedence shared root
        Node sum = d.add(un(Op.EXP, a), un(Op.EXP, b));                              // exp(a) + exp(b)
        Printer.Printed r = Printer.printShared(outs(
                "x", d.pow(sel, k(2)), "y", d.mul(a, sel),
                "z", d.mul(sum, c), "t", d.pow(sum, d.neg(sum))), Set.of());
        assertEquals(lets("u1", "if a < b then exp(a) + c else b * c", "u2", "exp(a) + exp(b)"), r.lets());
        assertEquals("u1^2", r.outputs().get("x"));
        assertEquals("a * u1", r.outputs().get("y"));
        assertEquals("u2 * c", r.outputs().get("z"));
        assertEquals("u2^-u2", r.outputs().get("t"));
    }

    @Test void sharedDropoutMaskIsNamedSoItStaysOneMask() {
        Node mask = d.random(0, 0.5, Shape.vector(3));
        Printer.Printed r = Printer.printShared(outs("x", d.sum(d.mul(mask, v)), "y", d.sum(d.mul(mask, w))), Set.of());
        assertEquals(lets("u1", "dropout(ones(3), 0.5)"), r.lets());
        assertEquals("sum(u1 * v)", r.outputs().get("x"));
        assertEquals("sum(u1 * w)", r.outputs().get("y"));
        // used once it stays inline; a negated shared mask is not a trivial -x
        Printer.Printed once = Printer.printShared(outs("x", d.sum(d.mul(mask, v))), Set.of());
        assertEquals(List.of(), once.lets());
        assertEquals("sum(dropout(ones(3), 0.5) * v)", once.outputs().get("x"));
        Node nm = d.neg(mask);
        Printer.Printed neg = Printer.printShared(outs("x", bin(Op.MAX, nm, v), "y", bin(Op.MAX, nm, w)), Set.of());
        assertEquals(lets("u1", "-dropout(ones(3), 0.5)"), neg.lets());
        assertEquals("max(u1, v)", neg.outputs().get("x"));
        assertEquals("max(u1, w)", neg.outputs().get("y"));
    }

    @Test void sharedNodeUsedTwiceByOneParent() {
        Node e = un(Op.EXP, d.add(d.mul(a, b), c));
        Printer.Printed r = Printer.printShared(outs("x", bin(Op.MAX, e, e)), Set.of());
        assertEquals(lets("u1", "exp(a * b + c)"), r.lets());
        assertEquals("max(u1, u1)", r.outputs().get("x"));
    }

    @Test void exponentiallySharedDagPrintsLinearly() throws Throwable {
        int depth = 5_000;
        Node x = a;
        for (int i = 0; i < depth; i++) x = d.add(un(Op.SIN, x), un(Op.COS, x));
        Node root = x;
        onSmallStack(() -> {
            Printer.Printed r = Printer.printShared(outs("f", root), Set.of());
            assertEquals(depth - 1, r.lets().size());
            assertEquals(Map.entry("u1", "sin(a) + cos(a)"), r.lets().get(0));
            assertEquals(Map.entry("u2", "sin(u1) + cos(u1)"), r.lets().get(1));
            assertEquals(Map.entry("u4999", "sin(u4998) + cos(u4998)"), r.lets().get(depth - 2));
            assertEquals("sin(u4999) + cos(u4999)", r.outputs().get("f"));
            // every let uses only earlier names
            java.util.regex.Pattern name = java.util.regex.Pattern.compile("u(\\d+)");
            for (int i = 0; i < r.lets().size(); i++) {
                java.util.regex.Matcher m = name.matcher(r.lets().get(i).getValue());
                while (m.find()) assertTrue(Integer.parseInt(m.group(1)) <= i, r.lets().get(i).toString());
            }
        });
    }

    @Test void printSharedMatchesPrintWithoutSharing() {
        Node x = d.param(new Attr.Param("x", 0, Shape.vector(2), 0));
        Node x0 = d.index(x, Attr.Index.element(0)), x1 = d.index(x, Attr.Index.element(1));
        Node f = d.add(d.pow(d.sub(k(1), x0), k(2)), d.mul(k(100), d.pow(d.sub(x1, d.pow(x0, k(2))), k(2))));
        Printer.Printed r = Printer.printShared(outs("f", f), Set.of("x"));
        assertEquals(List.of(), r.lets());
        assertEquals(Printer.print(f), r.outputs().get("f"));
    }
}
