package dev.descent.engine.scalar;

import static dev.descent.engine.scalar.Fixture.assertBits;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** INDEX, PACK, SCATTER, BCAST, and the leaf kinds. */
class StructureTest {
    static final double NAN = Double.NaN;

    @Test
    void indexEveryPart() {
        Fixture f = new Fixture();
        Node v = f.vector(10, 11, 12, 13);
        Node e = f.dag.index(v, Attr.Index.element(2));
        assertEquals(Op.INDEX, e.op);
        assertBits(new double[] {12}, f.eval(e));
        // [[0, 1, 2],
        //  [3, 4, 5]]
        Node A = f.matrix(2, 3, 0, 1, 2, 3, 4, 5);
        assertBits(new double[] {5}, f.eval(f.dag.index(A, Attr.Index.element(1, 2))));
        assertBits(new double[] {1}, f.eval(f.dag.index(A, Attr.Index.element(0, 1))));
        Node row = f.dag.index(A, Attr.Index.row(1));
        assertEquals(Shape.vector(3), row.shape);
        assertBits(new double[] {3, 4, 5}, f.eval(row));
        Node col = f.dag.index(A, Attr.Index.column(2));
        assertEquals(Shape.vector(2), col.shape);
        assertBits(new double[] {2, 5}, f.eval(col));
    }

    @Test
    void packRowMajor() {
        Fixture f = new Fixture();
        Node a = f.scalar(1), b = f.scalar(2), c = f.scalar(3);
        Node v = f.dag.pack(Shape.vector(3), List.of(c, a, b));
        assertEquals(Op.PACK, v.op);
        assertBits(new double[] {3, 1, 2}, f.eval(v));
        Node m = f.dag.pack(Shape.matrix(2, 2), List.of(a, f.dag.constant(7), f.dag.mul(b, c), f.dag.index(f.vector(8, 9), Attr.Index.element(1))));
        assertEquals(Op.PACK, m.op);
        assertBits(new double[] {1, 7, 6, 9}, f.eval(m));
    }

    @Test
    void scatterEveryPart() {
        Fixture f = new Fixture();
        // larger than Dag.PACK_LIMIT, so these stay SCATTER nodes
        Shape vec = Shape.vector(100);
        Node s = f.scalar(4.5);
        Node sv = f.dag.scatter(s, Attr.Index.element(37), vec);
        assertEquals(Op.SCATTER, sv.op);
        double[] expected = new double[100];
        expected[37] = 4.5;
        assertBits(expected, f.eval(sv), "element");

        int m = 9, n = 10;
        Shape mat = Shape.matrix(m, n);
        double[] e2 = new double[m * n];
        e2[4 * n + 7] = -2;
        assertBits(e2, f.eval(f.dag.scatter(f.scalar(-2), Attr.Index.element(4, 7), mat)), "element2");

        double[] rowv = Fixture.seq(n, 1, 1);
        double[] er = new double[m * n];
        for (int j = 0; j < n; j++) er[3 * n + j] = rowv[j];
        Node rs = f.dag.scatter(f.vector(rowv), Attr.Index.row(3), mat);
        assertEquals(Op.SCATTER, rs.op);
        assertBits(er, f.eval(rs), "row");

        double[] colv = Fixture.seq(m, -1, -1);
        double[] ec = new double[m * n];
        for (int i = 0; i < m; i++) ec[i * n + 8] = colv[i];
        assertBits(ec, f.eval(f.dag.scatter(f.vector(colv), Attr.Index.column(8), mat)), "column");
    }

