package io.jwg.net;

import io.jwg.os.FdGuard;
import io.jwg.os.LibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A {@link UdpTransport} on one Linux UDP socket, through the FFM API.
 *
 * <p>The socket is {@code AF_INET6} with {@code IPV6_V6ONLY=0}, bound to {@code [::]:port}, so IPv4 peers
 * (seen by the kernel as {@code ::ffff:a.b.c.d}) and IPv6 peers share it; if the kernel has no IPv6 at all
 * it falls back to an {@code AF_INET} socket. Datagrams move in batches with {@code recvmmsg(2)} /
 * {@code sendmmsg(2)} through native buffers, copied to and from the callers' {@code byte[]}. The socket
 * is blocking; {@link #close()} calls {@code shutdown(2)}, which wakes blocked receivers and senders, and the
 * descriptor itself is closed when the last in-flight call has returned.
 *
 * <p>Source addresses are looked up in a small cache keyed by the raw sockaddr, so a busy receiver hands out
 * the same {@link Endpoint} instance for the same peer and allocates nothing per datagram.
 *
 * <p>Sticky source: the socket reports each datagram's destination address (IPV6_RECVPKTINFO; IP_PKTINFO on
 * the IPv4-only socket), which becomes the {@link Endpoint}'s source, and a send to an endpoint with a source
 * names it in an IPV6_PKTINFO (IP_PKTINFO) control message, so replies leave from the address the peer's
 * datagrams arrived at, not from the kernel's preferred one. If the kernel refuses that address (removed from
 * the host), the datagram goes out without it, and later sends skip it until a datagram arrives at it again.
 *
 * <p>The socket is created in the network namespace of the calling thread.
 */
public final class LinuxUdp implements UdpTransport {

    /** Most datagrams moved by one recvmmsg/sendmmsg call. */
    public static final int MAX_BATCH = 128;
    /** Requested socket buffer sizes (as wireguard-go: 7 MiB; forced when allowed). */
    static final int SOCKET_BUFFER = 7 << 20;

    // struct mmsghdr { struct msghdr { name, namelen, iov, iovlen, control, controllen, flags }; msg_len }
    static final long MMSGHDR_SIZE = 64;
    static final long OFF_NAME = 0;
    static final long OFF_NAMELEN = 8;
    static final long OFF_IOV = 16;
    static final long OFF_IOVLEN = 24;
    static final long OFF_CONTROL = 32;
    static final long OFF_CONTROLLEN = 40;
    static final long OFF_FLAGS = 48;
    /**
     * Control buffer of each message. Receive: the kernel's UDP_GRO cmsg (CMSG_SPACE(4) = 24) then its
     * IPV6_PKTINFO cmsg (CMSG_SPACE(20) = 40). Send: a UDP_SEGMENT cmsg at 0, a PKTINFO cmsg at 24.
     */
    static final long CTRL_SPACE = 64;
    /** cmsghdr (16 bytes) + a u16 gso_size, padded: CMSG_SPACE(2). */
    static final long CMSG_GSO_SPACE = 24;
    static final long CMSG_GSO_LEN = 18;
    static final long CMSG_HDR = 16;
    /** Where a send's PKTINFO cmsg starts in its control buffer. */
    static final long CTRL_SOURCE = CMSG_GSO_SPACE;
    /** CMSG_LEN / CMSG_SPACE of struct in6_pktinfo (20 bytes) and of struct in_pktinfo (12 bytes). */
    static final long CMSG_PKTINFO6_LEN = 36;
    static final long CMSG_PKTINFO6_SPACE = 40;
    static final long CMSG_PKTINFO4_LEN = 28;
    static final long CMSG_PKTINFO4_SPACE = 32;
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    static final int UDP_GRO = 104;
    /** Messages per recvmmsg with GRO: each may hold a whole coalesced burst (up to 64 KB). */
    static final int GRO_MESSAGES = 8;
    /** Segments per GSO send: the kernel's UDP_MAX_SEGMENTS is 64 (128 on newer kernels). */
    static final int GSO_MAX_SEGMENTS = 64;
    /** Payload bytes per GSO send (a UDP datagram's limit, with room for headers). */
    static final int GSO_MAX_BYTES = 65_000;
    static final long OFF_MSGLEN = 56;
    static final long IOVEC_SIZE = 16;
    static final long NAME_STRIDE = 32; // sockaddr_in6 (28) rounded up
    static final int MAX_SLOT = 65536;

    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final int fd;
    private final boolean ipv6;
    private final int port;
    private final FdGuard guard;
    private final EndpointCache cache = new EndpointCache();
    /**
     * Whether received datagrams report their destination address (PKTINFO), the endpoints' sources; off
     * with -Djwg.udp.nosticky=true (to compare).
     */
    private final boolean sticky;
    /**
     * A source address the kernel refused (no longer on the host): sends leave it out, instead of failing
     * and retrying each time, until a datagram arrives at that address again. Null: none.
     */
    private volatile Endpoint refusedSource;
    /** UDP GSO (UDP_SEGMENT) on send; turned off for good if the kernel refuses it. */
    private volatile boolean gso = !Boolean.getBoolean("jwg.udp.nogso");
    /**
     * UDP GRO (UDP_GRO) on receive: datagrams of one burst from one source arrive as one message,
     * which {@link #receive} cuts up again, so the kernel handles one buffer instead of dozens.
     */
    private final boolean gro;
    /** With GRO: the one receive scratch, and where cutting up its last batch of messages stopped. */
    private final Object groLock = new Object();
    private Scratch groScratch;
    private int groCount;
    private int groMessage;
    private int groOffset;
    /** What {@link #drained} reports: the last receive got fewer messages than it asked for, and none is left to cut up. */
    private volatile boolean drained;
    private final AtomicReferenceArray<Scratch> recvPool = new AtomicReferenceArray<>(4);
    private final AtomicReferenceArray<Scratch> sendPool = new AtomicReferenceArray<>(8);
    /** Every scratch not yet freed; freed when the descriptor is closed. */
    private final List<Scratch> allScratch = new ArrayList<>();

