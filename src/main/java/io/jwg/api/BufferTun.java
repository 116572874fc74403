package io.jwg.api;

import io.jwg.tun.Tun;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The {@link Tun} of a {@link UserspaceTunnel}: no OS device, the application is the "kernel".
 * Outbound packets ({@link #offer}) wait in a bounded queue for the device's TUN reader; inbound
 * packets ({@link #write}, from the device) go to the handler if one is set, else into a bounded
 * queue for {@link #poll}. Full queues drop packets (counted), as an interface queue would.
 */
final class BufferTun implements Tun {
    private static final byte[] CLOSED = new byte[0];

    private final String name;
    private final int capacity;
    private final LinkedBlockingQueue<byte[]> outbound = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<ByteBuffer> inbound;
    private final AtomicLong outboundDropped = new AtomicLong();
    private final AtomicLong inboundDropped = new AtomicLong();
    private volatile Consumer<ByteBuffer> handler;
    private volatile boolean closed;

    BufferTun(String name, int capacity) {
        this.name = name;
        this.capacity = capacity;
        this.inbound = new LinkedBlockingQueue<>(capacity);
    }

    @Override
    public String name() {
        return name;
    }

    // ------------------------------------------------------------ device side

    @Override
    public int read(byte[] buf, int off, int max) throws IOException {
        if (closed) return -1;
        byte[] p;
        try {
            p = outbound.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading from " + name);
        }
        if (p == CLOSED) {
            outbound.offer(CLOSED);
            return -1;
        }
        int n = Math.min(p.length, max);
        System.arraycopy(p, 0, buf, off, n);
        return n;
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        if (closed) throw new ClosedChannelException();
        Consumer<ByteBuffer> h = handler;
        if (h != null) {
            h.accept(ByteBuffer.wrap(buf, off, len).slice().asReadOnlyBuffer());
            return;
        }
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        if (!inbound.offer(ByteBuffer.wrap(copy))) inboundDropped.incrementAndGet();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        outbound.offer(CLOSED);
    }

    // ------------------------------------------------------------ application side

    /** Queues an outbound packet (copied); false if the queue is full or the tunnel is closed. */
    boolean offer(ByteBuffer packet) {
        if (closed || outbound.size() >= capacity) {
            outboundDropped.incrementAndGet();
            return false;
        }
        byte[] copy = new byte[packet.remaining()];
        packet.get(copy);
        return outbound.offer(copy);
    }

    ByteBuffer poll(long timeout, TimeUnit unit) throws InterruptedException {
        return inbound.poll(timeout, unit);
    }

    void handler(Consumer<ByteBuffer> h) {
        this.handler = h;
        if (h != null) {
            ByteBuffer b;
            while ((b = inbound.poll()) != null) h.accept(b.asReadOnlyBuffer());
        }
    }

    long outboundDropped() {
        return outboundDropped.get();
    }

    long inboundDropped() {
        return inboundDropped.get();
    }
}
