package dev.descent.run;

import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;

/** θ: the buffer that holds it, and a second one a fused step writes the next θ into. */
final class Theta {
    private final Engine engine;
    Buffer cur, next;

    Theta(Engine engine, Buffer cur) {
        this.engine = engine;
        this.cur = cur;
    }

    Buffer next() {
        if (next == null) next = engine.allocate(cur.length());
        return next;
    }

    void swap() {
        Buffer x = cur;
        cur = next;
        next = x;
    }
}
