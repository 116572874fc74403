package io.jwg.net;

import java.util.Objects;

/**
 * A mutable, reusable holder for one UDP datagram: {@code data[offset..offset+length)} and the peer it came
 * from or goes to. Allocate a batch once and reuse it for every {@link UdpTransport#receive} /
 * {@link UdpTransport#send} call. Not thread-safe.
 */
public final class Datagram {
    /** The largest UDP payload over IPv4 (65535 - 20 - 8); IPv6 allows 20 bytes more, without jumbograms. */
    public static final int MAX_UDP_PAYLOAD = 65507;

    public final byte[] data;
    public int offset;
    public int length;
    public Endpoint endpoint;

    /** A datagram backed by a new array of {@code capacity} bytes. */
    public Datagram(int capacity) {
        this(new byte[capacity]);
    }

    /** A datagram backed by {@code data}. */
    public Datagram(byte[] data) {
        this.data = Objects.requireNonNull(data, "data");
    }

    /** {@code count} datagrams of {@code capacity} bytes each. */
    public static Datagram[] batch(int count, int capacity) {
        Datagram[] b = new Datagram[count];
        for (int i = 0; i < count; i++) {
            b[i] = new Datagram(capacity);
        }
        return b;
    }

    /** Copies {@code src[off..off+len)} to the start of {@link #data} and sets the endpoint. */
    public Datagram set(byte[] src, int off, int len, Endpoint endpoint) {
        System.arraycopy(src, off, data, 0, len);
        this.offset = 0;
        this.length = len;
        this.endpoint = endpoint;
        return this;
    }

    @Override
    public String toString() {
        return "Datagram[" + length + " bytes, " + endpoint + "]";
    }
}
