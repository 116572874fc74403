package io.jwg.loadgen;

import io.jwg.crypto.Key;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Command line of the handshake load generator (scripts/handshake-load):
 *
 * <pre>
 * handshake-load peers N DIR     N new peers: DIR/peers.key (their private keys, one a line) and
 *                                DIR/peers.conf ([Peer] sections for the server, AllowedIPs 10.200.x.y/32)
 * handshake-load run --server IP:PORT --server-key PUBKEY --keys DIR/peers.key
 *                    [--handshakes 20000] [--warmup 5000] [--concurrency 64] [--threads CPUS]
 *                    [--timeout-ms 1000] [--no-keepalive]
 * </pre>
 *
 * {@code run} prints one line: {@code handshakes_per_second=... completed=... lost=... ...}.
 */
public final class HandshakeLoadCli {
    /** Peers get AllowedIPs 10.200.0.1/32, 10.200.0.2/32, ... (65,535 at most). */
    static final int MAX_PEERS = 65_535;

    private HandshakeLoadCli() {}

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (UsageException e) {
            System.err.println("handshake-load: " + e.getMessage());
            System.exit(2);
        } catch (java.nio.file.NoSuchFileException e) {
            System.err.println("handshake-load: " + e.getFile() + ": no such file");
            System.exit(1);
        } catch (IOException e) {
            System.err.println("handshake-load: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            System.exit(130);
        }
    }

    static int run(String[] args) throws IOException, InterruptedException {
        if (args.length == 0) throw new UsageException("usage: handshake-load peers N DIR | run --server IP:PORT --server-key KEY --keys FILE [options]");
        switch (args[0]) {
            case "peers" -> {
                if (args.length != 3) throw new UsageException("usage: handshake-load peers N DIR");
                writePeers(intValue("N", args[1], 1, MAX_PEERS), Path.of(args[2]));
                return 0;
            }
            case "run" -> {
                HandshakeLoad.Result r = HandshakeLoad.run(parseRun(args));
                System.out.println(r);
                return r.completed() > 0 ? 0 : 1;
            }
            default -> throw new UsageException("unknown command '" + args[0] + "' (peers, run)");
        }
    }

    /** Writes DIR/peers.key (N new private keys) and DIR/peers.conf (their [Peer] sections). */
    public static void writePeers(int n, Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder keys = new StringBuilder(), conf = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            Key k = Key.generatePrivate();
            keys.append(k.toBase64()).append('\n');
            conf.append("[Peer]\nPublicKey = ").append(k.publicKey().toBase64())
                    .append("\nAllowedIPs = 10.200.").append(i >> 8).append('.').append(i & 0xff).append("/32\n\n");
        }
        Path keyFile = dir.resolve("peers.key");
        Files.deleteIfExists(keyFile);
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, keys);
        Files.writeString(dir.resolve("peers.conf"), conf);
    }

    static HandshakeLoad.Options parseRun(String[] args) throws IOException {
        InetSocketAddress server = null;
        Key serverKey = null;
        Path keys = null;
        int handshakes = 20_000, warmup = 5_000, concurrency = 64, threads = Runtime.getRuntime().availableProcessors();
        long timeoutMs = 1000;
        boolean keepalive = true;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--no-keepalive")) {
                keepalive = false;
                continue;
            }
            if (i + 1 >= args.length) throw new UsageException(a.startsWith("--") ? a + " needs a value" : "unexpected argument '" + a + "'");
            String v = args[++i];
            switch (a) {
                case "--server" -> server = socketAddress(v);
                case "--server-key" -> serverKey = key(v);
                case "--keys" -> keys = Path.of(v);
                case "--handshakes" -> handshakes = intValue(a, v, 1, 10_000_000);
                case "--warmup" -> warmup = intValue(a, v, 0, 10_000_000);
                case "--concurrency" -> concurrency = intValue(a, v, 1, 100_000);
                case "--threads" -> threads = intValue(a, v, 1, 256);
                case "--timeout-ms" -> timeoutMs = intValue(a, v, 1, 600_000);
                default -> throw new UsageException("unknown option '" + a + "'");
            }
        }
        if (server == null || serverKey == null || keys == null) throw new UsageException("run needs --server, --server-key and --keys");
        List<Key> peerKeys = new ArrayList<>();
        for (String line : Files.readAllLines(keys)) {
            if (!line.isBlank()) peerKeys.add(key(line));
        }
        if (peerKeys.isEmpty()) throw new UsageException(keys + ": no keys");
        return new HandshakeLoad.Options(server, serverKey, peerKeys, concurrency, handshakes, warmup, keepalive,
                timeoutMs * 1_000_000L, threads);
    }

    private static InetSocketAddress socketAddress(String v) {
        int colon = v.lastIndexOf(':');
        if (colon <= 0) throw new UsageException("--server must be IP:PORT, not '" + v + "'");
        String host = v.substring(0, colon).replace("[", "").replace("]", "");
        try {
            return new InetSocketAddress(InetAddress.getByName(host), intValue("port", v.substring(colon + 1), 1, 65535));
        } catch (java.net.UnknownHostException e) {
            throw new UsageException("cannot resolve '" + host + "'");
        }
    }

    private static Key key(String v) {
        try {
            return Key.fromBase64(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad key: " + e.getMessage());
        }
    }

    private static int intValue(String what, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(String.format(Locale.ROOT, "%s must be a number from %d to %d, not '%s'", what, min, max, v));
    }

    /** A mistake on the command line: reported in one line. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
