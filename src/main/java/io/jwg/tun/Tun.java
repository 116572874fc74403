package io.jwg.tun;

import java.io.Closeable;
import java.io.IOException;

/**
 * A layer-3 tunnel device carrying plain IP packets (no packet-information header): what {@link #read}
 * returns is exactly one IPv4 or IPv6 packet the kernel routed into the interface, and what is given to
 * {@link #write} is injected into the kernel as if it had arrived on the interface.
 *
 * <p>Implementations are safe for concurrent use: any number of threads may read and write at once, and
 * {@link #close()} from any thread wakes up blocked readers.
 */
public interface Tun extends Closeable {

    /** The interface name, e.g. {@code wg0} (as assigned by the kernel if a pattern was requested). */
    String name();

    /**
     * Blocks until a packet is available and copies it to {@code buf[off..]}. Returns its length, or -1 once
     * the device is closed. {@code max} should be at least the interface MTU; a longer packet is truncated
     * to {@code max} bytes.
     */
    int read(byte[] buf, int off, int max) throws IOException;

    /**
     * Like {@link #read} but never waits: returns 0 when no packet is ready now. Lets a reader take
     * a burst of packets with one wake-up. Implementations without it return 0 (no batching).
     */
    default int tryRead(byte[] buf, int off, int max) throws IOException {
        return 0;
    }

    /** Injects one IP packet ({@code buf[off..off+len)}) into the kernel. */
    void write(byte[] buf, int off, int len) throws IOException;

    /**
     * Injects a batch of packets in order. Implementations may merge TCP segments of one flow into
     * fewer, larger packets for the kernel (GRO). Every packet is attempted even if one fails; the
     * first failure is thrown at the end.
     */
    default void write(PacketBatch batch) throws IOException {
        IOException first = null;
        for (int i = 0; i < batch.size; i++) {
            try {
                write(batch.buffers[i], batch.offsets[i], batch.lengths[i]);
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
