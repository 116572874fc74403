package io.jwg.noise;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Maps the 32-bit receiver indices we hand out to the tunnel (and keypair) they belong to. An index
 * is a random high part and a slot number in its low bits, so a lookup is one array read and one
 * comparison, with no hashing, boxing or locking on the data path.
 */
public final class IndexTable {
    private static final int SLOT_BITS = 16;
    private static final int SLOTS = 1 << SLOT_BITS;
    private static final int MASK = SLOTS - 1;

    /** What an index points at: the tunnel, and the keypair once the handshake has produced one. */
    public static final class Entry {
        final int index;
        final Tunnel tunnel;
        volatile Keypair keypair;

        Entry(int index, Tunnel tunnel) {
            this.index = index;
            this.tunnel = tunnel;
        }

        public Tunnel tunnel() {
            return tunnel;
        }

        public Keypair keypair() {
            return keypair;
        }
    }

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);
    private final SecureRandom random = new SecureRandom();

    /** Allocates a fresh index for the tunnel's handshake. */
    int allocate(Tunnel tunnel) {
        int start = random.nextInt(SLOTS);
        for (int i = 0; i < SLOTS; i++) {
            int slot = (start + i) & MASK;
            if (slots.get(slot) != null) continue;
            int index = (random.nextInt() & ~MASK) | slot;
            if (slots.compareAndSet(slot, null, new Entry(index, tunnel))) return index;
        }
        throw new IllegalStateException("no free receiver index (" + SLOTS + " in use)");
    }

    /** Points an index at the keypair its handshake produced. */
    void bind(int index, Keypair keypair) {
        Entry e = lookup(index);
        if (e != null) e.keypair = keypair;
    }

    void release(int index) {
        Entry e = lookup(index);
        if (e != null) slots.compareAndSet(index & MASK, e, null);
    }

    /** The entry for an index found in a received message, or null. */
    public Entry lookup(int index) {
        Entry e = slots.get(index & MASK);
        return e != null && e.index == index ? e : null;
    }
}
