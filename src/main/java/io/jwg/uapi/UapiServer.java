package io.jwg.uapi;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the UAPI of one interface on {@code DIR/IFNAME.sock} (DIR is {@link UapiPaths#directory()}
 * unless given), so that {@code wg}, {@code wg-quick} and {@code jwg show} can configure and inspect
 * it as they do wireguard-go.
 *
 * <ul>
 *   <li>The directory is created with mode 0700 if missing (an existing one is left as it is); the
 *       socket gets mode 0600 before it appears under its name (it is bound in a private temporary
 *       directory and hard-linked into place), so no other user can ever connect.
 *   <li>A live socket of another process is never replaced ({@link #start} fails); a stale one
 *       (connection refused) is removed, as wireguard-go does.
 *   <li>Each connection is served by its own virtual thread and may carry any number of
 *       {@code get=1} and {@code set=1} requests. Requests are serialised per server: gets may run
 *       together, a set runs alone.
 *   <li>A malformed request gets an {@code errno=-N} reply and the connection is closed (in
 *       wireguard-go a bad line also ends the connection, since the rest of the request is then read
 *       as operations). A set is validated completely before anything is applied.
 *   <li>{@link #close()} stops serving and removes the socket, if it is still the one this server made.
 * </ul>
 */
public final class UapiServer implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(UapiServer.class);
    /** Lines in one set request beyond which the request is refused with EIO (and the connection closed). */
    static final int MAX_REQUEST_LINES = 1 << 20;

    private final String ifname;
    private final UapiBackend backend;
    private final Path socket;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;
    private volatile Thread watcher;
    private volatile WatchService watchService;

    private UapiServer(String ifname, UapiBackend backend, Path socket, Object fileKey, ServerSocketChannel server) {
        this.ifname = ifname;
        this.backend = backend;
        this.socket = socket;
        this.fileKey = fileKey;
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon(true).name("jwg-uapi-" + ifname).unstarted(this::acceptLoop);
    }

    /** Serves {@code backend} on {@link UapiPaths#socket(String) UapiPaths.socket(ifname)}. */
    public static UapiServer start(String ifname, UapiBackend backend) throws IOException {
        return start(ifname, backend, UapiPaths.directory());
    }

    /**
     * Serves {@code backend} on {@code directory/IFNAME.sock}.
     *
     * @throws IllegalArgumentException if {@code ifname} is not a valid interface name
     * @throws IOException if the socket is in use by another process, or cannot be created
     */
    public static UapiServer start(String ifname, UapiBackend backend, Path directory) throws IOException {
        Objects.requireNonNull(backend, "backend");
        Path socket = UapiPaths.socket(directory, ifname);
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        }
        removeIfStale(socket);
        Path tmpDir = Files.createTempDirectory(directory, ".jwg-" + ifname + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmpSocket = tmpDir.resolve("uapi.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(tmpSocket));
            Files.setPosixFilePermissions(tmpSocket, PosixFilePermissions.fromString("rw-------"));
            try {
                Files.createLink(socket, tmpSocket);
            } catch (FileAlreadyExistsException e) {
                throw new IOException("UAPI socket " + socket + " was created by another process just now", e);
            }
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            UapiServer s = new UapiServer(ifname, backend, socket, key, server);
            s.acceptor.start();
            log.debug("UAPI listening on {}", socket);
            return s;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        } finally {
            Files.deleteIfExists(tmpSocket);
            Files.deleteIfExists(tmpDir);
        }
    }

    /** Removes a socket nobody listens on; refuses if someone does, or if the path is not a socket. */
    private static void removeIfStale(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) return;
        if (!isSocket(socket)) throw new IOException(socket + " exists and is not a socket; not replacing it");
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
            throw new IOException("UAPI socket " + socket + " is in use by another process (is the interface already up?)");
        } catch (ConnectException e) {
            log.debug("removing stale UAPI socket {}", socket);
            Files.deleteIfExists(socket);
        }
    }

    static boolean isSocket(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000;
    }

    /** The socket's path. */
    public Path socketPath() {
        return socket;
    }

    public String interfaceName() {
        return ifname;
    }

    /**
     * Runs {@code action} once (on a background thread) if the socket file is deleted or replaced by
     * someone else while this server runs, as wireguard-go shuts its interface down then. Not called
     * after {@link #close()}.
     */
    public synchronized UapiServer onSocketRemoved(Runnable action) throws IOException {
        if (watcher != null) throw new IllegalStateException("already watching");
        WatchService ws = socket.getFileSystem().newWatchService();
        socket.getParent().register(ws, StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_CREATE);
        watchService = ws;
        watcher = Thread.ofPlatform().daemon(true).name("jwg-uapi-watch-" + ifname).start(() -> {
            try {
                while (!closed) {
                    WatchKey k = ws.poll(1, TimeUnit.SECONDS);
                    if (k != null) {
                        k.pollEvents();
                        k.reset();
                    }
                    if (!closed && !stillOurs()) {
                        log.info("UAPI socket {} was removed", socket);
                        action.run();
                        return;
                    }
                }
            } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
                // closing
            }
        });
        return this;
    }

    private boolean stillOurs() {
        try {
            return Objects.equals(Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey(), fileKey);
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops serving, closes every connection and removes the socket (if it is still this server's). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        boolean ours = stillOurs();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (ours) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                log.warn("cannot remove {}: {}", socket, e.getMessage());
            }
        }
        for (SocketChannel c : connections) {
            try {
                c.shutdownOutput(); // the client sees end-of-stream, not a reset
            } catch (IOException ignored) {
                // closing anyway
            }
            closeQuietly(c);
        }
        WatchService ws = watchService;
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) return;
                log.warn("UAPI accept on {} failed: {}", socket, e.getMessage());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            connections.add(c);
            if (closed) {
                closeQuietly(c);
                return;
            }
            Thread.ofPlatform().daemon(true).name("jwg-uapi-conn-" + ifname).start(() -> {
                try {
                    serve(c);
                } catch (IOException e) {
                    if (!closed) log.debug("UAPI connection on {} ended: {}", socket, e.getMessage());
                } catch (RuntimeException | Error e) {
                    log.error("UAPI connection on {} failed", socket, e);
                } finally {
                    connections.remove(c);
                    closeQuietly(c);
                }
            });
        }
    }

    /** Serves requests on one connection until it ends or a request is malformed. */
    private void serve(SocketChannel c) throws IOException {
        LineReader in = new LineReader(new BufferedInputStream(Channels.newInputStream(c), 8192));
        OutputStream out = Channels.newOutputStream(c);
        while (true) {
            String op = in.readLine();
            if (op == null) return;
            if (op.equals("get=1")) {
                String next = in.readLine();
                if (next == null) return;
                boolean extended = false;
                if (next.equals(JwgExtensions.REQUEST_LINE)) { // jwg's extension: see JwgExtensions
                    extended = true;
                    next = in.readLine();
                    if (next == null) return;
                }
                if (!next.isEmpty()) {
                    reply(out, "", Errno.EINVAL, "trailing characters after get=1");
                    return;
                }
                String body;
                int errno = 0;
                lock.readLock().lock();
                try {
                    body = UapiProtocol.formatGet(extended ? backend.snapshot(true) : backend.snapshot(), extended);
                } catch (RuntimeException e) {
                    log.error("UAPI get on {}: the device failed", socket, e);
                    body = "";
                    errno = Errno.ENOANO;
                } finally {
                    lock.readLock().unlock();
                }
                reply(out, body, errno, null);
            } else if (op.equals("set=1")) {
                UapiProtocol.SetParser parser = new UapiProtocol.SetParser();
                SetRequest request;
                try {
                    int count = 0;
                    while (true) {
                        String line = in.readLine();
                        if (line == null) break; // end of input also ends the request, as in wireguard-go
                        if (++count > MAX_REQUEST_LINES) throw new UapiException(Errno.EIO, "request too large");
                        if (!parser.accept(line)) break;
                    }
                    request = parser.finish();
                } catch (LineTooLongException e) {
                    reply(out, "", Errno.EIO, "line too long");
                    return;
                } catch (UapiException e) {
                    reply(out, "", e.errno(), e.getMessage());
                    return;
                }
                int errno = 0;
                String message = null;
                lock.writeLock().lock();
                try {
                    backend.apply(request);
                } catch (UapiException e) {
                    errno = e.errno();
                    message = e.getMessage();
                } catch (RuntimeException e) {
                    log.error("UAPI set on {}: the device failed", socket, e);
                    errno = Errno.ENOANO;
                    message = "other UAPI error: " + e;
                } finally {
                    lock.writeLock().unlock();
                }
                reply(out, "", errno, message);
            } else {
                reply(out, "", Errno.EINVAL, "invalid UAPI operation: " + UapiProtocol.printable(op));
                return;
            }
        }
    }

    /**
     * Applies a request in this process exactly as a {@code set=1} on the socket would be applied
     * (serialised with the socket's requests), e.g. for a configuration reload on SIGHUP.
     */
    public void apply(SetRequest request) throws UapiException {
        lock.writeLock().lock();
        try {
            backend.apply(request);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** A snapshot taken as a {@code get=1} on the socket would take it (serialised with the socket's requests). */
    public DeviceSnapshot snapshot(boolean extended) {
        lock.readLock().lock();
        try {
            return extended ? backend.snapshot(true) : backend.snapshot();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void reply(OutputStream out, String body, int errno, String message) throws IOException {
        if (errno != 0) log.warn("UAPI {}: errno=-{}: {}", ifname, errno, message);
        out.write((body + UapiProtocol.formatErrno(errno)).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private static final class LineTooLongException extends IOException {
        LineTooLongException() {
            super("line too long");
        }
    }

    /** Reads {@code \n}-terminated lines of bytes (as ISO-8859-1), at most {@link UapiProtocol#MAX_LINE}. */
    private static final class LineReader {
        private final InputStream in;
        private final byte[] buf = new byte[UapiProtocol.MAX_LINE + 2];

        LineReader(InputStream in) {
            this.in = in;
        }

        /** The next line without its {@code \n}; at the end of input, the unterminated rest, or null if none. */
        String readLine() throws IOException {
            int n = 0;
            while (true) {
                int b = in.read();
                if (b < 0) return n == 0 ? null : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                if (b == '\n') return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                if (n == buf.length) throw new LineTooLongException();
                buf[n++] = (byte) b;
            }
        }
    }
}
