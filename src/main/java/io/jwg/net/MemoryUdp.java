package io.jwg.net;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@link UdpTransport} for tests without root: instances opened on the same {@link Network}
 * exchange datagrams by {@link Endpoint}, like UDP sockets on one LAN.
 *
 * <pre>{@code
 * MemoryUdp.Network net = new MemoryUdp.Network();
 * MemoryUdp a = net.open("10.0.0.1", 51820);
 * MemoryUdp b = net.open("10.0.0.2", 0);   // 0: a free port is picked
 * a.send(batch, 1);                         // to b.endpoint()
 * }</pre>
 *
 * Delivery is immediate and in order; datagrams to an endpoint nobody is bound to are dropped silently, as
 * are datagrams arriving at a full receive queue or rejected by the network's {@link Filter} (which tests
 * can use to drop, count or inspect traffic). Data is copied on send.
 */
public final class MemoryUdp implements UdpTransport {

    /** Decides whether a datagram is delivered (tests: loss, blocking, inspection). */
    @FunctionalInterface
    public interface Filter {
        boolean deliver(Endpoint from, Endpoint to, byte[] data, int offset, int length);
    }

    /** A shared in-memory network that {@link MemoryUdp} instances attach to. */
    public static final class Network {
        private final ConcurrentHashMap<Endpoint, MemoryUdp> bound = new ConcurrentHashMap<>();
        private final int queueCapacity;
        private volatile Filter filter = (from, to, data, off, len) -> true;
        private final AtomicLong delivered = new AtomicLong();
        private final AtomicLong dropped = new AtomicLong();

        public Network() {
            this(4096);
        }

        /** A network whose instances queue at most {@code queueCapacity} unreceived datagrams each. */
        public Network(int queueCapacity) {
            if (queueCapacity <= 0) {
                throw new IllegalArgumentException("queueCapacity must be positive");
            }
            this.queueCapacity = queueCapacity;
        }

        /** Binds a transport to {@code address:port} (port 0: a free port in 49152-65535). */
        public MemoryUdp open(InetAddress address, int port) throws IOException {
            Objects.requireNonNull(address, "address");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("UDP port out of range: " + port);
            }
            if (port != 0) {
                Endpoint ep = Endpoint.of(address, port);
                MemoryUdp u = new MemoryUdp(this, ep, queueCapacity);
                if (bound.putIfAbsent(ep, u) != null) {
                    throw new IOException("UDP port " + port + " is already in use");
                }
                return u;
            }
            for (int attempt = 0; attempt < 10_000; attempt++) {
                Endpoint ep = Endpoint.of(address, ThreadLocalRandom.current().nextInt(49152, 65536));
                MemoryUdp u = new MemoryUdp(this, ep, queueCapacity);
                if (bound.putIfAbsent(ep, u) == null) {
                    return u;
                }
            }
            throw new IOException("no free UDP port on " + address.getHostAddress());
        }

        /** {@link #open(InetAddress, int)} with a numeric address such as {@code "10.0.0.1"} or {@code "fd00::1"}. */
        public MemoryUdp open(String address, int port) throws IOException {
            return open(InetAddress.ofLiteral(address), port);
        }

        /** Replaces the delivery filter (null: deliver everything). */
        public void setFilter(Filter filter) {
            this.filter = filter != null ? filter : (from, to, data, off, len) -> true;
        }

        /** Datagrams delivered to a receive queue so far. */
        public long delivered() {
            return delivered.get();
        }

        /** Datagrams dropped so far (no receiver, filter, full queue). */
        public long dropped() {
            return dropped.get();
        }

        void transmit(Endpoint from, Endpoint to, byte[] data, int off, int len) {
            MemoryUdp dst = bound.get(to);
            if (dst == null || !filter.deliver(from, to, data, off, len)
                    || !dst.enqueue(new Packet(Arrays.copyOfRange(data, off, off + len), from))) {
                dropped.incrementAndGet();
            } else {
                delivered.incrementAndGet();
            }
        }

        void unbind(MemoryUdp u) {
            bound.remove(u.local, u);
        }
    }

    private record Packet(byte[] data, Endpoint from) {}

    private static final Packet CLOSED = new Packet(new byte[0], null);

    private final Network network;
    private final Endpoint local;
    private final ArrayBlockingQueue<Packet> queue;
    private volatile boolean closed;
    private volatile boolean drained;
    private volatile int mark;

    private MemoryUdp(Network network, Endpoint local, int capacity) {
        this.network = network;
        this.local = local;
        this.queue = new ArrayBlockingQueue<>(capacity + 1); // +1 for the close marker
    }

    /** The address this transport is bound to; peers send here. */
    public Endpoint endpoint() {
        return local;
    }

    @Override
    public int port() {
        return local.port();
    }

    private boolean enqueue(Packet p) {
        return !closed && queue.remainingCapacity() > 1 && queue.offer(p);
    }

    @Override
    public int receive(Datagram[] batch) throws IOException {
        if (batch.length == 0) {
            return 0;
        }
        int n = 0;
        while (n == 0) {
            if (closed) {
                return -1;
            }
            Packet p;
            try {
                p = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while receiving on " + local);
            }
            while (p != null) {
                if (p == CLOSED) {
                    queue.offer(CLOSED); // for the other blocked receivers
                    return n > 0 ? n : -1;
                }
                Datagram d = batch[n];
                if (p.data.length <= d.data.length) { // longer ones are dropped, as LinuxUdp does
                    System.arraycopy(p.data, 0, d.data, 0, p.data.length);
                    d.offset = 0;
                    d.length = p.data.length;
                    d.endpoint = p.from;
                    n++;
                }
                p = n < batch.length ? queue.poll() : null;
            }
            drained = queue.isEmpty();
        }
        return n;
    }

    @Override
    public boolean drained() {
        return drained;
    }

    @Override
    public int send(Datagram[] batch, int count) throws IOException {
        Objects.checkFromIndexSize(0, count, batch.length);
        if (closed) {
            throw new ClosedChannelException();
        }
        for (int i = 0; i < count; i++) {
            Datagram d = batch[i];
            Objects.checkFromIndexSize(d.offset, d.length, d.data.length);
            network.transmit(local, Objects.requireNonNull(d.endpoint, "datagram without endpoint"), d.data, d.offset, d.length);
        }
        return count;
    }

    @Override
    public void setMark(int fwmark) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        this.mark = fwmark;
    }

    /** The last mark set with {@link #setMark}. */
    public int mark() {
        return mark;
    }

    /** Unbinds (the port becomes free) and wakes blocked receivers, which return -1. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        network.unbind(this);
        queue.clear();
        queue.offer(CLOSED);
    }

    @Override
    public String toString() {
        return "MemoryUdp[" + local + "]";
    }
}
