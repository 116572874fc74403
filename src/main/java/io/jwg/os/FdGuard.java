package io.jwg.os;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps native file descriptors open while calls use them, so that a concurrent close cannot make a blocked
 * or in-flight call use a closed (and possibly reused) descriptor number.
 *
 * <p>Every call on the descriptor brackets itself with {@link #tryAcquire()} / {@link #release()}. Closing
 * is {@link #beginClose()} (which also counts as an acquisition: the closer may still use the descriptor,
 * e.g. to wake blocked threads) followed by {@link #release()}; the release that brings the count to zero
 * after closing began runs the closer, exactly once.
 */
public final class FdGuard {
    private static final int CLOSED = 1;
    private static final int ONE = 2;

    /** (number of users << 1) | CLOSED */
    private final AtomicInteger state = new AtomicInteger();
    private final Runnable closer;

    public FdGuard(Runnable closer) {
        this.closer = closer;
    }

    /** Registers a user; false if closing has begun. */
    public boolean tryAcquire() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + ONE)) {
                return true;
            }
        }
    }

    /** Unregisters a user; the last one out after {@link #beginClose()} closes the descriptors. */
    public void release() {
        if (state.addAndGet(-ONE) == CLOSED) {
            closer.run();
        }
    }

    /** Marks closed and registers the caller as a user; false (and not registered) if already closing. */
    public boolean beginClose() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, (s | CLOSED) + ONE)) {
                return true;
            }
        }
    }

    public boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }
}
