package io.jwg.uapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Talks to the UAPI socket of any userspace WireGuard interface (jwg's or wireguard-go's), as the
 * wg tool does. Every failure is a {@link UapiException} whose errno is what wg would report:
 * ENODEV if there is no such interface (no socket, not a socket, or a stale socket, which is then
 * removed as wg removes it), EACCES without permission, EPROTO for a malformed reply, or the errno
 * the device replied with.
 */
public final class UapiClient {
    /** How long a request may take, by default, before the client gives up (EIO). */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_REPLY = 256 << 20;
    private static final int EACCES = 13, ENODEV = 19, ECONNREFUSED = 111;

    private final Path directory;
    private final Duration timeout;

    private UapiClient(Path directory, Duration timeout) {
        this.directory = directory;
        this.timeout = timeout;
    }

    /** A client for the sockets in {@link UapiPaths#directory()}. */
    public static UapiClient create() {
        return new UapiClient(UapiPaths.directory(), TIMEOUT);
    }

    /** A client for the sockets in {@code directory}. */
    public static UapiClient in(Path directory) {
        return new UapiClient(directory, TIMEOUT);
    }

    /** This client with another limit on the time one request may take. */
    public UapiClient withTimeout(Duration timeout) {
        return new UapiClient(directory, timeout);
    }

    public Path directory() {
        return directory;
    }

    /** {@code get=1}: the interface's configuration and statistics. */
    public DeviceSnapshot get(String ifname) throws UapiException {
        String reply = exchange(ifname, "get=1\n\n");
        return UapiProtocol.parseGet(reply);
    }

    /**
     * {@code get=1} with jwg's extension keys ({@link JwgExtensions}): the snapshot carries the
     * extra counters when the interface is served by jwg. An interface that does not know the
     * extension (wireguard-go) rejects it with EINVAL; then a plain {@code get=1} is made and the
     * snapshot has no extension values.
     */
    public DeviceSnapshot getExtended(String ifname) throws UapiException {
        try {
            return UapiProtocol.parseGet(exchange(ifname, "get=1\n" + JwgExtensions.REQUEST_LINE + "\n\n"));
        } catch (UapiException e) {
            if (e.errno() != Errno.EINVAL) throw e;
            return get(ifname);
        }
    }

    /** {@code set=1}: applies the request; throws with the errno the device replied with. */
    public void set(String ifname, SetRequest request) throws UapiException {
        String reply = exchange(ifname, UapiProtocol.formatSet(request));
        Integer errno = null;
        for (String line : reply.split("\n")) {
            if (line.startsWith("errno=")) {
                try {
                    errno = Integer.parseInt(line.substring(6));
                } catch (NumberFormatException e) {
                    throw new UapiException(Errno.EPROTO, "malformed errno in the reply");
                }
            }
        }
        if (errno == null) throw new UapiException(Errno.EPROTO, "the reply has no errno");
        if (errno != 0) throw new UapiException(Math.abs(errno), "the device replied errno=" + errno);
    }

    /**
     * The interfaces with a live socket, in directory order (as wg lists them). Stale sockets are
     * removed on the way, as wg does. A missing directory means none.
     */
    public List<String> interfaces() throws UapiException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.length() <= UapiPaths.SUFFIX.length() || !f.endsWith(UapiPaths.SUFFIX)) continue;
                String name = f.substring(0, f.length() - UapiPaths.SUFFIX.length());
                if (isInterface(name)) names.add(name);
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (AccessDeniedException e) {
            throw new UapiException(EACCES, "cannot read " + directory);
        } catch (IOException e) {
            throw new UapiException(Errno.EIO, "cannot read " + directory + ": " + e.getMessage());
        }
        return names;
    }

    /** True if {@code ifname} has a socket that accepts connections (or refuses us only by permission). */
    public boolean isInterface(String ifname) {
        if (ifname.indexOf('/') >= 0 || ifname.isEmpty()) return false;
        Path sock = directory.resolve(ifname + UapiPaths.SUFFIX);
        try {
            if (!UapiServer.isSocket(sock)) return false;
        } catch (IOException e) {
            return false;
        }
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(sock)).close();
            return true;
        } catch (ConnectException e) {
            removeStale(sock);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void removeStale(Path sock) {
        try {
            Files.deleteIfExists(sock);
        } catch (IOException ignored) {
            // as wg: best effort
        }
    }

    /** Sends a request and returns the reply up to and including its blank line. */
    private String exchange(String ifname, String request) throws UapiException {
        if (ifname.indexOf('/') >= 0 || ifname.isEmpty() || ifname.indexOf('\0') >= 0) {
            throw new UapiException(Errno.EINVAL, "invalid interface name");
        }
        Path sock = directory.resolve(ifname + UapiPaths.SUFFIX);
        try {
            if (!UapiServer.isSocket(sock)) throw new UapiException(ENODEV, "no such interface: " + sock + " is not a socket");
        } catch (NoSuchFileException e) {
            throw new UapiException(ENODEV, "no such interface: no " + sock);
        } catch (AccessDeniedException e) {
            throw new UapiException(EACCES, "cannot access " + sock);
        } catch (IOException e) {
            throw new UapiException(Errno.EIO, "cannot access " + sock + ": " + e.getMessage());
        }
        SocketChannel ch;
        try {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(sock));
        } catch (ConnectException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("ermission")) throw new UapiException(EACCES, "cannot connect to " + sock);
            removeStale(sock);
            throw new UapiException(ENODEV, "no such interface: nobody listens on " + sock);
        } catch (AccessDeniedException e) {
            throw new UapiException(EACCES, "cannot connect to " + sock);
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("ermission")) throw new UapiException(EACCES, "cannot connect to " + sock);
            throw new UapiException(Errno.EIO, "cannot connect to " + sock + ": " + m);
        }
        Thread watchdog = Thread.ofPlatform().daemon(true).start(() -> {
            try {
                Thread.sleep(timeout);
                ch.close();
            } catch (InterruptedException | IOException ignored) {
                // done in time, or closing anyway
            }
        });
        try (ch) {
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
            while (out.hasRemaining()) ch.write(out);
            return readReply(Channels.newInputStream(ch));
        } catch (IOException e) {
            throw new UapiException(Errno.EIO, "UAPI request to " + sock + " failed: " + e.getMessage());
        } finally {
            watchdog.interrupt();
        }
    }

    private static String readReply(InputStream in) throws IOException, UapiException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(4096);
        byte[] chunk = new byte[8192];
        int prev = '\n';
        while (true) {
            int n = in.read(chunk);
            if (n < 0) throw new UapiException(Errno.EPROTO, "the reply ended early");
            for (int i = 0; i < n; i++) {
                int b = chunk[i];
                buf.write(b);
                if (b == '\n' && prev == '\n') return buf.toString(StandardCharsets.ISO_8859_1);
                prev = b;
            }
            if (buf.size() > MAX_REPLY) throw new UapiException(Errno.EPROTO, "the reply is too large");
        }
    }
}
