package io.jwg.resilience;

import io.jwg.testing.Netns;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A background {@code ping -D -O} from a namespace: every reply with the wall-clock time it arrived,
 * to measure when connectivity came back (to ~the interval) and to count losses.
 */
final class Pinger implements AutoCloseable {
    /** A reply: ICMP sequence number and when it arrived (ms since the epoch). */
    record Reply(int seq, long atMillis) {}

    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+)\\.(\\d+)] \\d+ bytes from .*icmp_seq=(\\d+)");
    private static final Pattern SENT = Pattern.compile("icmp_seq=(\\d+)");

    private final Process process;
    private final Path out;
    private final String target;

    /** Starts pinging target from ns every interval seconds (below 0.2 s needs root, which these tests have). */
    Pinger(Lab lab, Netns ns, String target, double interval) throws IOException {
        this.target = target;
        this.out = lab.dir.resolve("ping-" + ns.name() + "-" + System.nanoTime() + ".txt");
        this.process = new ProcessBuilder("ip", "netns", "exec", ns.name(), "ping", "-n", "-D", "-O",
                "-i", String.format(Locale.ROOT, "%.3f", interval), "-W", "1", target)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        lab.add(this);
    }

    List<Reply> replies() {
        List<Reply> r = new ArrayList<>();
        for (String line : WgEnd.read(out).split("\n")) {
            Matcher m = REPLY.matcher(line);
            if (m.find()) {
                String frac = (m.group(2) + "000").substring(0, 3);
                r.add(new Reply(Integer.parseInt(m.group(3)), Long.parseLong(m.group(1)) * 1000 + Integer.parseInt(frac)));
            }
        }
        return r;
    }

    /** The highest sequence number seen in the output (sent), or -1. */
    int lastSeq() {
        int max = -1;
        Matcher m = SENT.matcher(WgEnd.read(out));
        while (m.find()) max = Math.max(max, Integer.parseInt(m.group(1)));
        return max;
    }

    /** The first reply that arrived at or after the given wall-clock time, or null. */
    Reply firstReplyAfter(long millis) {
        for (Reply r : replies()) if (r.atMillis() >= millis) return r;
        return null;
    }

    /** Waits (bounded) for a reply at or after millis and returns it; fails with the ping output. */
    Reply awaitReplyAfter(long millis, Duration timeout, String what) {
        return awaitReplyAfter(millis, timeout, () -> what);
    }

    /** As above, with the failure message computed only on failure (e.g. to include a log). */
    Reply awaitReplyAfter(long millis, Duration timeout, java.util.function.Supplier<String> what) {
        Reply[] found = new Reply[1];
        if (!Netns.await(timeout, () -> (found[0] = firstReplyAfter(millis)) != null)) {
            throw new AssertionError("no ping reply from " + target + " within " + timeout + " " + what.get());
        }
        return found[0];
    }

    String output() {
        return WgEnd.read(out);
    }

    @Override
    public void close() {
        WgEnd.kill(process);
    }
}
