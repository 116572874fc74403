package io.jwg.resilience;

import io.jwg.testing.Netns;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code tcpdump -tt -n -l} on one interface of a namespace: the UDP datagrams seen, with their times. */
final class Tcpdump implements AutoCloseable {
    /** One datagram: capture time (s since the epoch), source and destination (ip.port), UDP payload length. */
    record Datagram(double time, String from, String to, int length) {}

    private static final Pattern LINE = Pattern.compile("^(\\d+\\.\\d+) IP6? (\\S+) > (\\S+): UDP, length (\\d+)");
    private final Process process;
    private final Path out;

    Tcpdump(Lab lab, Netns ns, String ifname, String filter) throws IOException {
        out = lab.dir.resolve("tcpdump-" + ns.name() + "-" + ifname + ".txt");
        process = new ProcessBuilder("ip", "netns", "exec", ns.name(), "tcpdump", "-i", ifname, "-tt", "-n", "-l",
                "--immediate-mode", filter)
                .redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        lab.add(this);
        Netns.waitFor(Duration.ofSeconds(10), "tcpdump to start", () -> WgEnd.read(out).contains("listening on") || !process.isAlive());
        if (!process.isAlive()) throw new AssertionError("tcpdump failed: " + WgEnd.read(out));
    }

    List<Datagram> datagrams() {
        List<Datagram> r = new ArrayList<>();
        for (String line : WgEnd.read(out).split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.find()) r.add(new Datagram(Double.parseDouble(m.group(1)), m.group(2), m.group(3), Integer.parseInt(m.group(4))));
        }
        return r;
    }

    String output() {
        return WgEnd.read(out);
    }

    @Override
    public void close() {
        WgEnd.kill(process);
    }
}
