package dev.descent.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one DAG walk: reachable sets, in id (topological) order, across roots that share nodes. */
class ReachTest {
    final Dag dag = new Dag();
    final Node x = dag.input("x", Shape.SCALAR), y = dag.input("y", Shape.SCALAR), z = dag.input("z", Shape.SCALAR);
    final Node xy = dag.mul(x, y);
    final Node a = dag.add(xy, x);       // reads x twice, through xy and directly
    final Node b = dag.neg(xy);          // shares xy with a

    @Test
    void inIdOrderListsEachReachableNodeOnceInputsFirst() {
        List<Node> order = Reach.inIdOrder(List.of(a, b));
        assertEquals(List.of(x, y, xy, a, b), order);
        for (Node n : order)
            for (int k = 0; k < n.arity(); k++) assertTrue(order.indexOf(n.in(k)) < order.indexOf(n), n + " after its input");
        assertFalse(order.contains(z), "an unreachable leaf is not listed");
    }

    @Test
    void nodesOfTwoDagsAreRefused() {
        Dag other = new Dag();
        Node w = other.mul(other.input("w", Shape.SCALAR), other.input("v", Shape.SCALAR));
        assertThrows(IllegalArgumentException.class, () -> Reach.inIdOrder(List.of(a, w)));
    }

    @Test
    void idsReachesAnyAndCount() {
        BitSet ids = Reach.ids(List.of(b));
        assertTrue(ids.get(x.id) && ids.get(y.id) && ids.get(xy.id) && ids.get(b.id));
        assertFalse(ids.get(a.id) || ids.get(z.id));
        assertEquals(4, Reach.count(List.of(b)));
        assertEquals(5, Reach.count(List.of(a, b)));
        assertEquals(b.dagSize(), Reach.count(List.of(b)));
        assertTrue(Reach.reaches(List.of(a), x));
        assertFalse(Reach.reaches(List.of(a), z));
        assertTrue(Reach.any(List.of(b), n -> n.op == Op.MUL && n.in(0) == x));
        assertFalse(Reach.any(List.of(a), n -> n == b));
    }

    @Test
    void growAddsOnlyWhatIsNew() {
        BitSet seen = Reach.ids(List.of(xy));
        assertEquals(3, seen.cardinality());
        Reach.grow(seen, List.of(a, z));
        assertEquals(5, seen.cardinality());
        assertTrue(seen.get(a.id) && seen.get(z.id) && !seen.get(b.id));
    }
}
