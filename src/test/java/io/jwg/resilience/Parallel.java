package io.jwg.resilience;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a test's variants at the same time, each in its own namespaces: most of their time is spent
 * waiting for protocol timers, so this keeps the suite's wall time down. Every variant runs to its
 * end; then the failures, if any, are reported together, each under its variant's name.
 */
final class Parallel {
    @FunctionalInterface
    interface Variant {
        void run() throws Exception;
    }

    private final Map<String, Variant> variants = new LinkedHashMap<>();

    Parallel add(String name, Variant v) {
        variants.put(name, v);
        return this;
    }

    void run() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(variants.size());
        Map<String, Future<?>> futures = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Variant> e : variants.entrySet()) {
                Variant v = e.getValue();
                futures.put(e.getKey(), pool.submit(() -> {
                    v.run();
                    return null;
                }));
            }
            List<String> failed = new ArrayList<>();
            List<Throwable> causes = new ArrayList<>();
            for (Map.Entry<String, Future<?>> e : futures.entrySet()) {
                try {
                    e.getValue().get();
                } catch (ExecutionException ex) {
                    failed.add(e.getKey() + ": " + ex.getCause());
                    causes.add(ex.getCause());
                }
            }
            if (causes.size() == 1 && variants.size() == 1 && causes.getFirst() instanceof Exception only) throw only;
            if (!causes.isEmpty()) {
                AssertionError err = new AssertionError(causes.size() + " of " + variants.size() + " variants failed:\n  "
                        + String.join("\n  ", failed), causes.getFirst());
                causes.stream().skip(1).forEach(err::addSuppressed);
                throw err;
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
