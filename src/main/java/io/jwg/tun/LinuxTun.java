package io.jwg.tun;

import io.jwg.os.FdGuard;
import io.jwg.os.LibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A Linux TUN interface ({@code /dev/net/tun}, {@code IFF_TUN | IFF_NO_PI}) driven through the FFM API.
 *
 * <p>The descriptor is non-blocking. {@link #read} first tries {@code read(2)} into a per-thread native
 * buffer and copies the packet into the caller's {@code byte[]}; only when no packet is queued does it block
 * in {@code poll(2)} on the TUN descriptor and an eventfd. (A "critical" downcall reading straight into the
 * heap array was measured as well: it saves the copy but was no faster — the round trip is ~5 us of kernel
 * work either way — and allocates ~70 bytes per call in JDK 25, so it is only available with
 * {@code -Djwg.tun.io=critical}.) {@link #close()} signals that eventfd, which wakes every blocked reader; the descriptors are
 * closed when the last in-flight call has returned, and the interface disappears with them.
 *
 * <p>The interface is created in the network namespace of the calling thread.
 */
public final class LinuxTun implements Tun {

    static final long TUNSETIFF = 0x400454caL; // _IOW('T', 202, int)
    static final short IFF_TUN = 0x0001;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_TUN_EXCL = (short) 0x8000;
    static final short IFF_VNET_HDR = 0x4000;
    static final long TUNSETOFFLOAD = 0x400454d0L; // _IOW('T', 208, unsigned int)
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_USO4 = 0x20;
    static final int TUN_F_USO6 = 0x40;
    static final int IFNAMSIZ = 16;
    static final int IFREQ_SIZE = 40;
    static final int EBADFD = 77;

    /** How packets move between the kernel and the caller's byte[] (see the performance test). */
    enum Io {
        /** read(2)/write(2) directly on the heap array through a critical downcall. */
        CRITICAL,
        /** read(2)/write(2) on a per-thread native buffer, plus a copy. */
        COPY
    }

    private static final Io DEFAULT_IO = "critical".equals(System.getProperty("jwg.tun.io")) ? Io.CRITICAL : Io.COPY;
    /** TSO/GRO through virtio headers; {@code -Djwg.tun.offload=false} turns it off. */
    private static final boolean DEFAULT_OFFLOAD = !"false".equals(System.getProperty("jwg.tun.offload"));
    /** UDP segmentation offload on top (kernel 6.2+); {@code -Djwg.tun.uso=false} turns just that off. */
    private static final boolean DEFAULT_USO = !"false".equals(System.getProperty("jwg.tun.uso"));

    private final String name;
    private final int fd;
    private final int wakeFd;
    private final Io io;
    /** Every packet read or written carries a virtio header (IFF_VNET_HDR). */
    private final boolean vnet;
    /** The kernel hands us TCP super-packets (TSO) and accepts merged ones (GRO). */
    private final boolean tso;
    /** The same for UDP (USO): UDP datagrams of one flow are merged on write. */
    private final boolean uso;
    private final FdGuard guard;

    private LinuxTun(String name, int fd, int wakeFd, Io io, boolean vnet, boolean tso, boolean uso) {
        this.name = name;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.io = io;
        this.vnet = vnet;
        this.tso = tso;
        this.uso = uso;
        this.guard = new FdGuard(() -> {
            LibC.close(fd);
            LibC.close(wakeFd);
        });
    }

    /**
     * Creates a new TUN interface named {@code name} (at most 15 characters; a pattern such as {@code jwg%d}
     * lets the kernel pick a free number) in the calling thread's network namespace. The interface is
     * down and has no addresses; it is removed again when this object is closed.
     *
     * @throws IOException with a one-line explanation if the name is taken, {@code /dev/net/tun} is
     *     missing, or the process lacks CAP_NET_ADMIN
     */
    public static LinuxTun create(String name) throws IOException {
        return create(name, DEFAULT_IO, DEFAULT_OFFLOAD);
    }

    static LinuxTun create(String name, Io io) throws IOException {
        return create(name, io, false);
    }

    /**
     * With {@code offload}, the descriptor carries virtio headers and TCP segmentation offload is
     * switched on: the kernel's TCP stack then sends up to 64 KB per packet into the tunnel, which
     * {@link #read} cuts into MTU-sized segments, and {@link #write(PacketBatch)} merges received
     * segments back into large packets.
     */
    static LinuxTun create(String name, Io io, boolean offload) throws IOException {
        return create(name, io, offload, offload && DEFAULT_USO);
    }

    /**
     * With {@code uso} as well, UDP segmentation offload is asked for; a kernel that does not know it
     * (before 6.2: EINVAL) gets TCP offloads only.
     */
    static LinuxTun create(String name, Io io, boolean offload, boolean uso) throws IOException {
        validateName(name);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.allocateState(arena);
            int fd = LibC.open(state, "/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            if (fd < 0) {
                int e = LibC.errno(state);
                throw switch (e) {
                    case LibC.ENOENT -> new IOException(
                            "/dev/net/tun does not exist: load the tun module (modprobe tun) or, in a container, "
                                    + "pass the device through (--device /dev/net/tun)");
                    case LibC.EACCES, LibC.EPERM -> new IOException(
                            "permission denied opening /dev/net/tun: run as root or with CAP_NET_ADMIN");
                    case LibC.ENODEV, LibC.ENXIO -> new IOException(
                            "the TUN driver is not available (/dev/net/tun: " + LibC.strerror(e) + "): modprobe tun");
                    default -> LibC.error("cannot open /dev/net/tun", e);
                };
            }
            int wake = -1;
            try {
                MemorySegment ifr = arena.allocate(IFREQ_SIZE);
                byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(nameBytes, 0, ifr, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
                short flags = (short) (IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL | (offload ? IFF_VNET_HDR : 0));
                ifr.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, flags);
                if (LibC.ioctl(state, fd, TUNSETIFF, ifr) != 0) {
                    int e = LibC.errno(state);
                    String shown = name.isEmpty() ? "(kernel-chosen name)" : "'" + name + "'";
                    throw switch (e) {
                        case LibC.EBUSY -> new IOException("cannot create TUN interface " + shown
                                + ": a network interface with that name already exists");
                        case LibC.EPERM, LibC.EACCES -> new IOException("cannot create TUN interface " + shown
                                + ": permission denied (needs root or CAP_NET_ADMIN)");
                        case LibC.EINVAL -> new IOException("cannot create TUN interface " + shown
                                + ": invalid name or flags (" + LibC.strerror(e) + ")");
                        default -> LibC.error("cannot create TUN interface " + shown + " (ioctl TUNSETIFF)", e);
                    };
                }
                String actual = ifr.getString(0, StandardCharsets.US_ASCII);
                // Without TSO the virtio header still works (always "plain packet"), so a refusal is not fatal.
                int tcpOffloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
                boolean withUso = offload && uso && LibC.ioctl(state, fd, TUNSETOFFLOAD,
                        MemorySegment.ofAddress(tcpOffloads | TUN_F_USO4 | TUN_F_USO6)) == 0;
                boolean tso = withUso || offload && LibC.ioctl(state, fd, TUNSETOFFLOAD,
                        MemorySegment.ofAddress(tcpOffloads)) == 0;
                wake = LibC.eventfd(state, 0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
                if (wake < 0) {
                    throw LibC.error("eventfd", LibC.errno(state));
                }
                return new LinuxTun(actual, fd, wake, offload ? Io.CRITICAL : io, offload, tso, withUso);
            } catch (IOException | RuntimeException e) {
                LibC.close(fd);
                if (wake >= 0) {
                    LibC.close(wake);
                }
                throw e;
            }
        }
    }

    static void validateName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.length() >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name '" + name + "' is longer than 15 characters");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid interface name '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 127 || c == '/' || c == ':') {
                throw new IllegalArgumentException("invalid interface name '" + name
                        + "' (no spaces, '/', ':' or non-ASCII characters)");
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** True if TCP segmentation offload is on (the kernel sends super-packets, and merged ones are written). */
    public boolean offloads() {
        return tso;
    }

    /** True if UDP segmentation offload is on too (UDP datagrams are merged as well). */
    public boolean udpOffloads() {
        return uso;
    }

    // ------------------------------------------------------------------------------------------ per-thread state

    /** Per-thread native scratch: errno capture, two pollfds, and (copy mode) a packet buffer. */
    private static final class Scratch {
        final Arena arena = Arena.ofAuto();
        final MemorySegment state = LibC.allocateState(arena);
        final MemorySegment pollFds = arena.allocate(2 * LibC.POLLFD_SIZE, 8);
        MemorySegment buffer = MemorySegment.NULL;

        /** Last heap array / offset used with a critical call, and its segment (avoids allocating per packet). */
        private byte[] heapArray;
        private int heapOffset;
        private MemorySegment heapSegment;

        /** A heap segment over {@code array[off..]}; the caller passes the byte count separately. */
        MemorySegment heap(byte[] array, int off) {
            if (array != heapArray || off != heapOffset) {
                heapSegment = MemorySegment.ofArray(array).asSlice(off);
                heapArray = array;
                heapOffset = off;
            }
            return heapSegment;
        }

        private GsoSplitter splitter;
        private MemorySegment splitterIn;
        private GroCoalescer coalescer;
        private MemorySegment coalescerOut;

        GsoSplitter splitter() {
            if (splitter == null) {
                splitter = new GsoSplitter(VirtioNetHeader.LENGTH + 65536 + 64);
                splitterIn = MemorySegment.ofArray(splitter.in);
            }
            return splitter;
        }

        GroCoalescer coalescer() {
            if (coalescer == null) {
                coalescer = new GroCoalescer();
                coalescerOut = MemorySegment.ofArray(coalescer.out);
            }
            return coalescer;
        }

        MemorySegment buffer(int size) {
            if (buffer.byteSize() < size) {
                buffer = arena.allocate(Math.max(size, 2048), 64);
            }
            return buffer;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    // ------------------------------------------------------------------------------------------ read / write

    @Override
    public int read(byte[] buf, int off, int max) throws IOException {
        return read(buf, off, max, true);
    }

    @Override
    public int tryRead(byte[] buf, int off, int max) throws IOException {
        return read(buf, off, max, false);
    }

    /** One packet into buf; when nothing is ready, waits (wait) or returns 0. -1 once closed. */
    private int read(byte[] buf, int off, int max, boolean wait) throws IOException {
        Objects.checkFromIndexSize(off, max, buf.length);
        if (!guard.tryAcquire()) {
            return -1;
        }
        try {
            Scratch s = SCRATCH.get();
            while (true) {
                long n;
                if (vnet) {
                    GsoSplitter sp = s.splitter();
                    if (sp.hasNext()) {
                        int k = sp.next(buf, off, max);
                        if (k >= 0) return k;
                        continue; // longer than the caller can take: dropped
                    }
                    n = LibC.readCritical(s.state, fd, s.splitterIn, sp.in.length);
                    if (n == 0) {
                        return 0;
                    }
                    if (n > 0) {
                        sp.load((int) n); // a packet that cannot be handled is dropped
                        continue;
                    }
                } else if (io == Io.CRITICAL) {
                    n = LibC.readCritical(s.state, fd, s.heap(buf, off), max);
                } else {
                    MemorySegment nb = s.buffer(max);
                    n = LibC.read(s.state, fd, nb, max);
                    if (n > 0) {
                        MemorySegment.copy(nb, ValueLayout.JAVA_BYTE, 0, buf, off, (int) n);
                    }
                }
                if (n >= 0) {
                    return (int) n;
                }
                int e = LibC.errno(s.state);
                if (e == LibC.EAGAIN) {
                    if (!wait) {
                        return 0;
                    }
                    if (!await(s, LibC.POLLIN)) {
                        return -1;
                    }
                } else if (e != LibC.EINTR) {
                    if (guard.isClosed()) {
                        return -1;
                    }
                    throw failure("read from", e);
                }
            }
        } finally {
            guard.release();
        }
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (!guard.tryAcquire()) {
            throw new ClosedChannelException();
        }
        try {
            Scratch s = SCRATCH.get();
            if (vnet) {
                GroCoalescer c = s.coalescer();
                VirtioNetHeader.putPlain(c.out, 0);
                System.arraycopy(buf, off, c.out, VirtioNetHeader.LENGTH, len);
                writeOut(s, c.outLength = VirtioNetHeader.LENGTH + len);
                return;
            }
            while (true) {
                long n;
                if (io == Io.CRITICAL) {
                    n = LibC.writeCritical(s.state, fd, s.heap(buf, off), len);
                } else {
                    MemorySegment nb = s.buffer(len);
                    MemorySegment.copy(buf, off, nb, ValueLayout.JAVA_BYTE, 0, len);
                    n = LibC.write(s.state, fd, nb, len);
                }
                if (written(s, n, len, len)) {
                    return;
                }
            }
        } finally {
            guard.release();
        }
    }

    @Override
    public void write(PacketBatch batch) throws IOException {
        if (!vnet) {
            Tun.super.write(batch);
            return;
        }
        if (!guard.tryAcquire()) {
            throw new ClosedChannelException();
        }
        try {
            Scratch s = SCRATCH.get();
            GroCoalescer c = s.coalescer();
            IOException first = null;
            for (int i = 0; i < batch.size; ) {
                i += tso ? c.build(batch, i, uso) : plain(c, batch, i);
                try {
                    writeOut(s, c.outLength);
                } catch (ClosedChannelException e) {
                    throw e;
                } catch (IOException e) {
                    if (first == null) first = e;
                }
            }
            if (first != null) throw first;
        } finally {
            guard.release();
        }
    }

    private static int plain(GroCoalescer c, PacketBatch batch, int i) {
        VirtioNetHeader.putPlain(c.out, 0);
        System.arraycopy(batch.buffers[i], batch.offsets[i], c.out, VirtioNetHeader.LENGTH, batch.lengths[i]);
        c.outLength = VirtioNetHeader.LENGTH + batch.lengths[i];
        return 1;
    }

    /** Writes the coalescer's output buffer (virtio header + packet) with one write(2). */
    private void writeOut(Scratch s, int len) throws IOException {
        while (!written(s, LibC.writeCritical(s.state, fd, s.coalescerOut, len), len, len - VirtioNetHeader.LENGTH)) {
            // EINTR, or EAGAIN and the device is writable again
        }
    }

    /**
     * The outcome of a write(2) of {@code len} bytes (carrying a {@code packetLength}-byte packet) that
     * returned {@code n}: true when it was written whole, false to write again (EINTR, or EAGAIN once
     * the device is writable); throws otherwise. Reads errno first, so call it right after the write.
     */
    private boolean written(Scratch s, long n, int len, int packetLength) throws IOException {
        if (n == len) {
            return true;
        }
        if (n >= 0) {
            throw new IOException("short write to TUN " + name + ": " + n + " of " + len + " bytes");
        }
        int e = LibC.errno(s.state);
        if (e == LibC.EAGAIN) {
            if (!await(s, LibC.POLLOUT)) {
                throw new ClosedChannelException();
            }
        } else if (e != LibC.EINTR) {
            if (guard.isClosed()) {
                throw new ClosedChannelException();
            }
            if (e == LibC.EINVAL) {
                throw new IOException("TUN " + name + " rejected a " + packetLength
                        + "-byte packet (not a valid IPv4/IPv6 packet?): " + LibC.strerror(e));
            }
            throw failure("write to", e);
        }
        return false;
    }

    private IOException failure(String op, int e) {
        if (e == EBADFD) {
            return new IOException("TUN interface " + name + " no longer exists (deleted from outside?)");
        }
        return LibC.error(op + " TUN " + name, e);
    }

    /** Waits until the TUN descriptor has {@code events}; false if the device was closed meanwhile. */
    private boolean await(Scratch s, short events) throws IOException {
        while (true) {
            if (guard.isClosed()) {
                return false;
            }
            LibC.setPollFd(s.pollFds, 0, fd, events);
            LibC.setPollFd(s.pollFds, 1, wakeFd, LibC.POLLIN);
            int rc = LibC.poll(s.state, s.pollFds, 2, -1);
            if (rc < 0) {
                int e = LibC.errno(s.state);
                if (e == LibC.EINTR) {
                    continue;
                }
                throw LibC.error("poll on TUN " + name, e);
            }
            if (LibC.revents(s.pollFds, 1) != 0 || guard.isClosed()) {
                return false;
            }
            if (LibC.revents(s.pollFds, 0) != 0) {
                return true;
            }
        }
    }

    /** Closes the device (the interface disappears) and wakes blocked readers, which then return -1. */
    @Override
    public void close() {
        if (!guard.beginClose()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_LONG, 1L);
            LibC.write(LibC.allocateState(arena), wakeFd, one, 8);
        } finally {
            guard.release();
        }
    }

    /**
     * Gets the JIT to compile the native calls and offload code a TUN reader and writer use, without a
     * TUN device: the downcalls go to an eventfd, the splitter and coalescer work on a crafted packet.
     * Interpreted, each downcall costs tens of microseconds, which a fresh tunnel's first pings showed.
     */
    public static void warmUp(int rounds) {
        Scratch s = new Scratch();
        int efd = LibC.eventfd(s.state, 0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (efd < 0) {
            return;
        }
        try {
            GsoSplitter sp = s.splitter();
            GroCoalescer c = s.coalescer();
            PacketBatch batch = new PacketBatch(2);
            byte[] packet = new byte[84];
            packet[0] = 0x45;
            packet[3] = 84;
            packet[9] = 1;
            byte[] out = new byte[2048];
            for (int i = 0; i < rounds; i++) {
                LibC.writeCritical(s.state, efd, s.coalescerOut, 8);
                LibC.setPollFd(s.pollFds, 0, efd, LibC.POLLIN);
                LibC.poll(s.state, s.pollFds, 1, 0);
                LibC.readCritical(s.state, efd, s.splitterIn, 8);
                batch.add(packet, 0, packet.length);
                c.build(batch, 0);
                batch.clear();
                System.arraycopy(c.out, 0, sp.in, 0, c.outLength);
                if (sp.load(c.outLength)) {
                    sp.next(out, 16, 1500);
                }
            }
        } finally {
            LibC.close(efd);
        }
    }

    @Override
    public String toString() {
        return "LinuxTun[" + name + "]";
    }
}