    @Test
    void broadcastScalarRowsAndColumns() {
        Fixture f = new Fixture();
        Node s = f.scalar(2.5);
        Node toMat = f.dag.broadcast(s, Shape.matrix(2, 3), false);
        assertEquals(Op.BCAST, toMat.op);
        assertBits(new double[] {2.5, 2.5, 2.5, 2.5, 2.5, 2.5}, f.eval(toMat));
        assertBits(new double[] {2.5, 2.5, 2.5, 2.5}, f.eval(f.dag.broadcast(s, Shape.vector(4), false)));
        Node v3 = f.vector(1, 2, 3);
        assertBits(new double[] {1, 2, 3, 1, 2, 3}, f.eval(f.dag.broadcast(v3, Shape.matrix(2, 3), false)), "rows");
        Node v2 = f.vector(7, 8);
        Node cols = f.dag.broadcast(v2, Shape.matrix(2, 3), true);
        assertEquals(Op.BCAST, cols.op);
        assertBits(new double[] {7, 7, 7, 8, 8, 8}, f.eval(cols), "columns");
        Node sq = f.dag.broadcast(f.vector(1, 2), Shape.matrix(2, 2), true);
        assertBits(new double[] {1, 1, 2, 2}, f.eval(sq), "columns of a square matrix");
        // a column broadcast inside an elementwise operation the Dag keeps (SELECT does not strip a BCAST)
        Node A = f.matrix(2, 3, 1, 2, 3, 4, 5, 6);
        Node sel = f.dag.select(f.dag.binary(Op.GT, A, f.scalar(2.5)), A, cols);
        assertBits(new double[] {7, 7, 3, 4, 5, 6}, f.eval(sel));
    }

    /**
     * The softmax-by-row pattern, {@code A - broadcast(v, columns)}: Dag.binary and Dag.unary must
     * keep a column broadcast's orientation (a row broadcast would be a ShapeError for [2, 3], and
     * wrong values for a square matrix).
     */
    @Test
    void columnBroadcastInsideArithmetic() {
        Fixture f = new Fixture();
        Node A = f.matrix(2, 3, 1, 2, 3, 4, 5, 6);
        Node cols = f.dag.broadcast(f.vector(7, 8), Shape.matrix(2, 3), true);
        assertBits(new double[] {-6, -5, -4, -4, -3, -2}, f.eval(f.dag.sub(A, cols)));
        Node S = f.matrix(2, 2, 1, 2, 3, 4);
        Node sc = f.dag.broadcast(f.vector(10, 20), Shape.matrix(2, 2), true);
        assertBits(new double[] {-9, -8, -17, -16}, f.eval(f.dag.sub(S, sc)));
        assertBits(new double[] {Math.exp(10), Math.exp(10), Math.exp(20), Math.exp(20)}, f.eval(f.dag.unary(Op.EXP, sc)));
    }

    @Test
    void everyLeafKindComesFromTheEnv() {
        Fixture f = new Fixture();
        Node d = f.dag.data(new Attr.Column("d", "price"), Shape.vector(3));
        Node in = f.dag.input("g", Shape.vector(3));
        Node r = f.dag.random(0, 0.5, Shape.vector(3));
        f.values.put(d, new double[] {1, 2, 3});
        f.values.put(in, new double[] {10, 20, 30});
        f.values.put(r, new double[] {2, 0, 2});
        Node y = f.dag.mul(f.dag.add(d, in), r);
        assertBits(new double[] {22, 0, 66}, f.eval(y));
        double[][] leaves = f.eval(d, in, r);
        assertBits(new double[] {1, 2, 3}, leaves[0]);
        assertBits(new double[] {10, 20, 30}, leaves[1]);
        assertBits(new double[] {2, 0, 2}, leaves[2]);
    }

    @Test
    void constantsScalarAndArray() {
        Fixture f = new Fixture();
        Node x = f.vector(1, 2, 3);
        Node y = f.dag.add(f.dag.mul(f.dag.constant(Shape.vector(3), new double[] {1, 10, 100}), x), f.dag.constant(0.5));
        assertBits(new double[] {1.5, 20.5, 300.5}, f.eval(y));
        Node M = f.dag.constant(Shape.matrix(2, 2), new double[] {1, 2, 3, 4});
        assertBits(new double[] {1, 2, 3, 4}, f.eval(M));
        assertBits(new double[] {-0.0}, f.eval(f.dag.constant(-0.0)));
        assertBits(new double[] {NAN}, f.eval(f.dag.constant(NAN)));
    }
}
