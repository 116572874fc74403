package io.jwg.net;

import java.io.Closeable;
import java.io.IOException;

/**
 * The UDP side of a WireGuard device: one socket that talks to IPv4 and IPv6 peers, moving datagrams in
 * batches. Implementations are safe for concurrent use (several threads may receive and send at once), and
 * {@link #close()} wakes threads blocked in {@link #receive}.
 */
public interface UdpTransport extends Closeable {

    /** The local UDP port (the one chosen by the system if 0 was requested). */
    int port();

    /**
     * Blocks until at least one datagram arrives, then fills {@code data} (from index 0), {@code offset = 0},
     * {@code length} and {@code endpoint} of the first {@code n} entries of {@code batch} and returns
     * {@code n} (at most {@code batch.length}). Datagrams longer than the receiving array are dropped. In
     * steady state this allocates nothing; the same {@link Endpoint} instance is returned for the same peer.
     *
     * @return the number of datagrams received, or -1 once the transport is closed
     */
    int receive(Datagram[] batch) throws IOException;

    /**
     * Whether the last {@link #receive} emptied the socket: it took every datagram that was waiting,
     * and none is left over inside the transport. A receiver that pauses only after a drained receive
     * does not let the socket's buffer fill. Meaningful with one receiving thread; false when the
     * implementation cannot tell.
     */
    default boolean drained() {
        return false;
    }

    /**
     * Sends {@code batch[0..count)}, each to its {@code endpoint}. Blocks while the socket's send buffer is
     * full. A datagram the kernel refuses for reasons tied to that datagram (no route to its endpoint, too
     * large, address family not usable) is skipped; the others are still sent.
     *
     * @return the number of datagrams handed to the kernel ({@code count} unless some were skipped)
     * @throws java.nio.channels.ClosedChannelException if the transport is closed
     */
    int send(Datagram[] batch, int count) throws IOException;

    /** Sets the firewall mark (SO_MARK) of outgoing packets; 0 removes it. */
    void setMark(int fwmark) throws IOException;
}
