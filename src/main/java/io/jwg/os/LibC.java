package io.jwg.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Thin FFM bindings to the Linux libc calls jwg needs (x86-64 and aarch64; both use the generic errno,
 * socket and ioctl numbers). Calls that can fail take a <em>capture segment</em> ({@link #allocateState}) as
 * first argument, into which errno is saved right after the call; read it with {@link #errno}.
 *
 * <p>The {@code *Critical} variants are linked with {@code Linker.Option.critical(true)}: they accept heap
 * segments (no copy) but must only be used when the call cannot block (non-blocking descriptors).
 *
 * <p>This class is an implementation detail of jwg's native layer (io.jwg.tun, io.jwg.net).
 */
@SuppressWarnings("restricted") // FFM downcalls are the point of this class
public final class LibC {
    private LibC() {}

    // errno values (asm-generic)
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EPIPE = 32;
    public static final int ENOPROTOOPT = 92;
    public static final int EMSGSIZE = 90;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTDOWN = 112;
    public static final int EHOSTUNREACH = 113;

    // open(2) flags
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    // poll(2)
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;
    /** struct pollfd { int fd; short events; short revents; } */
    public static final long POLLFD_SIZE = 8;

    // sockets
    public static final int AF_UNIX = 1;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = O_NONBLOCK;
    public static final int SOCK_CLOEXEC = O_CLOEXEC;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_MARK = 36;
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_V6ONLY = 26;
    /** Report each datagram's destination address and interface (struct in6_pktinfo; linux/in6.h). */
    public static final int IPV6_RECVPKTINFO = 49;
    /** cmsg type of struct in6_pktinfo: received with IPV6_RECVPKTINFO; on send, the source address to use. */
    public static final int IPV6_PKTINFO = 50;
    /** IPv4 sockets: socket option and cmsg type of struct in_pktinfo (linux/in.h). */
    public static final int IP_PKTINFO = 8;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_WAITFORONE = 0x10000;
    public static final int SHUT_RDWR = 2;
    public static final int EFD_CLOEXEC = O_CLOEXEC;
    public static final int EFD_NONBLOCK = O_NONBLOCK;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno")).withInvokeExactBehavior();
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final Linker.Option CRITICAL = Linker.Option.critical(true);

    private static MethodHandle fn(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc: " + name)),
                fd, options);
    }

    private static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = fn("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE);
    private static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE);
    private static final MethodHandle READ_CRITICAL =
            fn("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE, CRITICAL);
    private static final MethodHandle WRITE_CRITICAL =
            fn("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE, CRITICAL);
    private static final MethodHandle POLL = fn("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE);
    private static final MethodHandle IOCTL = fn("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle EVENTFD = fn("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
    private static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
    private static final MethodHandle SETSOCKOPT = fn("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
    private static final MethodHandle GETSOCKOPT = fn("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE);
    private static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
    private static final MethodHandle GETSOCKNAME =
            fn("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE);
    private static final MethodHandle RECVMMSG = fn("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE);
    private static final MethodHandle SENDMMSG = fn("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE);
    private static final MethodHandle SENDTO = fn("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
    private static final MethodHandle SHUTDOWN = fn("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
    private static final MethodHandle STRERROR = fn("strerror",
            FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)), JAVA_INT));

    /** Allocates a segment that receives errno after each call it is passed to. */
    public static MemorySegment allocateState(Arena arena) {
        return arena.allocate(STATE_LAYOUT);
    }

    /** The errno saved in a capture segment by the last call. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** strerror(3) text, e.g. "Device or resource busy". */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** An IOException "what: strerror" carrying the errno. */
    public static ErrnoException error(String what, int errno) {
        return new ErrnoException(what, errno);
    }

    private static RuntimeException fail(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    public static int open(MemorySegment state, String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** read(2) into native memory; may block. */
    public static long read(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return (long) READ.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** write(2) from native memory; may block. */
    public static long write(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return (long) WRITE.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** read(2) that accepts heap segments; only for descriptors on which read never blocks. */
    public static long readCritical(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return (long) READ_CRITICAL.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** write(2) that accepts heap segments; only for descriptors on which write never blocks. */
    public static long writeCritical(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return (long) WRITE_CRITICAL.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** poll(2) over {@code nfds} consecutive struct pollfd in {@code fds}. */
    public static int poll(MemorySegment state, MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** Fills struct pollfd number {@code index}. */
    public static void setPollFd(MemorySegment fds, int index, int fd, short events) {
        long base = index * POLLFD_SIZE;
        fds.set(JAVA_INT, base, fd);
        fds.set(ValueLayout.JAVA_SHORT, base + 4, events);
        fds.set(ValueLayout.JAVA_SHORT, base + 6, (short) 0);
    }

    /** revents of struct pollfd number {@code index}. */
    public static short revents(MemorySegment fds, int index) {
        return fds.get(ValueLayout.JAVA_SHORT, index * POLLFD_SIZE + 6);
    }

    public static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int eventfd(MemorySegment state, int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initval, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** setsockopt(2) with an int value. */
    public static int setsockopt(MemorySegment state, int fd, int level, int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            return (int) SETSOCKOPT.invokeExact(state, fd, level, name, v, 4);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** getsockopt(2) for an int value; returns the value, or throws with errno. */
    public static int getsockoptInt(int fd, int level, int name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = allocateState(arena);
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocateFrom(JAVA_INT, 4);
            int rc = (int) GETSOCKOPT.invokeExact(state, fd, level, name, v, len);
            if (rc != 0) {
                throw error("getsockopt", errno(state));
            }
            return v.get(JAVA_INT, 0);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** sendto(2): one datagram of {@code len} bytes to the address {@code addr} ({@code addrLen} bytes). */
    public static long sendto(MemorySegment state, int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        try {
            return (long) SENDTO.invokeExact(state, fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int bind(MemorySegment state, int fd, MemorySegment addr, int len) {
        try {
            return (int) BIND.invokeExact(state, fd, addr, len);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** getsockname(2); {@code len} is an int segment holding the buffer size on entry. */
    public static int getsockname(MemorySegment state, int fd, MemorySegment addr, MemorySegment len) {
        try {
            return (int) GETSOCKNAME.invokeExact(state, fd, addr, len);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** recvmmsg(2) with no timeout. */
    public static int recvmmsg(MemorySegment state, int fd, MemorySegment msgs, int vlen, int flags) {
        try {
            return (int) RECVMMSG.invokeExact(state, fd, msgs, vlen, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int sendmmsg(MemorySegment state, int fd, MemorySegment msgs, int vlen, int flags) {
        try {
            return (int) SENDMMSG.invokeExact(state, fd, msgs, vlen, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int shutdown(MemorySegment state, int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(state, fd, how);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** An {@link IOException} from a failed system call, with its errno. */
    public static final class ErrnoException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        public ErrnoException(String what, int errno) {
            super(what + ": " + strerror(errno) + " (errno " + errno + ")");
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }
}
