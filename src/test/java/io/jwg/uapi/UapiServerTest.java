package io.jwg.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class UapiServerTest {
    static final Key PRIV = Key.of(UapiProtocolTest.filled(0x11));
    static final Key PUB1 = UapiProtocolTest.PUB1;
    static final String PUB1_HEX = UapiProtocolTest.PUB1_HEX;

    @TempDir
    Path tmp;
    Path dir;
    FakeBackend backend;
    UapiServer server;

    @BeforeEach
    void start() throws Exception {
        dir = tmp.resolve("run");
        backend = new FakeBackend();
        server = UapiServer.start("wgt0", backend, dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A raw connection that sends text and reads replies up to their blank line. */
    static final class Conn implements AutoCloseable {
        final SocketChannel ch;
        final InputStream in;

        Conn(Path socket) throws IOException {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            in = Channels.newInputStream(ch);
        }

        Conn send(String s) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
            while (b.hasRemaining()) ch.write(b);
            return this;
        }

        /** The next reply up to and including its blank line, or what came before the end of input. */
        String reply() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int prev = '\n';
            int c;
            while ((c = in.read()) >= 0) {
                out.write(c);
                if (c == '\n' && prev == '\n') break;
                prev = c;
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }

        boolean atEnd() throws IOException {
            return in.read() < 0;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    Conn connect() throws IOException {
        return new Conn(server.socketPath());
    }

    @Test
    void socketAndDirectoryPermissions() throws Exception {
        assertThat(server.socketPath()).isEqualTo(dir.resolve("wgt0.sock"));
        assertThat(UapiServer.isSocket(server.socketPath())).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.socketPath()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("wgt0.sock"); // no temporary left over
        }
    }

    @Test
    void anExistingDirectoryKeepsItsMode() throws Exception {
        Path other = tmp.resolve("other");
        Files.createDirectory(other);
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (UapiServer s = UapiServer.start("wgt1", backend, other)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(other))).isEqualTo("rwxr-xr-x");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s.socketPath()))).isEqualTo("rw-------");
        }
    }

    @Test
    void get() throws Exception {
        PeerSnapshot p = new PeerSnapshot(PUB1, null, new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 51820), 7, 8, 9, 10, 0,
                List.of(IpPrefix.parse("10.9.0.2/32")));
        backend.snapshot = new DeviceSnapshot(PRIV, 51820, 0, List.of(p));
        try (Conn c = connect()) {
            assertThat(c.send("get=1\n\n").reply()).isEqualTo(UapiProtocol.formatGet(backend.snapshot) + "errno=0\n\n");
        }
    }

    @Test
    void severalRequestsOnOneConnection() throws Exception {
        try (Conn c = connect()) {
            assertThat(c.send("get=1\n\n").reply()).isEqualTo("errno=0\n\n");
            assertThat(c.send("set=1\nlisten_port=7\n\n").reply()).isEqualTo("errno=0\n\n");
            assertThat(c.send("set=1\npublic_key=" + PUB1_HEX + "\nallowed_ip=10.0.0.0/8\n\nget=1\n\n").reply()).isEqualTo("errno=0\n\n");
            assertThat(c.reply()).isEqualTo("errno=0\n\n");
        }
        assertThat(backend.applied).hasSize(2);
        assertThat(backend.applied.get(0).listenPort()).hasValue(7);
        assertThat(backend.applied.get(1).peers().getFirst().allowedIps())
                .containsExactly(SetRequest.AllowedIpChange.add(IpPrefix.parse("10.0.0.0/8")));
    }

    @Test
    void setEndingAtEndOfInputIsApplied() throws Exception {
        try (Conn c = connect()) {
            c.send("set=1\nlisten_port=9\n");
            c.ch.shutdownOutput();
            assertThat(c.reply()).isEqualTo("errno=0\n\n");
            assertThat(c.atEnd()).isTrue();
        }
        assertThat(backend.applied.getFirst().listenPort()).hasValue(9);
    }

    @Test
    void malformedSetRepliesErrnoAndEndsTheConnectionWithoutApplying() throws Exception {
        try (Conn c = connect()) {
            assertThat(c.send("set=1\nlisten_port=1\nbogus\nlisten_port=2\n\n").reply()).isEqualTo("errno=-71\n\n");
            assertThat(c.atEnd()).isTrue();
        }
        try (Conn c = connect()) {
            assertThat(c.send("set=1\nlisten_port=1\nbogus=1\n\n").reply()).isEqualTo("errno=-22\n\n");
        }
        try (Conn c = connect()) {
            assertThat(c.send("set=1\npublic_key=" + PUB1_HEX + "\nendpoint=[fd00::1]:99999\n\n").reply()).isEqualTo("errno=-22\n\n");
        }
        assertThat(backend.applied).isEmpty();
        try (Conn c = connect()) {
            assertThat(c.send("get=1\n\n").reply()).isEqualTo("errno=0\n\n"); // still serving
        }
    }

    @Test
    void theErrorReplyComesBeforeTheRestOfTheRequest() throws Exception {
        try (Conn c = connect()) {
            // no blank line sent: the reply must not wait for it
            assertThat(c.send("set=1\nnot a key value line\n").reply()).isEqualTo("errno=-71\n\n");
        }
    }

    @Test
    void backendErrorsBecomeErrnoReplies() throws Exception {
        backend.failApply = new UapiException(Errno.EADDRINUSE, "port in use");
        try (Conn c = connect()) {
            assertThat(c.send("set=1\nlisten_port=1\n\n").reply()).isEqualTo("errno=-98\n\n");
            // the connection goes on after an error of the device
            backend.failApply = null;
            assertThat(c.send("set=1\nlisten_port=1\n\n").reply()).isEqualTo("errno=0\n\n");
        }
        backend.crash = new IllegalStateException("bug");
        try (Conn c = connect()) {
            assertThat(c.send("set=1\nlisten_port=1\n\n").reply()).isEqualTo("errno=-55\n\n");
            assertThat(c.send("get=1\n\n").reply()).isEqualTo("errno=-55\n\n");
        }
        backend.crash = null;
        try (Conn c = connect()) {
            assertThat(c.send("get=1\n\n").reply()).isEqualTo("errno=0\n\n");
        }
    }

    @Test
    void badOperations() throws Exception {
        for (String bad : List.of("hello\n", "get=2\n\n", "GET=1\n\n", "set=1 \n\n", "\n", "get=1\nx\n", "get=1 \n\n")) {
            try (Conn c = connect()) {
                assertThat(c.send(bad).reply()).as(bad).isEqualTo("errno=-22\n\n");
                assertThat(c.atEnd()).as(bad).isTrue();
            }
        }
        try (Conn c = connect()) {
            c.send("get=1\n");
            c.ch.shutdownOutput();
            assertThat(c.reply()).isEmpty(); // as wireguard-go: the get never completed
        }
    }

    @Test
    void tooLongLine() throws Exception {
        try (Conn c = connect()) {
            assertThat(c.send("set=1\nlisten_port=" + "1".repeat(70_000) + "\n\n").reply()).isEqualTo("errno=-5\n\n");
        }
        assertThat(backend.applied).isEmpty();
    }

    @Test
    void manyConnectionsAtOnce() throws Exception {
        backend.snapshot = new DeviceSnapshot(PRIV, 1, 0, List.of());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                replies.add(pool.submit(() -> {
                    try (Conn c = connect()) {
                        c.send("set=1\nlisten_port=" + n + "\n\n").reply();
                        return c.send("get=1\n\n").reply();
                    }
                }));
            }
            for (Future<String> f : replies) assertThat(f.get(20, TimeUnit.SECONDS)).endsWith("errno=0\n\n");
        } finally {
            pool.shutdownNow();
        }
        assertThat(backend.applied).hasSize(50);
    }

    @Test
    void refusesToReplaceALiveSocket() throws Exception {
        assertThatThrownBy(() -> UapiServer.start("wgt0", new FakeBackend(), dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
        try (Conn c = connect()) {
            assertThat(c.send("get=1\n\n").reply()).isEqualTo("errno=0\n\n");
        }
    }

    @Test
    void replacesAStaleSocket() throws Exception {
        Path stale = dir.resolve("wgt2.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();
        try (UapiServer s = UapiServer.start("wgt2", backend, dir); Conn c = new Conn(s.socketPath())) {
            assertThat(c.send("get=1\n\n").reply()).isEqualTo("errno=0\n\n");
        }
        assertThat(stale).doesNotExist();
    }

    @Test
    void refusesToReplaceAFileThatIsNotASocket() throws Exception {
        Files.writeString(dir.resolve("wgt3.sock"), "x");
        assertThatThrownBy(() -> UapiServer.start("wgt3", backend, dir)).isInstanceOf(IOException.class).hasMessageContaining("not a socket");
        assertThat(dir.resolve("wgt3.sock")).hasContent("x");
    }

    @Test
    void rejectsBadInterfaceNames() {
        assertThatThrownBy(() -> UapiServer.start("a/b", backend, dir)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UapiServer.start("0123456789abcdef", backend, dir)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeRemovesTheSocketAndEndsConnections() throws Exception {
        Conn c = connect();
        assertThat(c.send("get=1\n\n").reply()).contains("errno=0"); // the server has accepted it
        server.close();
        assertThat(server.socketPath()).doesNotExist();
        assertThat(c.atEnd()).isTrue();
        c.close();
        server.close(); // idempotent
    }

    @Test
    void closeLeavesASocketThatIsNoLongerOurs() throws Exception {
        Files.delete(server.socketPath());
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(server.socketPath()));
            server.close();
            assertThat(server.socketPath()).exists();
        }
    }

    @Test
    void onSocketRemovedFires() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        server.onSocketRemoved(fired::countDown);
        Files.delete(server.socketPath());
        assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
    }

    // ---------------------------------------------------------------- the client against the server

    @Test
    void clientGetSetAndList() throws Exception {
        UapiClient client = UapiClient.in(dir);
        PeerSnapshot p = new PeerSnapshot(PUB1, Key.of(UapiProtocolTest.filled(3)),
                new InetSocketAddress(InetAddress.getByName("fd00::9"), 4), 1, 2, 3, 4, 5, List.of(IpPrefix.parse("::/0")));
        backend.snapshot = new DeviceSnapshot(PRIV, 3, 4, List.of(p));
        assertThat(client.get("wgt0")).isEqualTo(backend.snapshot);

        SetRequest r = new SetRequest(Optional.empty(), OptionalInt.of(5), OptionalLong.empty(), true,
                List.of(SetRequest.PeerUpdate.removal(PUB1)));
        client.set("wgt0", r);
        assertThat(backend.applied).containsExactly(r);

        backend.failApply = new UapiException(Errno.EADDRINUSE, "x");
        assertThatThrownBy(() -> client.set("wgt0", r)).isInstanceOfSatisfying(UapiException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));

        assertThat(client.interfaces()).containsExactly("wgt0");
        assertThat(client.isInterface("wgt0")).isTrue();
        assertThat(UapiClient.in(tmp.resolve("missing")).interfaces()).isEmpty();
    }

    @Test
    void clientErrors() throws Exception {
        UapiClient client = UapiClient.in(dir);
        assertThatThrownBy(() -> client.get("nosuch")).isInstanceOfSatisfying(UapiException.class,
                e -> assertThat(Errno.message(e.errno())).isEqualTo("No such device"));
        assertThatThrownBy(() -> client.get("a/b")).isInstanceOfSatisfying(UapiException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        Files.writeString(dir.resolve("file.sock"), "");
        assertThatThrownBy(() -> client.get("file")).isInstanceOfSatisfying(UapiException.class,
                e -> assertThat(e.errno()).isEqualTo(19));
        // a stale socket is removed by the client, as wg removes it
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(client.interfaces()).containsExactly("wgt0");
        assertThat(stale).doesNotExist();
    }

    @Test
    void clientTimesOutOnAServerThatNeverAnswers() throws Exception {
        Path silent = dir.resolve("silent.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(silent));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> UapiClient.in(dir).withTimeout(Duration.ofMillis(300)).get("silent")).isInstanceOfSatisfying(UapiException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        } finally {
            Files.deleteIfExists(silent);
        }
    }
}
