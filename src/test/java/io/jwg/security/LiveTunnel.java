package io.jwg.security;

import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live fixture of the security tests: three namespaces, a jwg server ({@code jwg up -v}), a jwg
 * client, and an attacker namespace with its own link to the server.
 *
 * <pre>
 *   cli 10.210.1.2 ──veth── 10.210.1.1 srv 10.210.2.1 ──veth── 10.210.2.2 atk
 *   tunnel: client 10.211.0.2  ⇄  server 10.211.0.1 (UDP 51820)
 * </pre>
 * jwg runs from the test class path with the launcher's JVM flags (what scripts/jwg runs, without
 * needing the jar to be built first). Everything is torn down by {@link #close()}, and by Netns's
 * shutdown hook if the JVM dies.
 */
final class LiveTunnel implements AutoCloseable {
    static final String SRV_CLI = "10.210.1.1", CLI = "10.210.1.2", SRV_ATK = "10.210.2.1", ATK = "10.210.2.2";
    static final String SRV_TUN = "10.211.0.1", CLI_TUN = "10.211.0.2";
    static final int PORT = 51820;

    final Netns srv, cli, atk;
    final Netns.Veth srvCli, srvAtk;
    final Key serverKey = Key.generatePrivate(), clientKey = Key.generatePrivate(), psk = Key.generatePreshared();
    final String serverIf, clientIf;
    final Path dir, serverLog, clientLog;
    final Process server, client;

    LiveTunnel(Path dir) throws Exception {
        this.dir = dir;
        String suffix = Long.toString(ProcessHandle.current().pid() % 100000);
        serverIf = "jsecs" + suffix;
        clientIf = "jsecc" + suffix;
        List<Netns> made = new ArrayList<>();
        try {
            srv = add(made, Netns.create("secsrv"));
            cli = add(made, Netns.create("seccli"));
            atk = add(made, Netns.create("secatk"));
            srvCli = Netns.pair(srv, cli, SRV_CLI + "/24", CLI + "/24");
            srvAtk = Netns.pair(srv, atk, SRV_ATK + "/24", ATK + "/24");
            Path sConf = dir.resolve(serverIf + ".conf"), cConf = dir.resolve(clientIf + ".conf");
            writeConf(sConf, "[Interface]\nPrivateKey = " + serverKey.toBase64() + "\nAddress = " + SRV_TUN + "/24\nListenPort = " + PORT
                    + "\n\n[Peer]\nPublicKey = " + clientKey.publicKey().toBase64() + "\nPresharedKey = " + psk.toBase64()
                    + "\nAllowedIPs = " + CLI_TUN + "/32\n");
            writeConf(cConf, "[Interface]\nPrivateKey = " + clientKey.toBase64() + "\nAddress = " + CLI_TUN + "/24\n\n[Peer]\nPublicKey = "
                    + serverKey.publicKey().toBase64() + "\nPresharedKey = " + psk.toBase64() + "\nAllowedIPs = " + SRV_TUN
                    + "/32\nEndpoint = " + SRV_CLI + ":" + PORT + "\n");
            serverLog = dir.resolve("server.log");
            clientLog = dir.resolve("client.log");
            server = srv.start(jwg("up", "-v", sConf.toString()), serverLog);
            client = cli.start(jwg("up", "-v", cConf.toString()), clientLog);
            Netns.waitFor(Duration.ofSeconds(30), "both jwg interfaces up (logs: " + dir + ")",
                    () -> Files.exists(socket(serverIf)) && Files.exists(socket(clientIf)) && server.isAlive() && client.isAlive());
            Netns.waitFor(Duration.ofSeconds(20), "a ping through the tunnel", () -> cli.exec("ping", "-c", "1", "-W", "1", SRV_TUN).ok());
        } catch (Throwable e) {
            for (Netns n : made) n.close();
            throw e;
        }
    }

    private static Netns add(List<Netns> made, Netns n) {
        made.add(n);
        return n;
    }

    static void writeConf(Path p, String text) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }

    /**
     * The command that runs jwg as scripts/jwg does, from this JVM's class path; JVM options in the
     * environment variable JWG_TEST_JVM_OPTS are added (a profiler, or a -Djwg property to compare).
     */
    static List<String> jwg(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders", "-Xss512k",
                "-cp", System.getProperty("java.class.path"), "io.jwg.cli.Main"));
        String extra = System.getenv("JWG_TEST_JVM_OPTS");
        if (extra != null && !extra.isBlank()) cmd.addAll(1, List.of(extra.strip().split("\\s+")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Path socket(String ifname) {
        return Path.of("/var/run/wireguard", ifname + ".sock");
    }

    String wg(Netns ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("wg"));
        cmd.addAll(List.of(args));
        return ns.run(cmd.toArray(String[]::new));
    }

    /**
     * The interface's drop counters by reason (authentication, replay, unknown_peer, malformed, ...),
     * from jwg's UAPI extension ({@code get=1} + {@code jwg_extensions=1}, docs/uapi-extensions.md).
     */
    static Map<String, Long> drops(String ifname) throws IOException {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket(ifname)))) {
            ch.write(ByteBuffer.wrap("get=1\njwg_extensions=1\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!reply.toString(java.nio.charset.StandardCharsets.US_ASCII).contains("errno=") || !reply.toString(java.nio.charset.StandardCharsets.US_ASCII).endsWith("\n\n")) {
                if (System.nanoTime() > deadline) throw new IOException("no complete UAPI reply: " + reply);
                buf.clear();
                if (ch.read(buf) < 0) break;
                reply.write(buf.array(), 0, buf.position());
            }
            Map<String, Long> out = new LinkedHashMap<>();
            for (String line : reply.toString(java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("public_key=")) break; // the device section ends here
                if (line.startsWith("jwg_drop_")) {
                    int eq = line.indexOf('=');
                    out.put(line.substring("jwg_drop_".length(), eq), Long.parseLong(line.substring(eq + 1)));
                }
            }
            return out;
        }
    }

    /** Per-reason increase from {@code before} to {@code after}. */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
        return d;
    }

    /** {rx, tx} of the only peer, from {@code wg show IF transfer}. */
    long[] transfer(Netns ns, String ifname) {
        String[] f = wg(ns, "show", ifname, "transfer").strip().split("\\s+");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    String endpoint(Netns ns, String ifname) {
        return wg(ns, "show", ifname, "endpoints").strip().split("\\s+")[1];
    }

    long latestHandshake(Netns ns, String ifname) {
        return Long.parseLong(wg(ns, "show", ifname, "latest-handshakes").strip().split("\\s+")[1]);
    }

    boolean ping(int count) {
        return cli.exec(Duration.ofSeconds(count + 10), "ping", "-c", Integer.toString(count), "-i", "0.2", "-W", "2", SRV_TUN).ok();
    }

    /** The java process's resident set size in KiB ({@code ip netns exec} execs the command: same pid). */
    static long rssKib(Process p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS");
    }

    /** CPU ticks (utime + stime) of each thread of a process, by thread name (summed over equal names). */
    static Map<String, Long> threadTicks(Process p) {
        return threadTicks(p.pid());
    }

    static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> out = new LinkedHashMap<>();
        Path task = Path.of("/proc", Long.toString(pid), "task");
        try (var tids = Files.list(task)) {
            for (Path t : tids.toList()) {
                try {
                    String name = Files.readString(t.resolve("comm")).strip();
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException ignored) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Per core: {user+nice, system, irq+softirq, idle+iowait, total} ticks from /proc/stat, for
     * seeing which core pays for what (the flood's softirq, the reader's system calls).
     */
    static long[][] coreTicks() {
        try {
            List<long[]> out = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (!line.startsWith("cpu") || line.startsWith("cpu ")) continue;
                String[] f = line.trim().split("\\s+");
                if (!Character.isDigit(f[0].charAt(3))) continue;
                long[] v = new long[8];
                for (int i = 0; i < 8; i++) v[i] = Long.parseLong(f[i + 1]);
                long total = 0;
                for (long x : v) total += x;
                out.add(new long[] {v[0] + v[1], v[2], v[5] + v[6], v[3] + v[4], total});
            }
            return out.toArray(long[][]::new);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Per thread name (summed over equal names): {user ticks, system ticks, voluntary + involuntary context switches}. */
    static Map<String, long[]> threadTimes(long pid) {
        Map<String, long[]> out = new LinkedHashMap<>();
        try (var tids = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tids.toList()) {
                try {
                    String name = Files.readString(t.resolve("comm")).strip();
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long switches = 0;
                    for (String line : Files.readAllLines(t.resolve("status"))) {
                        if (line.contains("ctxt_switches:")) switches += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                    long[] v = {Long.parseLong(f[11]), Long.parseLong(f[12]), switches};
                    out.merge(name, v, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
                } catch (IOException | RuntimeException ignored) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Busy and total CPU ticks of the whole machine (all cores), from /proc/stat. */
    static long[] systemTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0, idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
            return new long[] {total - idle, total};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tcpdump writing a pcap file inside a namespace; {@link #stop()} returns the UDP payloads seen. */
    static final class Capture {
        final Process process;
        final Path file, log;

        Capture(Netns ns, String ifname, String filter, Path file) throws IOException {
            this.file = file;
            this.log = file.resolveSibling(file.getFileName() + ".log");
            process = ns.start(List.of("tcpdump", "-i", ifname, "-n", "-U", "--immediate-mode", "-s", "65535", "-w", file.toString(), filter), log);
            Netns.waitFor(Duration.ofSeconds(10), "tcpdump listening on " + ifname, () -> {
                try {
                    return Files.exists(log) && Files.readString(log).contains("listening on");
                } catch (IOException e) {
                    return false;
                }
            });
        }

        List<byte[]> stop() throws Exception {
            Thread.sleep(200);
            process.destroy();
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            return udpPayloads(Files.readAllBytes(file));
        }
    }

    /**
     * UDP payloads of the IPv4 packets in a pcap file (Ethernet link type), in order. Datagrams
     * sent with UDP GSO (one UDP_SEGMENT message for several same-size datagrams to one address)
     * cross a veth pair unsegmented, so tcpdump sees one super-packet where the receiving socket
     * gets the separate datagrams: a payload made of whole cookie replies (64 bytes each, type 3)
     * is returned as those replies.
     */
    static List<byte[]> udpPayloads(byte[] pcap) {
        List<byte[]> out = new ArrayList<>();
        if (pcap.length < 24) return out;
        ByteBuffer b = ByteBuffer.wrap(pcap);
        int magic = b.getInt(0);
        b.order(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int pos = 24;
        while (pos + 16 <= pcap.length) {
            int incl = b.getInt(pos + 8);
            int p = pos + 16;
            pos = p + incl;
            if (pos > pcap.length || incl < 14 + 20 + 8) continue;
            if ((pcap[p + 12] & 0xff) != 0x08 || pcap[p + 13] != 0x00) continue; // IPv4
            int ip = p + 14;
            int ihl = (pcap[ip] & 0x0f) * 4;
            if (pcap[ip + 9] != 17) continue; // UDP
            int udp = ip + ihl;
            int len = ((pcap[udp + 4] & 0xff) << 8 | (pcap[udp + 5] & 0xff)) - 8;
            int avail = p + incl - (udp + 8);
            byte[] payload = new byte[Math.max(0, Math.min(len, avail))];
            System.arraycopy(pcap, udp + 8, payload, 0, payload.length);
            if (isCookieReplyRun(payload)) {
                for (int i = 0; i < payload.length; i += COOKIE_REPLY) out.add(Arrays.copyOfRange(payload, i, i + COOKIE_REPLY));
            } else {
                out.add(payload);
            }
        }
        return out;
    }

    private static final int COOKIE_REPLY = 64;

    /** Two or more whole 64-byte type-3 messages back to back (a GSO super-packet of cookie replies). */
    static boolean isCookieReplyRun(byte[] payload) {
        if (payload.length <= COOKIE_REPLY || payload.length % COOKIE_REPLY != 0) return false;
        for (int i = 0; i < payload.length; i += COOKIE_REPLY) {
            if (payload[i] != 3 || payload[i + 1] != 0 || payload[i + 2] != 0 || payload[i + 3] != 0) return false;
        }
        return true;
    }

    /** bits per second received, from iperf3 -J output. */
    static double iperfBps(String json) {
        Matcher m = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)", Pattern.DOTALL).matcher(json);
        if (!m.find()) throw new AssertionError("no iperf3 result in: " + json.substring(0, Math.min(2000, json.length())));
        return Double.parseDouble(m.group(1));
    }

    @Override
    public void close() {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary directory; best effort
        }
        atk.close();
        cli.close();
        srv.close();
        for (String i : List.of(serverIf, clientIf)) {
            try {
                Files.deleteIfExists(socket(i));
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
