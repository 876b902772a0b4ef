package dev.descent.engine.simd;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The SIMD engine's worker threads (daemons, made as needed), shared by the passes over blocks and the matrix products. */
final class Threads {
    private Threads() {}

    static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "descent-simd");
        t.setDaemon(true);
        return t;
    });

    /** Waits for every part; a part's exception is thrown here (unchecked as it was, else wrapped). */
    static void awaitAll(List<Future<?>> parts) {
        try {
            for (Future<?> f : parts) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }
}
