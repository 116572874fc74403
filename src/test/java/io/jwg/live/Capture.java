package io.jwg.live;

import io.jwg.testing.Netns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump on one interface of a namespace into a pcap (every frame, no filter; {@code --immediate-mode}, else
 * frames of the last second are still in the kernel ring when tcpdump is stopped), and tshark checks on the
 * result. {@link #stop()} (or close) ends tcpdump with SIGTERM so that the pcap is complete.
 */
final class Capture implements AutoCloseable {
    private static final Duration TSHARK_TIMEOUT = Duration.ofSeconds(60);

    private final Process tcpdump;
    private final Path pcap;
    private final Path log;

    private Capture(Process tcpdump, Path pcap, Path log) {
        this.tcpdump = tcpdump;
        this.pcap = pcap;
        this.log = log;
    }

    static Capture start(Netns ns, String ifname, Path pcap, Path log) throws IOException {
        Process p = ns.start(List.of("tcpdump", "-i", ifname, "-n", "-U", "--immediate-mode", "-w", pcap.toString()), log);
        Capture c = new Capture(p, pcap, log);
        try {
            Netns.waitFor(Duration.ofSeconds(15), "tcpdump listening on " + ifname, () -> {
                if (!p.isAlive()) {
                    throw new AssertionError("tcpdump exited with " + p.exitValue() + ": " + c.logText());
                }
                return c.logText().contains("listening on");
            });
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    Path pcap() {
        return pcap;
    }

    /** Ends tcpdump (SIGTERM, then SIGKILL after 5 s) and waits for the pcap to be flushed. */
    void stop() throws InterruptedException {
        if (!tcpdump.isAlive()) {
            return;
        }
        tcpdump.destroy();
        if (!tcpdump.waitFor(5, TimeUnit.SECONDS)) {
            tcpdump.destroyForcibly();
            tcpdump.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Values of {@code field} (one per frame) of the frames matching the display filter, with UDP port
     * {@code wgPort} decoded as WireGuard.
     */
    List<String> fields(int wgPort, String displayFilter, String field) throws IOException, InterruptedException {
        Path out = Files.createTempFile(pcap.getParent(), "tshark", ".out");
        try {
            Process p = new ProcessBuilder("tshark", "-n", "-r", pcap.toString(), "-d", "udp.port==" + wgPort + ",wg",
                    "-Y", displayFilter, "-T", "fields", "-e", field)
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD) // "Running as user root ..." noise
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(TSHARK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("tshark did not finish within " + TSHARK_TIMEOUT);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("tshark -Y '" + displayFilter + "' failed with exit " + p.exitValue());
            }
            List<String> values = new ArrayList<>();
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                values.add(line.strip());
            }
            return values;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Number of frames matching the display filter (WireGuard decoded on {@code wgPort}). */
    long count(int wgPort, String displayFilter) throws IOException, InterruptedException {
        return fields(wgPort, displayFilter, "frame.number").size();
    }

    /** How often {@code needle} occurs anywhere in the pcap file's bytes (headers, payloads, everything). */
    long occurrences(byte[] needle) throws IOException {
        byte[] hay = Files.readAllBytes(pcap);
        long n = 0;
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            n++;
        }
        return n;
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return "(cannot read " + log + ")";
        }
    }

    @Override
    public String toString() {
        return "capture " + pcap;
    }
}
