package io.jwg.resilience;

import io.jwg.testing.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A paced TCP transfer through the tunnel with python3 sockets: a sink in one namespace that
 * hashes what it receives (SHA-256) and echoes count and digest back; a source in another that
 * sends pseudo-random bytes at a fixed rate, so that the transfer lasts long enough to span
 * whatever the test does to the network meanwhile.
 */
final class Transfer implements AutoCloseable {
    private static final String SINK = """
            import hashlib, socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2])))
            s.listen(1)
            s.settimeout(60)
            print("listening", flush=True)
            c, peer = s.accept()
            c.settimeout(60)
            h = hashlib.sha256()
            n = 0
            while True:
                b = c.recv(65536)
                if not b:
                    break
                h.update(b)
                n += len(b)
            print(f"received {n} {h.hexdigest()}", flush=True)
            c.sendall(f"{n} {h.hexdigest()}\\n".encode())
            c.close()
            """;
    private static final String SOURCE = """
            import hashlib, random, socket, sys, time
            host, port, total, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
            rng = random.Random(20240601)
            s = socket.create_connection((host, port), timeout=10)
            s.settimeout(60)
            h = hashlib.sha256()
            n = 0
            t0 = time.monotonic()
            print("connected", flush=True)
            while n < total:
                b = rng.randbytes(min(16384, total - n))
                s.sendall(b)
                h.update(b)
                n += len(b)
                ahead = n / rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
            print(f"sent {n} {h.hexdigest()} {time.monotonic() - t0:.2f}", flush=True)
            s.shutdown(socket.SHUT_WR)
            print("echo " + s.makefile().readline().strip(), flush=True)
            """;

    private final Process sink;
    private final Process source;
    private final Path sinkOut;
    private final Path sourceOut;

    /** Starts the sink on sinkIp:port in sinkNs, then the source in sourceNs: total bytes at rate bytes/s. */
    Transfer(Lab lab, Netns sinkNs, String sinkIp, int port, Netns sourceNs, long total, long rate) throws IOException {
        String tag = sinkNs.name() + "-" + System.nanoTime();
        Path sinkPy = lab.dir.resolve("sink-" + tag + ".py");
        Path sourcePy = lab.dir.resolve("source-" + tag + ".py");
        Files.writeString(sinkPy, SINK);
        Files.writeString(sourcePy, SOURCE);
        sinkOut = lab.dir.resolve("sink-" + tag + ".txt");
        sourceOut = lab.dir.resolve("source-" + tag + ".txt");
        sink = start(sinkNs, sinkOut, Lab.python(), "-u", sinkPy.toString(), sinkIp, Integer.toString(port));
        lab.add(this);
        Netns.waitFor(Duration.ofSeconds(10), "the sink to listen", () -> WgEnd.read(sinkOut).contains("listening") || !sink.isAlive());
        if (!sink.isAlive()) throw new AssertionError("sink failed: " + WgEnd.read(sinkOut));
        source = start(sourceNs, sourceOut, Lab.python(), "-u", sourcePy.toString(), sinkIp, Integer.toString(port),
                Long.toString(total), Long.toString(rate));
        Netns.waitFor(Duration.ofSeconds(10), "the source to connect", () -> WgEnd.read(sourceOut).contains("connected") || !source.isAlive());
        if (!source.isAlive() && !WgEnd.read(sourceOut).contains("connected")) throw new AssertionError("source failed: " + WgEnd.read(sourceOut));
    }

    private static Process start(Netns ns, Path out, String... cmd) throws IOException {
        List<String> full = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        full.addAll(List.of(cmd));
        return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    boolean sending() {
        return source.isAlive() && !WgEnd.read(sourceOut).contains("sent ");
    }

    /** Waits (bounded) for both ends to finish; returns {sent line, received line, echo line}. */
    String[] await(Duration timeout) throws InterruptedException {
        long ms = timeout.toMillis();
        long t0 = System.currentTimeMillis();
        boolean done = source.waitFor(ms, TimeUnit.MILLISECONDS)
                && sink.waitFor(Math.max(1, ms - (System.currentTimeMillis() - t0)), TimeUnit.MILLISECONDS);
        String so = WgEnd.read(sourceOut), si = WgEnd.read(sinkOut);
        if (!done) throw new AssertionError("transfer did not finish within " + timeout + "; source: " + so + " sink: " + si);
        return new String[] {line(so, "sent "), line(si, "received "), line(so, "echo ")};
    }

    private static String line(String out, String prefix) {
        for (String l : out.split("\n")) if (l.startsWith(prefix)) return l.substring(prefix.length()).strip();
        throw new AssertionError("no '" + prefix.strip() + "' line in: " + out);
    }

    @Override
    public void close() {
        WgEnd.kill(source);
        WgEnd.kill(sink);
    }
}