    private LinuxUdp(int fd, boolean ipv6, int port, boolean gro, boolean sticky) {
        this.fd = fd;
        this.ipv6 = ipv6;
        this.port = port;
        this.gro = gro;
        this.sticky = sticky;
        this.guard = new FdGuard(this::closeNow);
    }

    /**
     * Opens a UDP socket on {@code port} (0: any free port) for IPv4 and IPv6.
     *
     * @throws IOException "UDP port N is already in use" and the like, one line
     */
    public static LinuxUdp open(int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("UDP port out of range: " + port);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = LibC.allocateState(arena);
            boolean v6 = true;
            int fd = LibC.socket(st, LibC.AF_INET6, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
            if (fd < 0 && LibC.errno(st) == LibC.EAFNOSUPPORT) {
                v6 = false;
                fd = LibC.socket(st, LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
            }
            if (fd < 0) {
                throw LibC.error("cannot create a UDP socket", LibC.errno(st));
            }
            try {
                if (v6 && LibC.setsockopt(st, fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, 0) != 0) {
                    throw LibC.error("setsockopt(IPV6_V6ONLY=0)", LibC.errno(st));
                }
                // Large buffers absorb bursts; the *FORCE variants need CAP_NET_ADMIN and ignore rmem_max.
                if (LibC.setsockopt(st, fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, SOCKET_BUFFER) != 0) {
                    LibC.setsockopt(st, fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, SOCKET_BUFFER);
                }
                if (LibC.setsockopt(st, fd, LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, SOCKET_BUFFER) != 0) {
                    LibC.setsockopt(st, fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, SOCKET_BUFFER);
                }
                MemorySegment sa = arena.allocate(NAME_STRIDE, 8);
                int salen;
                if (v6) {
                    sa.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_INET6);
                    sa.set(BE_SHORT, 2, (short) port); // address [::], flowinfo and scope 0
                    salen = Endpoint.SOCKADDR_IN6_SIZE;
                } else {
                    sa.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_INET);
                    sa.set(BE_SHORT, 2, (short) port);
                    salen = Endpoint.SOCKADDR_IN_SIZE;
                }
                if (LibC.bind(st, fd, sa, salen) != 0) {
                    int e = LibC.errno(st);
                    throw switch (e) {
                        case LibC.EADDRINUSE -> new IOException("UDP port " + port + " is already in use");
                        case LibC.EACCES, LibC.EPERM -> new IOException("permission denied binding UDP port " + port
                                + " (ports below 1024 need root or CAP_NET_BIND_SERVICE)");
                        default -> LibC.error("cannot bind UDP port " + port, e);
                    };
                }
                MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, (int) NAME_STRIDE);
                if (LibC.getsockname(st, fd, sa, len) != 0) {
                    throw LibC.error("getsockname", LibC.errno(st));
                }
                int actual = Short.toUnsignedInt(sa.get(BE_SHORT, 2));
                boolean gro = !Boolean.getBoolean("jwg.udp.nogro")
                        && LibC.setsockopt(st, fd, SOL_UDP, UDP_GRO, 1) == 0;
                // on the dual-stack socket, IPv4 datagrams report theirs as a v4-mapped IPV6_PKTINFO
                boolean sticky = !Boolean.getBoolean("jwg.udp.nosticky") && (v6
                        ? LibC.setsockopt(st, fd, LibC.IPPROTO_IPV6, LibC.IPV6_RECVPKTINFO, 1) == 0
                        : LibC.setsockopt(st, fd, LibC.IPPROTO_IP, LibC.IP_PKTINFO, 1) == 0);
                return new LinuxUdp(fd, v6, actual, gro, sticky);
            } catch (IOException | RuntimeException e) {
                LibC.close(fd);
                throw e;
            }
        }
    }

    @Override
    public int port() {
        return port;
    }

    /** True while sends use UDP GSO (false after the kernel refused it, or with -Djwg.udp.nogso=true). */
    public boolean gsoEnabled() {
        return gso;
    }

    /** True if received bursts arrive coalesced (UDP_GRO; off with -Djwg.udp.nogro=true). */
    public boolean groEnabled() {
        return gro;
    }

    /** True if received endpoints carry the local address they arrived at, which replies then leave from. */
    public boolean stickySources() {
        return sticky;
    }

    /** The source address sends currently leave out because the kernel refused it (for tests), or null. */
    Endpoint refusedSource() {
        return refusedSource;
    }

    /** True if the socket is dual-stack AF_INET6 (false only on kernels without IPv6). */
    public boolean isDualStack() {
        return ipv6;
    }

    // ------------------------------------------------------------------------------------------ scratch

    /** Native memory for one batch call: mmsghdr array, iovecs, sockaddrs and packet buffers. */
    private static final class Scratch {
        final Arena arena = Arena.ofShared();
        final int slots;
        final int slotSize;
        final MemorySegment state;
        final MemorySegment hdrs;
        final MemorySegment iovs;
        final MemorySegment names;
        final MemorySegment bufs;
        /** hdrs sliced at each index, so a partial sendmmsg can resume without allocating. */
        final MemorySegment[] hdrFrom;
        /** Each iovec and each message's control buffer (and its PKTINFO part), sliced once. */
        final MemorySegment[] iovAt;
        final MemorySegment[] ctrlAt;
        final MemorySegment[] sourceCtrlAt;
        final MemorySegment ctrls;
        /** Datagrams carried by each message of a GSO send. */
        final int[] runLen;
        /** Send: the endpoint whose source each message names in a PKTINFO cmsg, or null. */
        final Endpoint[] sourceOf;
        /** Receive: what {@link #readControl} found in a message's control buffer. */
        long rxSrcHi;
        long rxSrcLo;
        int rxIfindex;
        int rxSegment;

        Scratch(int slots, int slotSize, boolean ipv6) {
            this.slots = slots;
            this.slotSize = slotSize;
            state = LibC.allocateState(arena);
            hdrs = arena.allocate(MMSGHDR_SIZE * slots, 8);
            iovs = arena.allocate(IOVEC_SIZE * slots, 8);
            names = arena.allocate(NAME_STRIDE * slots, 8);
            bufs = arena.allocate((long) slotSize * slots, 64);
            hdrFrom = new MemorySegment[slots];
            iovAt = new MemorySegment[slots];
            ctrlAt = new MemorySegment[slots];
            sourceCtrlAt = new MemorySegment[slots];
            ctrls = arena.allocate(CTRL_SPACE * slots, 8);
            runLen = new int[slots];
            sourceOf = new Endpoint[slots];
            for (int i = 0; i < slots; i++) {
                iovAt[i] = iovs.asSlice(i * IOVEC_SIZE, IOVEC_SIZE);
                ctrlAt[i] = ctrls.asSlice(i * CTRL_SPACE, CTRL_SPACE);
                sourceCtrlAt[i] = ctrlAt[i].asSlice(CTRL_SOURCE);
                // the send cmsg headers; a receive overwrites them, but send and receive scratches are apart
                ctrlAt[i].set(ValueLayout.JAVA_LONG, 0, CMSG_GSO_LEN);
                ctrlAt[i].set(ValueLayout.JAVA_INT, 8, SOL_UDP);
                ctrlAt[i].set(ValueLayout.JAVA_INT, 12, UDP_SEGMENT);
                sourceCtrlAt[i].set(ValueLayout.JAVA_LONG, 0, ipv6 ? CMSG_PKTINFO6_LEN : CMSG_PKTINFO4_LEN);
                sourceCtrlAt[i].set(ValueLayout.JAVA_INT, 8, ipv6 ? LibC.IPPROTO_IPV6 : LibC.IPPROTO_IP);
                sourceCtrlAt[i].set(ValueLayout.JAVA_INT, 12, ipv6 ? LibC.IPV6_PKTINFO : LibC.IP_PKTINFO);
                long h = i * MMSGHDR_SIZE;
                hdrs.set(ValueLayout.ADDRESS, h + OFF_NAME, names.asSlice(i * NAME_STRIDE, NAME_STRIDE));
                hdrs.set(ValueLayout.ADDRESS, h + OFF_IOV, iovs.asSlice(i * IOVEC_SIZE, IOVEC_SIZE));
                hdrs.set(ValueLayout.JAVA_LONG, h + OFF_IOVLEN, 1L);
                iovs.set(ValueLayout.ADDRESS, i * IOVEC_SIZE, bufs.asSlice((long) i * slotSize, slotSize));
                hdrFrom[i] = hdrs.asSlice(h);
            }
        }

        boolean fits(int needSlots, int needSize) {
            return slots >= needSlots && slotSize >= needSize;
        }

        void setIovLen(int i, long len) {
            iovs.set(ValueLayout.JAVA_LONG, i * IOVEC_SIZE + 8, len);
        }

        void setNameLen(int i, int len) {
            hdrs.set(ValueLayout.JAVA_INT, i * MMSGHDR_SIZE + OFF_NAMELEN, len);
        }

        int nameLen(int i) {
            return hdrs.get(ValueLayout.JAVA_INT, i * MMSGHDR_SIZE + OFF_NAMELEN);
        }

        int msgLen(int i) {
            return hdrs.get(ValueLayout.JAVA_INT, i * MMSGHDR_SIZE + OFF_MSGLEN);
        }

        int msgFlags(int i) {
            return hdrs.get(ValueLayout.JAVA_INT, i * MMSGHDR_SIZE + OFF_FLAGS);
        }
    }

    private Scratch take(AtomicReferenceArray<Scratch> pool, int slots, int size) {
        for (int i = 0; i < pool.length(); i++) {
            Scratch s = pool.getAndSet(i, null);
            if (s != null) {
                if (s.fits(slots, size)) {
                    return s;
                }
                slots = Math.max(slots, s.slots);
                size = Math.max(size, s.slotSize);
                free(s);
                break;
            }
        }
        Scratch s = new Scratch(slots, Math.min(MAX_SLOT, Math.max(2048, (size + 2047) & ~2047)), ipv6);
        synchronized (allScratch) {
            allScratch.add(s);
        }
        return s;
    }

    private void give(AtomicReferenceArray<Scratch> pool, Scratch s) {
        for (int i = 0; i < pool.length(); i++) {
            if (pool.compareAndSet(i, null, s)) {
                return;
            }
        }
        free(s);
    }

    private void free(Scratch s) {
        synchronized (allScratch) {
            allScratch.remove(s);
        }
        s.arena.close();
    }

    // ------------------------------------------------------------------------------------------ receive

    @Override
    public int receive(Datagram[] batch) throws IOException {
        if (batch.length == 0) {
            return 0;
        }
        if (!guard.tryAcquire()) {
            return -1;
        }
        if (gro) {
            try {
                synchronized (groLock) {
                    return receiveCoalesced(batch);
                }
            } finally {
                guard.release();
            }
        }
        Scratch s = null;
        try {
            int vlen = Math.min(batch.length, MAX_BATCH);
            int need = 0;
            for (int i = 0; i < vlen; i++) {
                need = Math.max(need, batch[i].data.length);
            }
            s = take(recvPool, vlen, Math.min(need, MAX_SLOT));
            for (int i = 0; i < vlen; i++) {
                s.setIovLen(i, Math.min(batch[i].data.length, s.slotSize));
            }
            while (true) {
                for (int i = 0; i < vlen; i++) {
                    s.setNameLen(i, (int) NAME_STRIDE);
                    s.hdrs.set(ValueLayout.ADDRESS, i * MMSGHDR_SIZE + OFF_CONTROL, s.ctrlAt[i]);
                    s.hdrs.set(ValueLayout.JAVA_LONG, i * MMSGHDR_SIZE + OFF_CONTROLLEN, CTRL_SPACE);
                }
                int n = receiveMessages(s, vlen);
                if (n < 0) {
                    return -1;
                }
                drained = n < vlen;
                int out = 0;
                for (int i = 0; i < n; i++) {
                    int len = s.msgLen(i);
                    if ((s.msgFlags(i) & LibC.MSG_TRUNC) != 0) {
                        continue; // longer than the caller's buffer
                    }
                    if (s.nameLen(i) == 0) {
                        continue; // no source: the empty "datagram" recvmmsg reports after shutdown()
                    }
                    Datagram d = batch[out];
                    if (len > d.data.length) {
                        continue; // only with mixed-size batches
                    }
                    readControl(s, i);
                    Endpoint ep = source(s, i);
                    if (ep == null) {
                        continue;
                    }
                    MemorySegment.copy(s.bufs, ValueLayout.JAVA_BYTE, (long) i * s.slotSize, d.data, 0, len);
                    d.offset = 0;
                    d.length = len;
                    d.endpoint = ep;
                    out++;
                }
                if (out > 0) {
                    return out;
                }
                if (guard.isClosed()) {
                    return -1;
                }
            }
        } finally {
            if (s != null) {
                give(recvPool, s);
            }
            guard.release();
        }
    }

    /**
     * Receive with UDP GRO: up to {@link #GRO_MESSAGES} messages per recvmmsg, each either one datagram
     * or a burst of equal-size datagrams (the last may be shorter) whose size a UDP_GRO control message
     * gives. Fills the caller's batch from where the previous call stopped; a burst larger than the
     * batch is finished by the next call. Called with groLock held.
     */
    private int receiveCoalesced(Datagram[] batch) throws IOException {
        if (groScratch == null) {
            groScratch = take(recvPool, GRO_MESSAGES, MAX_SLOT);
            for (int i = 0; i < GRO_MESSAGES; i++) {
                groScratch.setIovLen(i, groScratch.slotSize);
                groScratch.hdrs.set(ValueLayout.ADDRESS, i * MMSGHDR_SIZE + OFF_CONTROL, groScratch.ctrlAt[i]);
            }
        }
        Scratch s = groScratch;
        while (true) {
            if (groMessage >= groCount) {
                for (int i = 0; i < GRO_MESSAGES; i++) {
                    s.setNameLen(i, (int) NAME_STRIDE);
                    s.hdrs.set(ValueLayout.JAVA_LONG, i * MMSGHDR_SIZE + OFF_CONTROLLEN, CTRL_SPACE);
                }
                int n = receiveMessages(s, GRO_MESSAGES);
                if (n < 0) {
                    return -1;
                }
                groCount = n;
                groMessage = 0;
                groOffset = 0;
                drained = n < GRO_MESSAGES;
            }
            int out = 0;
            while (groMessage < groCount && out < batch.length) {
                int i = groMessage;
                int len = s.msgLen(i);
                Endpoint ep = null;
                if (s.nameLen(i) != 0 && (s.msgFlags(i) & LibC.MSG_TRUNC) == 0) {
                    readControl(s, i);
                    ep = source(s, i);
                }
                if (ep == null) { // no source (the empty message after shutdown()), truncated, or another family
                    groMessage++;
                    groOffset = 0;
                    continue;
                }
                int segment = s.rxSegment > 0 ? s.rxSegment : Math.max(len, 1);
                long base = (long) i * s.slotSize;
                while (groOffset < len && out < batch.length) {
                    int k = Math.min(segment, len - groOffset);
                    Datagram d = batch[out];
                    if (k <= d.data.length) {
                        MemorySegment.copy(s.bufs, ValueLayout.JAVA_BYTE, base + groOffset, d.data, 0, k);
                        d.offset = 0;
                        d.length = k;
                        d.endpoint = ep;
                        out++;
                    }
                    groOffset += k;
                }
                if (groOffset >= len) {
                    groMessage++;
                    groOffset = 0;
                }
            }
            if (out > 0) {
                if (groMessage < groCount) {
                    drained = false;
                }
                return out;
            }
            if (guard.isClosed()) {
                return -1;
            }
        }
    }

    @Override
    public boolean drained() {
        return drained;
    }

    /**
     * Walks message i's control messages (as CMSG_NXTHDR does): the UDP_GRO segment size into
     * {@code s.rxSegment} (0: none), the local address the datagram arrived at (IPV6_PKTINFO or IP_PKTINFO)
     * into {@code s.rxSrcHi/rxSrcLo} (both 0: none or unusable as a source) and its interface into
     * {@code s.rxIfindex}.
     */
    private static void readControl(Scratch s, int i) {
        s.rxSegment = 0;
        s.rxSrcHi = 0;
        s.rxSrcLo = 0;
        s.rxIfindex = 0;
        long controlLen = Math.min(s.hdrs.get(ValueLayout.JAVA_LONG, i * MMSGHDR_SIZE + OFF_CONTROLLEN), CTRL_SPACE);
        MemorySegment c = s.ctrlAt[i];
        long off = 0;
        while (off + CMSG_HDR <= controlLen) {
            long len = c.get(ValueLayout.JAVA_LONG, off);
            if (len < CMSG_HDR || len > controlLen - off) {
                return; // malformed: keep what was found
            }
            int level = c.get(ValueLayout.JAVA_INT, off + 8);
            int type = c.get(ValueLayout.JAVA_INT, off + 12);
            long data = off + CMSG_HDR;
            if (level == SOL_UDP && type == UDP_GRO && len >= CMSG_HDR + 4) {
                s.rxSegment = Math.max(0, c.get(ValueLayout.JAVA_INT, data));
            } else if (level == LibC.IPPROTO_IPV6 && type == LibC.IPV6_PKTINFO && len >= CMSG_PKTINFO6_LEN) {
                long hi = c.get(BE_LONG, data); // struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; }
                long lo = c.get(BE_LONG, data + 8);
                if (usableSource(hi, lo)) {
                    s.rxSrcHi = hi;
                    s.rxSrcLo = lo;
                    s.rxIfindex = c.get(ValueLayout.JAVA_INT, data + 16);
                }
            } else if (level == LibC.IPPROTO_IP && type == LibC.IP_PKTINFO && len >= CMSG_PKTINFO4_LEN) {
                // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }: spec_dst is the
                // local address (the destination, or for a broadcast the interface's address)
                long lo = Endpoint.V4_MAPPED_PREFIX | (c.get(BE_INT, data + 4) & 0xffff_ffffL);
                if (usableSource(0, lo)) {
                    s.rxSrcLo = lo;
                    s.rxIfindex = c.get(ValueLayout.JAVA_INT, data);
                }
            }
            off += (len + 7) & ~7L;
        }
    }

    /** Whether a datagram's destination can be a reply's source: not unspecified, multicast or broadcast. */
    private static boolean usableSource(long hi, long lo) {
        if (Endpoint.isV4Mapped(hi, lo)) {
            int v4 = (int) lo;
            return v4 != 0 && v4 != -1 && (v4 >>> 28) != 0xe;
        }
        return (hi != 0 || lo != 0) && (hi >>> 56) != 0xff;
    }

    /**
     * The Endpoint for message i's sockaddr and the source {@link #readControl} found, from the cache when
     * possible; null for other families.
     */
    private Endpoint source(Scratch s, int i) {
        MemorySegment names = s.names;
        long off = i * NAME_STRIDE;
        short family = names.get(ValueLayout.JAVA_SHORT, off);
        int p = Short.toUnsignedInt(names.get(BE_SHORT, off + 2));
        long hi;
        long lo;
        int scope;
        if (family == LibC.AF_INET6) {
            hi = names.get(BE_LONG, off + 8);
            lo = names.get(BE_LONG, off + 16);
            scope = names.get(ValueLayout.JAVA_INT, off + 24);
        } else if (family == LibC.AF_INET) {
            hi = 0;
            lo = Endpoint.V4_MAPPED_PREFIX | (names.get(BE_INT, off + 4) & 0xffff_ffffL);
            scope = 0;
        } else {
            return null;
        }
        long srcHi = s.rxSrcHi;
        long srcLo = s.rxSrcLo;
        Endpoint refused = refusedSource;
        if (refused != null && refused.srcLo == srcLo && refused.srcHi == srcHi) {
            refusedSource = null; // the address is back: replies may leave from it again
        }
        return cache.get(hi, lo, p, scope, srcHi, srcLo, s.rxIfindex);
    }

    // ------------------------------------------------------------------------------------------ send

    @Override
    public int send(Datagram[] batch, int count) throws IOException {
        Objects.checkFromIndexSize(0, count, batch.length);
        if (count == 0) {
            return 0;
        }
        if (!guard.tryAcquire()) {
            throw new ClosedChannelException();
        }
        Scratch s = null;
        try {
            int slots = Math.min(count, MAX_BATCH);
            int need = 0;
            for (int i = 0; i < count; i++) {
                need = Math.max(need, batch[i].length);
            }
            if (need > MAX_SLOT) {
                throw new IOException("datagram of " + need + " bytes is larger than UDP allows");
            }
            s = take(sendPool, slots, need);
            int sent = 0;
            for (int i = 0; i < count; ) {
                int m = Math.min(count - i, s.slots);
                int r = gso ? sendChunkGso(s, batch, i, m) : sendChunk(s, batch, i, m);
                if (r < 0) { // the kernel refused GSO: never try it again, resend this chunk plainly
                    gso = false;
                    r = sendChunk(s, batch, i, m);
                }
                sent += r;
                i += m;
            }
            return sent;
        } finally {
            if (s != null) {
                give(sendPool, s);
            }
            guard.release();
        }
    }

    private void setName(Scratch s, int k, Endpoint ep) {
        long nameOff = k * NAME_STRIDE;
        if (ipv6) {
            ep.writeSockaddr6(s.names, nameOff);
            s.setNameLen(k, Endpoint.SOCKADDR_IN6_SIZE);
        } else if (ep.isIPv4()) {
            ep.writeSockaddr4(s.names, nameOff);
            s.setNameLen(k, Endpoint.SOCKADDR_IN_SIZE);
        } else {
            ep.writeSockaddr6(s.names, nameOff); // the kernel will refuse it; skipped below
            s.setNameLen(k, Endpoint.SOCKADDR_IN6_SIZE);
        }
    }

    /**
     * Message k's control messages: a UDP_SEGMENT with {@code gsoSize} (0: none) and, if the endpoint has a
     * source the kernel has not refused, a PKTINFO naming it.
     */
    private void setControl(Scratch s, int k, Endpoint ep, int gsoSize, Endpoint refused) {
        MemorySegment c = s.ctrlAt[k];
        boolean source = sticky && ep.hasSource() && !ep.sameSource(refused);
        if (gsoSize > 0) {
            c.set(ValueLayout.JAVA_SHORT_UNALIGNED, CMSG_HDR, (short) gsoSize);
        }
        long sourceSpace = 0;
        if (source) {
            // interface 0: only the address is asked for; the route still picks the interface (as the kernel's
            // WireGuard does), while a forced interface would misroute once the routes changed
            long d = CTRL_SOURCE + CMSG_HDR;
            if (ipv6) { // struct in6_pktinfo (v4-mapped for IPv4)
                c.set(BE_LONG, d, ep.srcHi);
                c.set(BE_LONG, d + 8, ep.srcLo);
                c.set(ValueLayout.JAVA_INT, d + 16, 0);
                sourceSpace = CMSG_PKTINFO6_SPACE;
            } else { // struct in_pktinfo: the source in ipi_spec_dst
                c.set(ValueLayout.JAVA_INT, d, 0);
                c.set(BE_INT, d + 4, (int) ep.srcLo);
                c.set(BE_INT, d + 8, 0);
                sourceSpace = CMSG_PKTINFO4_SPACE;
            }
        }
        s.sourceOf[k] = source ? ep : null;
        long h = k * MMSGHDR_SIZE;
        long len = (gsoSize > 0 ? CMSG_GSO_SPACE : 0) + sourceSpace;
        s.hdrs.set(ValueLayout.ADDRESS, h + OFF_CONTROL, len == 0 ? MemorySegment.NULL : gsoSize > 0 ? c : s.sourceCtrlAt[k]);
        s.hdrs.set(ValueLayout.JAVA_LONG, h + OFF_CONTROLLEN, len);
    }

    /** Takes the PKTINFO out of message k's control messages (keeping a UDP_SEGMENT). */
    private static void dropSource(Scratch s, int k) {
        long h = k * MMSGHDR_SIZE;
        // setControl points a message with a UDP_SEGMENT at its whole buffer, one without at the PKTINFO part
        boolean gso = s.hdrs.get(ValueLayout.ADDRESS, h + OFF_CONTROL).address() == s.ctrlAt[k].address();
        if (gso) {
            s.hdrs.set(ValueLayout.JAVA_LONG, h + OFF_CONTROLLEN, CMSG_GSO_SPACE);
        } else {
            s.hdrs.set(ValueLayout.ADDRESS, h + OFF_CONTROL, MemorySegment.NULL);
            s.hdrs.set(ValueLayout.JAVA_LONG, h + OFF_CONTROLLEN, 0L);
        }
        s.sourceOf[k] = null;
    }

    /** One datagram per message. Returns the datagrams sent. */
    private int sendChunk(Scratch s, Datagram[] batch, int from, int m) throws IOException {
        Endpoint refused = refusedSource;
        for (int j = 0; j < m; j++) {
            Datagram d = batch[from + j];
            Endpoint ep = Objects.requireNonNull(d.endpoint, "datagram without endpoint");
            MemorySegment.copy(d.data, d.offset, s.bufs, ValueLayout.JAVA_BYTE, (long) j * s.slotSize, d.length);
            long h = j * MMSGHDR_SIZE;
            s.hdrs.set(ValueLayout.ADDRESS, h + OFF_IOV, s.iovAt[j]);
            setControl(s, j, ep, 0, refused);
            s.setIovLen(j, d.length);
            setName(s, j, ep);
        }
        return sendMessages(s, m, null);
    }

    /**
     * Consecutive datagrams to the same endpoint with the same length (the last may be shorter)
     * become one message with a UDP_SEGMENT control message: the kernel cuts it into datagrams as
     * late as possible, which saves most of the per-datagram cost of the send path. Returns the
     * datagrams sent, or -1 if the kernel refused GSO (nothing was sent then).
     */
    private int sendChunkGso(Scratch s, Datagram[] batch, int from, int m) throws IOException {
        Endpoint refused = refusedSource;
        int msgs = 0;
        int[] runLen = s.runLen;
        for (int j = 0; j < m; ) {
            Datagram first = batch[from + j];
            Endpoint ep = Objects.requireNonNull(first.endpoint, "datagram without endpoint");
            int size = first.length;
            long base = (long) j * s.slotSize;
            long total = 0;
            int n = 0;
            while (j + n < m && n < GSO_MAX_SEGMENTS) {
                Datagram d = batch[from + j + n];
                if (n > 0 && (d.length > size || !ep.equals(d.endpoint) || total + d.length > GSO_MAX_BYTES)) break;
                MemorySegment.copy(d.data, d.offset, s.bufs, ValueLayout.JAVA_BYTE, base + total, d.length);
                total += d.length;
                n++;
                if (d.length < size) break; // a shorter datagram ends the run
            }
            long h = msgs * MMSGHDR_SIZE;
            s.hdrs.set(ValueLayout.ADDRESS, h + OFF_IOV, s.iovAt[j]);
            s.setIovLen(j, total);
            setControl(s, msgs, ep, n > 1 ? size : 0, refused);
            setName(s, msgs, ep);
            runLen[msgs] = n;
            msgs++;
            j += n;
        }
        return sendMessages(s, msgs, runLen);
    }

    /**
     * sendmmsg of messages [0, msgs); runLen (null: 1 each) says how many datagrams each carries. A message
     * whose source the kernel refuses goes again without it (and so do the later ones with that source).
     */
    private int sendMessages(Scratch s, int msgs, int[] runLen) throws IOException {
        int done = 0, sent = 0;
        Endpoint retriedWithout = null; // the source taken out of message done after the kernel refused it
        while (done < msgs) {
            int r = LibC.sendmmsg(s.state, fd, s.hdrFrom[done], msgs - done, 0);
            if (r > 0) {
                if (retriedWithout != null) { // it went without: the address is gone, not the route
                    refusedSource = retriedWithout;
                    retriedWithout = null;
                }
                for (int k = done; k < done + r; k++) sent += runLen == null ? 1 : runLen[k];
                done += r;
                continue;
            }
            if (guard.isClosed()) {
                throw new AsynchronousCloseException();
            }
            int e = r < 0 ? LibC.errno(s.state) : LibC.EINTR;
            if (e == LibC.EINTR || e == LibC.EAGAIN) {
                continue;
            }
            retriedWithout = null;
            Endpoint withSource = s.sourceOf[done];
            if (withSource != null && refusesSource(e)) {
                for (int k = done; k < msgs; k++) {
                    if (withSource.sameSource(s.sourceOf[k])) dropSource(s, k);
                }
                retriedWithout = withSource;
                continue;
            }
            if (runLen != null && done == 0 && sent == 0 && (e == LibC.EINVAL || e == LibC.EIO || e == LibC.ENOPROTOOPT)
                    && hasGso(s, msgs, runLen)) {
                return -1;
            }
            if (skippable(e)) {
                done++; // drop this message, keep going with the rest
                continue;
            }
            throw LibC.error("sendmmsg on UDP port " + port, e);
        }
        return sent;
    }

    private static boolean hasGso(Scratch s, int msgs, int[] runLen) {
        for (int k = 0; k < msgs; k++) if (runLen[k] > 1) return true;
        return false;
    }

    /**
     * Errors of a send naming a source address that is not (or no longer) on the host: EINVAL for IPv6
     * (as wireguard-go expects), ENETUNREACH for IPv4 (Linux 6.x: no local device has it), EADDRNOTAVAIL
     * and ENODEV to be safe. A real "no route" fails again without the source and is skipped then.
     */
    private static boolean refusesSource(int errno) {
        return errno == LibC.EINVAL || errno == LibC.ENETUNREACH || errno == LibC.EADDRNOTAVAIL || errno == LibC.ENODEV;
    }

    /** Errors that concern one datagram (its destination or size), not the socket. */
    private static boolean skippable(int errno) {
        return switch (errno) {
            case LibC.ENETUNREACH, LibC.EHOSTUNREACH, LibC.ENETDOWN, LibC.EHOSTDOWN, LibC.EMSGSIZE,
                    LibC.EAFNOSUPPORT, LibC.EADDRNOTAVAIL, LibC.EINVAL, LibC.EPERM, LibC.EACCES,
                    LibC.ECONNREFUSED, LibC.ENOBUFS -> true;
            default -> false;
        };
    }

    // ------------------------------------------------------------------------------------------ options, close

    @Override
    public void setMark(int fwmark) throws IOException {
        if (!guard.tryAcquire()) {
            throw new ClosedChannelException();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = LibC.allocateState(arena);
            if (LibC.setsockopt(st, fd, LibC.SOL_SOCKET, LibC.SO_MARK, fwmark) != 0) {
                int e = LibC.errno(st);
                if (e == LibC.EPERM) {
                    throw new IOException("setting the firewall mark (SO_MARK) needs CAP_NET_ADMIN");
                }
                throw LibC.error("setsockopt(SO_MARK=" + Integer.toUnsignedString(fwmark) + ")", e);
            }
        } finally {
            guard.release();
        }
    }

    /** The current SO_MARK (for tests and diagnostics). */
    public int mark() throws IOException {
        if (!guard.tryAcquire()) {
            throw new ClosedChannelException();
        }
        try {
            return LibC.getsockoptInt(fd, LibC.SOL_SOCKET, LibC.SO_MARK);
        } finally {
            guard.release();
        }
    }

    /** Closes the socket; blocked {@link #receive} calls return -1, blocked {@link #send} calls throw. */
    /**
     * Gets the JIT to compile the send and receive paths (sendmmsg/recvmmsg downcalls included) by
     * bouncing small datagrams between two throw-away sockets over loopback. Does nothing if loopback
     * is unusable. Returns the number of round trips made.
     */
    public static long warmUp(int rounds) {
        LinuxUdp a = null;
        LinuxUdp b = null;
        try {
            a = open(0);
            b = open(0);
            Endpoint toB = Endpoint.of(java.net.InetAddress.getLoopbackAddress(), b.port());
            Endpoint toA = Endpoint.of(java.net.InetAddress.getLoopbackAddress(), a.port());
            Datagram[] out = Datagram.batch(1, 2048);
            Datagram[] in = Datagram.batch(4, 2048);
            LinuxUdp x = a;
            LinuxUdp y = b;
            // a lost datagram would leave receive() waiting: close both sockets after a deadline
            Thread watchdog = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    return;
                }
                x.close();
                y.close();
            });
            long n = 0;
            try {
                for (; n < rounds; n++) {
                    out[0].set(out[0].data, 0, 148, toB);
                    if (a.send(out, 1) != 1 || b.receive(in) <= 0) break;
                    out[0].set(out[0].data, 0, 92, toA);
                    if (b.send(out, 1) != 1 || a.receive(in) <= 0) break;
                }
            } finally {
                watchdog.interrupt();
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return 0; // no loopback (e.g. a fresh namespace): nothing to warm here
        } finally {
            if (a != null) a.close();
            if (b != null) b.close();
        }
    }

    /**
     * recvmmsg into the first {@code vlen} headers of {@code s}, waiting for at least one datagram and
     * retrying on EINTR/EAGAIN (a failed call leaves the headers as they were): the number received,
     * or -1 once the socket is closed.
     */
    private int receiveMessages(Scratch s, int vlen) throws IOException {
        while (true) {
            int n = LibC.recvmmsg(s.state, fd, s.hdrs, vlen, LibC.MSG_WAITFORONE);
            if (n > 0) {
                return n;
            }
            if (guard.isClosed()) {
                return -1;
            }
            int e = n < 0 ? LibC.errno(s.state) : LibC.EINTR;
            if (e != LibC.EINTR && e != LibC.EAGAIN) {
                throw LibC.error("recvmmsg on UDP port " + port, e);
            }
        }
    }

    @Override
    public void close() {
        if (!guard.beginClose()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            LibC.shutdown(LibC.allocateState(arena), fd, LibC.SHUT_RDWR); // wakes blocked calls
        } finally {
            guard.release();
        }
    }

    private void closeNow() {
        LibC.close(fd);
        synchronized (allScratch) {
            for (Scratch s : allScratch) {
                s.arena.close();
            }
            allScratch.clear();
        }
    }

    @Override
    public String toString() {
        return "LinuxUdp[port " + port + (ipv6 ? ", dual-stack" : ", IPv4 only") + "]";
    }

    // ------------------------------------------------------------------------------------------ endpoint cache

    /**
     * Recently seen sources (with the local address they reached), 2-way set associative. Racy by design: entries are immutable Endpoints (final
     * fields), so a reader sees either an older or a newer valid entry, and a miss merely allocates.
     */
    static final class EndpointCache {
        static final int SIZE = 4096; // power of two
        private final Endpoint[] table = new Endpoint[SIZE];

        Endpoint get(long hi, long lo, int port, int scope, long srcHi, long srcLo, int srcIfindex) {
            int h = Endpoint.hash(hi, lo, port, scope, srcHi, srcLo, srcIfindex) & (SIZE - 1) & ~1;
            Endpoint e = table[h];
            if (e != null && e.matches(hi, lo, port, scope, srcHi, srcLo, srcIfindex)) {
                return e;
            }
            Endpoint f = table[h + 1];
            if (f != null && f.matches(hi, lo, port, scope, srcHi, srcLo, srcIfindex)) {
                return f;
            }
            Endpoint created = Endpoint.fromKey(hi, lo, port, scope, srcHi, srcLo, srcIfindex);
            // keep the most recently inserted entry in the first way, move the previous one to the second
            table[h + 1] = e;
            table[h] = created;
            return created;
        }
    }
}
