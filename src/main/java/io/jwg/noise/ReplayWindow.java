package io.jwg.noise;

/**
 * The sliding window of received counters (RFC 6479 style, as in the kernel and wireguard-go): a
 * ring of 64-bit blocks remembering the last 2048 - 64 counters. Thread-safe.
 */
public final class ReplayWindow {
    private static final int BLOCK_BITS = 64;
    private static final int RING_BLOCKS = 2048 / BLOCK_BITS;
    public static final long WINDOW_SIZE = (long) (RING_BLOCKS - 1) * BLOCK_BITS;

    private final long[] ring = new long[RING_BLOCKS];
    private long last;

    /**
     * Cheap pre-check before decrypting: false if the counter is over the limit, too old, or already
     * seen. Rejecting a seen counter before authentication is safe: a message carrying it is a replay
     * or a forgery, and both are dropped anyway; it spares the full authentication and decryption of
     * a flood of replayed packets.
     */
    public synchronized boolean mayAccept(long counter) {
        if (Long.compareUnsigned(counter, Constants.REJECT_AFTER_MESSAGES) >= 0) return false;
        if (Long.compareUnsigned(counter, last) > 0) return true;
        if (Long.compareUnsigned(last - counter, WINDOW_SIZE) > 0) return false;
        return (ring[(int) ((counter >>> 6) & (RING_BLOCKS - 1))] & (1L << (counter & 63))) == 0;
    }

    /**
     * Records an authenticated counter. Returns false (and records nothing) when it was already
     * seen, is too old for the window, or is at or beyond REJECT_AFTER_MESSAGES.
     */
    public synchronized boolean accept(long counter) {
        if (Long.compareUnsigned(counter, Constants.REJECT_AFTER_MESSAGES) >= 0) return false;
        long block = counter >>> 6;
        if (Long.compareUnsigned(counter, last) > 0) {
            long current = last >>> 6;
            long diff = Math.min(block - current, RING_BLOCKS);
            for (long i = 1; i <= diff; i++) ring[(int) ((current + i) & (RING_BLOCKS - 1))] = 0;
            last = counter;
        } else if (Long.compareUnsigned(last - counter, WINDOW_SIZE) > 0) { // unsigned: counters are uint64
            return false;
        }
        int idx = (int) (block & (RING_BLOCKS - 1));
        long bit = 1L << (counter & 63);
        long old = ring[idx];
        ring[idx] = old | bit;
        return (old & bit) == 0;
    }
}
