package dev.descent.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * {@link Shape}, {@link Attr}'s records and the DAG's hash-consing key write out equals and
 * hashCode (the records' own are bootstrapped at run time, slow at start-up): they must be
 * what a record's would be, over every component, so that a component added later and
 * forgotten there fails here. The hash is the records' (h = 31·h + hash(component), from 0).
 */
class RecordEqualityTest {
    @Test
    void equalsAndHashCodeAreTheRecordsOwn() throws Exception {
        List<Class<?>> records = new ArrayList<>(List.of(Shape.class));
        for (Class<?> c : Attr.class.getPermittedSubclasses()) if (c != Attr.Array.class) records.add(c);
        for (Class<?> c : Dag.class.getDeclaredClasses()) if (c.isRecord() && c.getSimpleName().equals("Key")) records.add(c);
        assertTrue(records.size() >= 12, records.toString());
        for (Class<?> r : records) {
            RecordComponent[] comps = r.getRecordComponents();
            Constructor<?> k = r.getDeclaredConstructor(java.util.Arrays.stream(comps).map(RecordComponent::getType).toArray(Class[]::new));
            k.setAccessible(true);
            Object[] base = new Object[comps.length];
            for (int i = 0; i < comps.length; i++) base[i] = value(comps[i].getType(), 0);
            Object a = k.newInstance(base), b = k.newInstance(base.clone());
            assertEquals(a, b, r.getName());
            assertEquals(recordHash(a, comps), a.hashCode(), r.getName());
            assertEquals(a.hashCode(), b.hashCode(), r.getName());
            assertFalse(a.equals(null), r.getName());
            for (int i = 0; i < comps.length; i++) {
                Object[] other = base.clone();
                other[i] = value(comps[i].getType(), 1);
                Object c = k.newInstance(other);
                assertFalse(a.equals(c), r.getName() + " differs in " + comps[i].getName());
                assertFalse(c.equals(a), r.getName() + " differs in " + comps[i].getName());
                assertEquals(recordHash(c, comps), c.hashCode(), r.getName());
            }
        }
    }

    private static int recordHash(Object o, RecordComponent[] comps) throws Exception {
        int h = 0;
        for (RecordComponent c : comps) {
            var acc = c.getAccessor();
            acc.setAccessible(true);
            h = 31 * h + Objects.hashCode(acc.invoke(o)); // a boxed primitive's hashCode is its type's
        }
        return h;
    }

    /** Two distinct values (0 and 1) of a component's type; rank-valid shapes. */
    private static Object value(Class<?> t, int which) {
        if (t == int.class) return which == 0 ? 1 : 2;
        if (t == long.class) return which == 0 ? 1L : 2L;
        if (t == double.class) return which == 0 ? 0.5 : -0.0;
        if (t == boolean.class) return which == 1;
        if (t == String.class) return which == 0 ? "a" : "b";
        if (t == Shape.class) return which == 0 ? Shape.vector(3) : Shape.matrix(2, 3);
        if (t == Op.class) return Op.values()[which];
        if (t == List.class) return which == 0 ? List.of() : List.of(new Dag().constant(1));
        if (t == Attr.class || t == Attr.Index.class) return which == 0 ? Attr.Index.element(0) : Attr.Index.element(1);
        if (t == Attr.Index.Part.class) return Attr.Index.Part.values()[which];
        throw new AssertionError("no values for " + t);
    }
}
