package io.jwg.device;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of dropped packets by {@link DropReason}: one slot per reason in an AtomicLongArray, so
 * counting a drop is one atomic add and allocates nothing. Drops are rare on a healthy tunnel, so
 * contention between crypto workers is not a concern.
 */
public final class DropCounters {
    private final AtomicLongArray counts = new AtomicLongArray(DropReason.count());

    DropCounters() {}

    void increment(DropReason r) {
        counts.getAndIncrement(r.ordinal());
    }

    void add(DropReason r, long n) {
        if (n > 0) counts.getAndAdd(r.ordinal(), n);
    }

    /** Packets dropped for this reason so far. */
    public long get(DropReason r) {
        return counts.get(r.ordinal());
    }

    /** Packets dropped for any reason so far. */
    public long total() {
        long t = 0;
        for (int i = 0; i < counts.length(); i++) t += counts.get(i);
        return t;
    }

    /** A copy of every counter (reasons with no drops included, as 0), in {@link DropReason} order. */
    public Map<DropReason, Long> snapshot() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (int i = 0; i < counts.length(); i++) m.put(DropReason.at(i), counts.get(i));
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
