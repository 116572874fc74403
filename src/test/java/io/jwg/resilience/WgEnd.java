package io.jwg.resilience;

import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One WireGuard interface in a namespace, run by jwg ({@code scripts/jwg -v up IF.conf}) or by
 * wireguard-go ({@code wireguard-go -f IF} configured with {@code wg setconf} and iproute2), from
 * the same wg-quick style configuration. It can be stopped (SIGTERM, as a service manager would)
 * and started again as a new process with no sessions. Both kinds serve the UAPI socket, so
 * {@link #wg} works the same on each.
 */
final class WgEnd implements AutoCloseable {
    enum Impl { JWG, WGGO }

    private record PeerSpec(String publicKey, String allowedIps, String endpoint, int keepalive) {}

    final Lab lab;
    final Netns ns;
    final Impl impl;
    final String ifname;
    final Key key = Key.generatePrivate();
    /** Inner address with prefix, e.g. 10.61.0.1/24. */
    final String address;
    private final int listenPort;
    private final List<PeerSpec> peers = new ArrayList<>();
    private String javaOpts = "";
    private Process process;
    private final List<Path> logs = new ArrayList<>();

    WgEnd(Lab lab, Netns ns, Impl impl, String role, String address, int listenPort) {
        this.lab = lab;
        this.ns = ns;
        this.impl = impl;
        this.ifname = Lab.ifname(role);
        this.address = address;
        this.listenPort = listenPort;
        lab.add(this);
    }

    /** The inner address without prefix length. */
    String ip() {
        return address.substring(0, address.indexOf('/'));
    }

    String publicKey() {
        return key.publicKey().toBase64();
    }

    /** Adds other as a peer (AllowedIPs: its inner /32); endpoint may be null, keepalive 0 for none. */
    WgEnd peer(WgEnd other, String endpoint, int keepalive) {
        peers.add(new PeerSpec(other.publicKey(), other.ip() + "/32", endpoint, keepalive));
        return this;
    }

    /** Extra JVM options for jwg (appended through JWG_JAVA_OPTS), e.g. the test time scale. */
    WgEnd javaOpts(String opts) {
        this.javaOpts = opts;
        return this;
    }

    private String config(boolean quick) {
        StringBuilder b = new StringBuilder("[Interface]\nPrivateKey = ").append(key.toBase64()).append('\n');
        if (quick) b.append("Address = ").append(address).append('\n');
        if (listenPort > 0) b.append("ListenPort = ").append(listenPort).append('\n');
        for (PeerSpec p : peers) {
            b.append("\n[Peer]\nPublicKey = ").append(p.publicKey()).append("\nAllowedIPs = ").append(p.allowedIps()).append('\n');
            if (p.endpoint() != null) b.append("Endpoint = ").append(p.endpoint()).append('\n');
            if (p.keepalive() > 0) b.append("PersistentKeepalive = ").append(p.keepalive()).append('\n');
        }
        return b.toString();
    }

    /** Starts a new process and waits (bounded) until the interface is configured and up. */
    synchronized WgEnd start() throws IOException {
        if (process != null && process.isAlive()) throw new IllegalStateException(ifname + " is already running");
        Path log = lab.dir.resolve(ifname + "." + (logs.size() + 1) + ".log");
        logs.add(log);
        if (impl == Impl.JWG) startJwg(log);
        else startWireguardGo(log);
        return this;
    }

    private void startJwg(Path log) throws IOException {
        Lab.ensureBuilt();
        Path conf = lab.dir.resolve(ifname + ".conf");
        Files.writeString(conf, config(true));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns.name(),
                Lab.project().resolve("scripts/jwg").toString(), "-v", "up", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JWG_JAVA_OPTS", ("-Djwg.rundir=" + lab.dir.resolve("run") + " " + javaOpts).strip());
        process = pb.start();
        Process p = process;
        boolean up = Netns.await(Duration.ofSeconds(60), () -> !p.isAlive() || read(log).contains("interface " + ifname + " is up"));
        if (!p.isAlive() || !up) {
            kill(p);
            throw new AssertionError("jwg " + ifname + " did not come up" + (p.isAlive() ? " within 60 s" : " (exit " + p.exitValue() + ")")
                    + ":\n" + read(log));
        }
    }

    private void startWireguardGo(Path log) throws IOException {
        Path sock = socket();
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns.name(), "wireguard-go", "-f", ifname)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LOG_LEVEL", "verbose");
        process = pb.start();
        Process p = process;
        if (!Netns.await(Duration.ofSeconds(10), () -> !p.isAlive() || Files.exists(sock)) || !p.isAlive()) {
            kill(p);
            throw new AssertionError("wireguard-go " + ifname + " did not start:\n" + read(log));
        }
        Path conf = lab.dir.resolve(ifname + ".wg.conf");
        Files.writeString(conf, config(false));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        ns.run("wg", "setconf", ifname, conf.toString());
        ns.run("ip", "addr", "add", address, "dev", ifname);
        ns.run("ip", "link", "set", ifname, "up");
    }

    boolean running() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * SIGTERM and waits (bounded) for the process to exit and its interface and UAPI socket to be
     * gone, as a clean shutdown must leave them.
     */
    synchronized void stop() throws InterruptedException {
        Process p = process;
        if (p == null || !p.isAlive()) return;
        p.destroy();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            kill(p);
            throw new AssertionError(ifname + " (" + impl + ") did not exit within 15 s of SIGTERM:\n" + log());
        }
        Netns.waitFor(Duration.ofSeconds(10), ifname + " removed after its process exited",
                () -> !ns.exec("ip", "link", "show", "dev", ifname).ok());
        Netns.waitFor(Duration.ofSeconds(5), socket() + " removed", () -> !Files.exists(socket()));
    }

    /** A new process with the same configuration: no sessions, no learned endpoints. */
    WgEnd restart() throws Exception {
        stop();
        return start();
    }

    /** Runs {@code wg ARGS} in the namespace (it talks to this end's UAPI socket). */
    String wg(String... args) {
        List<String> cmd = new ArrayList<>(List.of("wg"));
        cmd.addAll(List.of(args));
        return ns.run(cmd.toArray(String[]::new));
    }

    /** The endpoint this end has for peer ("(none)" when it has none), from {@code wg show IF endpoints}. */
    String endpointOf(WgEnd peer) {
        return field(wg("show", ifname, "endpoints"), peer);
    }

    /** Seconds since the epoch of the latest handshake with peer, 0 if none. */
    long latestHandshake(WgEnd peer) {
        return Long.parseLong(field(wg("show", ifname, "latest-handshakes"), peer));
    }

    private String field(String out, WgEnd peer) {
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 2 && f[0].equals(peer.publicKey())) return f[1];
        }
        throw new AssertionError("peer " + peer.publicKey() + " not in `wg show " + ifname + "` output: " + out);
    }

    Path socket() {
        return Path.of("/var/run/wireguard", ifname + ".sock");
    }

    /** Everything this end's processes have logged so far. */
    String log() {
        StringBuilder b = new StringBuilder();
        for (Path l : logs) b.append("---- ").append(l.getFileName()).append('\n').append(read(l));
        return b.toString();
    }

    /** The log of the current (latest) process. */
    String currentLog() {
        return logs.isEmpty() ? "" : read(logs.getLast());
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static void kill(Process p) {
        if (p == null || !p.isAlive()) return;
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public synchronized void close() throws IOException {
        kill(process);
        Files.deleteIfExists(socket());
        Files.deleteIfExists(lab.dir.resolve("run").resolve(ifname + ".pid"));
    }

    @Override
    public String toString() {
        return impl + " " + ifname + " in " + ns.name();
    }
}
