package io.jwg.device;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of the packet pipeline: a single producer (the I/O reader) fills slots in order,
 * any number of workers claim runs of published slots and process them in parallel (the crypto),
 * and whichever worker completes the oldest outstanding slot writes every completed slot in order
 * (the I/O writer), so packets leave in the order they arrived without a dedicated writer thread.
 * Slots are reused: nothing is allocated per packet. A full ring makes the producer wait
 * (back-pressure) instead of growing a queue.
 */
final class PacketRing {
    /** What the workers and the writer do with slots. */
    interface Stage {
        /** Processes one slot (runs on a worker, in parallel with other slots). */
        void process(Packet p);

        /** Writes slots [from, from + count) of the ring in order (one thread at a time). */
        void write(Packet[] ring, int mask, long from, int count);
    }

    static final int MAX_CLAIM = 32;
    static final int MAX_WRITE = 64;
    private static final int SPINS = Integer.getInteger("jwg.spins", 200);

    private final Packet[] slots;
    private final int mask;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong claimed = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicIntegerArray done;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Stage stage;
    private volatile Thread parkedProducer;
    private final AtomicReferenceArray<Thread> parkedWorkers;
    private volatile boolean closed;

    PacketRing(int size, int bufferSize, int workers, Stage stage) {
        if (Integer.bitCount(size) != 1) throw new IllegalArgumentException("ring size must be a power of two");
        slots = new Packet[size];
        for (int i = 0; i < size; i++) slots[i] = new Packet(bufferSize);
        mask = size - 1;
        done = new AtomicIntegerArray(size);
        this.stage = stage;
        this.parkedWorkers = new AtomicReferenceArray<>(workers);
    }

    Packet slot(long seq) {
        return slots[(int) (seq & mask)];
    }

    int capacity() {
        return slots.length;
    }

    // ------------------------------------------------------------ producer side

    /** Waits until at least one slot is free; returns the number of free slots from {@link #nextSeq()}. */
    int awaitFree() {
        for (int spin = 0; ; spin++) {
            int free = (int) (slots.length - (published.get() - written.get()));
            if (free > 0 || closed) return closed ? 0 : free;
            if (spin < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            parkedProducer = Thread.currentThread();
            free = (int) (slots.length - (published.get() - written.get()));
            if (free <= 0 && !closed) LockSupport.parkNanos(this, 10_000_000L);
            parkedProducer = null;
        }
    }

    long nextSeq() {
        return published.get();
    }

    /**
     * True when every published slot has been written: nothing is in flight, so a producer that
     * processes its next few slots itself ({@link #publishAndProcess}) keeps order and wakes no one.
     */
    boolean idle() {
        return written.get() == published.get();
    }

    /**
     * Publishes the next count slots and processes them on the calling thread instead of waking a
     * worker: for a lone packet on an idle pipeline (a ping, an ACK) the hand-off to another thread
     * costs more than the crypto. A worker that happens to be awake may still take them.
     */
    void publishAndProcess(int count) {
        published.addAndGet(count);
        processInline();
    }

    /** Publishes the next count slots to the workers. */
    void publish(int count) {
        published.addAndGet(count);
        if (parkedWorkers.length() == 0) return;
        for (int i = 0; i < parkedWorkers.length(); i++) {
            Thread t = parkedWorkers.get(i);
            if (t != null && parkedWorkers.compareAndSet(i, t, null)) {
                LockSupport.unpark(t);
                break;
            }
        }
    }

    /**
     * Lets the producer process what it just published itself when no worker has claimed it yet:
     * claims all unclaimed slots, processes them and writes whatever is in order. Returns false if
     * a worker got there first.
     */
    boolean processInline() {
        long c = claimed.get();
        long p = published.get();
        if (c == p || !claimed.compareAndSet(c, p)) return false;
        for (long s = c; s < p; s++) processSafely(slots[(int) (s & mask)]);
        for (long s = c; s < p; s++) done.set((int) (s & mask), 1);
        drain();
        return true;
    }

    // ------------------------------------------------------------ worker side

    /** The loop of worker number id; returns when the ring is closed. */
    void runWorker(int id) {
        int idle = 0;
        while (!closed) {
            long c = claimed.get();
            long p = published.get();
            if (p == c) {
                if (++idle < SPINS) {
                    Thread.onSpinWait();
                    continue;
                }
                idle = 0;
                parkedWorkers.set(id, Thread.currentThread());
                if (published.get() == claimed.get() && !closed) LockSupport.parkNanos(this, 10_000_000L);
                parkedWorkers.set(id, null);
                continue;
            }
            idle = 0;
            int n = (int) Math.min(p - c, MAX_CLAIM);
            if (!claimed.compareAndSet(c, c + n)) continue;
            for (int i = 0; i < n; i++) processSafely(slots[(int) ((c + i) & mask)]);
            for (int i = 0; i < n; i++) done.set((int) ((c + i) & mask), 1);
            drain();
        }
    }

    /** A packet whose processing fails is dropped; the worker, and the ring, go on. */
    private void processSafely(Packet p) {
        try {
            stage.process(p);
        } catch (RuntimeException e) {
            p.status = Packet.DROP;
        }
    }

    private void drain() {
        while (true) {
            if (!writeLock.tryLock()) return;
            try {
                long w;
                while ((w = written.get()) < published.get() && done.get((int) (w & mask)) == 1) {
                    int n = 1;
                    while (n < MAX_WRITE && w + n < published.get() && done.get((int) ((w + n) & mask)) == 1) n++;
                    try {
                        stage.write(slots, mask, w, n);
                    } catch (RuntimeException e) {
                        // these packets are lost; the ring goes on
                    } finally {
                        for (int i = 0; i < n; i++) {
                            slots[(int) ((w + i) & mask)].reset();
                            done.set((int) ((w + i) & mask), 0);
                        }
                        written.addAndGet(n);
                        Thread t = parkedProducer;
                        if (t != null) LockSupport.unpark(t);
                    }
                }
            } finally {
                writeLock.unlock();
            }
            long w = written.get();
            if (!(w < published.get() && done.get((int) (w & mask)) == 1)) return;
        }
    }

    void close() {
        closed = true;
        Thread t = parkedProducer;
        if (t != null) LockSupport.unpark(t);
        for (int i = 0; i < parkedWorkers.length(); i++) {
            Thread w = parkedWorkers.get(i);
            if (w != null) LockSupport.unpark(w);
        }
    }
}
