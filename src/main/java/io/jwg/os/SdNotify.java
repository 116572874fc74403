package io.jwg.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * systemd's readiness protocol, sd_notify(3), done natively: one datagram of {@code KEY=VALUE}
 * lines to the AF_UNIX datagram socket named by {@code $NOTIFY_SOCKET} (a path, or an abstract
 * name written with a leading {@code @}). The JDK's channels have no AF_UNIX datagram sockets, and
 * {@code systemd-notify} run from a child process is attributed to the wrong PID unless
 * NotifyAccess=all, so the main process sends it itself through {@link LibC}.
 *
 * <p>Without {@code $NOTIFY_SOCKET} (not started by systemd with Type=notify) every call does
 * nothing and returns false.
 */
public final class SdNotify {
    private static final int SOCKADDR_UN_SIZE = 110; // sa_family (2) + sun_path (108)

    private SdNotify() {}

    /** True if this process was started with a notification socket. */
    public static boolean available() {
        String s = System.getenv("NOTIFY_SOCKET");
        return s != null && !s.isEmpty();
    }

    /** Tells systemd that start-up (or a reload) has finished. */
    public static boolean ready(String status) throws IOException {
        return notify("READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid());
    }

    /** Tells systemd that a configuration reload has begun (end it with {@link #ready}). */
    public static boolean reloading() throws IOException {
        long usec = clockMonotonicMicros();
        return notify("RELOADING=1" + (usec > 0 ? "\nMONOTONIC_USEC=" + usec : ""));
    }

    /** Tells systemd that the service is shutting down. */
    public static boolean stopping() throws IOException {
        return notify("STOPPING=1");
    }

    /** Sends {@code state} to {@code $NOTIFY_SOCKET}; false if there is none. */
    public static boolean notify(String state) throws IOException {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) return false;
        send(socket, state);
        return true;
    }

    /**
     * Sends one datagram {@code state} to the AF_UNIX datagram socket {@code socket} (a path, or
     * {@code @name} for the abstract namespace).
     */
    public static void send(String socket, String state) throws IOException {
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        if (path.length == 0 || path.length >= SOCKADDR_UN_SIZE - 2) throw new IOException("bad NOTIFY_SOCKET: " + socket);
        boolean isAbstract = path[0] == '@';
        if (!isAbstract && path[0] != '/') throw new IOException("NOTIFY_SOCKET is neither a path nor an abstract name: " + socket);
        byte[] msg = state.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = LibC.allocateState(arena);
            int fd = LibC.socket(st, LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
            if (fd < 0) throw LibC.error("socket(AF_UNIX, SOCK_DGRAM)", LibC.errno(st));
            try {
                MemorySegment addr = arena.allocate(SOCKADDR_UN_SIZE);
                addr.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_UNIX);
                MemorySegment.copy(path, 0, addr, ValueLayout.JAVA_BYTE, 2, path.length);
                if (isAbstract) addr.set(ValueLayout.JAVA_BYTE, 2, (byte) 0);
                // a path is NUL-terminated (the segment is zeroed); an abstract name's length is exact
                int len = 2 + path.length + (isAbstract ? 0 : 1);
                MemorySegment buf = arena.allocate(Math.max(1, msg.length));
                MemorySegment.copy(msg, 0, buf, ValueLayout.JAVA_BYTE, 0, msg.length);
                long n = LibC.sendto(st, fd, buf, msg.length, LibC.MSG_NOSIGNAL, addr, len);
                if (n < 0) throw LibC.error("sendto(" + socket + ")", LibC.errno(st));
            } finally {
                LibC.close(fd);
            }
        }
    }

    private static long clockMonotonicMicros() {
        // CLOCK_MONOTONIC is what System.nanoTime() reads on Linux
        return System.nanoTime() / 1000;
    }
}
