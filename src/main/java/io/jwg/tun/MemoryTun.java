package io.jwg.tun;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@link Tun} for tests that need no root: two packet queues standing in for the kernel.
 *
 * <ul>
 *   <li>The <em>device</em> side is the {@link Tun} interface: {@link #read} takes packets that the test
 *       {@link #inject injected} ("the kernel routed this into the tunnel"), {@link #write} hands packets to
 *       the test ("the tunnel delivered this to the kernel").
 *   <li>The <em>kernel</em> side is used by the test: {@link #inject}, {@link #take}, {@link #poll}.
 * </ul>
 *
 * Each queue holds at most {@code capacity} packets; beyond that, packets are dropped (and counted) as a
 * real interface queue would. Packets are copied on the way in, so callers may reuse their buffers.
 */
public final class MemoryTun implements Tun {
    private static final byte[] CLOSED = new byte[0];

    private final String name;
    private final int capacity;
    private final LinkedBlockingQueue<byte[]> toDevice;
    private final LinkedBlockingQueue<byte[]> toKernel;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    public MemoryTun(String name) {
        this(name, 1024);
    }

    public MemoryTun(String name, int capacity) {
        this.name = Objects.requireNonNull(name, "name");
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.toDevice = new LinkedBlockingQueue<>();
        this.toKernel = new LinkedBlockingQueue<>(capacity);
    }

    @Override
    public String name() {
        return name;
    }

    // ------------------------------------------------------------------------------------------ device side

    @Override
    public int read(byte[] buf, int off, int max) throws IOException {
        Objects.checkFromIndexSize(off, max, buf.length);
        if (closed) {
            return -1;
        }
        byte[] p;
        try {
            p = toDevice.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading from " + name);
        }
        if (p == CLOSED) {
            toDevice.offer(CLOSED); // wake the next blocked reader too
            return -1;
        }
        int n = Math.min(p.length, max);
        System.arraycopy(p, 0, buf, off, n);
        return n;
    }

    @Override
    public int tryRead(byte[] buf, int off, int max) throws IOException {
        Objects.checkFromIndexSize(off, max, buf.length);
        byte[] p = toDevice.poll();
        if (p == null) {
            return 0;
        }
        if (p == CLOSED) {
            toDevice.offer(CLOSED);
            return -1;
        }
        int n = Math.min(p.length, max);
        System.arraycopy(p, 0, buf, off, n);
        return n;
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (closed) {
            throw new ClosedChannelException();
        }
        if (!toKernel.offer(Arrays.copyOfRange(buf, off, off + len))) {
            dropped.incrementAndGet();
        }
    }

    /** Closes the device: blocked and future reads return -1, writes fail; the kernel side still drains. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            toDevice.offer(CLOSED);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------------------------------ kernel side

    /** Queues a packet for {@link #read}; false (dropped) if the queue is full or the device closed. */
    public boolean inject(byte[] packet) {
        return inject(packet, 0, packet.length);
    }

    /** Queues {@code packet[off..off+len)} for {@link #read}; false (dropped) if full or closed. */
    public boolean inject(byte[] packet, int off, int len) {
        Objects.checkFromIndexSize(off, len, packet.length);
        if (closed || toDevice.size() >= capacity) {
            dropped.incrementAndGet();
            return false;
        }
        toDevice.offer(Arrays.copyOfRange(packet, off, off + len));
        return true;
    }

    /** The next packet the device wrote, waiting up to {@code timeout}; null if none arrived in time. */
    public byte[] take(Duration timeout) throws InterruptedException {
        return toKernel.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The next packet the device wrote, or null if there is none right now. */
    public byte[] poll() {
        return toKernel.poll();
    }

    /** Packets written by the device and not yet taken. */
    public int written() {
        return toKernel.size();
    }

    /** Packets dropped because a queue was full (or the device closed). */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public String toString() {
        return "MemoryTun[" + name + "]";
    }
}
