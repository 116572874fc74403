package io.jwg.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.resilience.WgEnd.Impl;
import io.jwg.testing.Netns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long run with the protocol timers scaled by 0.05 ({@code -Djwg.testing.timeScale}, through
 * JWG_JAVA_OPTS): REKEY_AFTER_TIME 6 s, REJECT_AFTER_TIME 9 s, KEEPALIVE 0.5 s, REKEY_TIMEOUT
 * 0.25 s. Pings at 20 Hz for 40 s run across 6 or so rekeys, and not one may be lost: the new
 * session must take over before the old one is rejected, on both sides.
 *
 * <p>Two pairs run at the same time (to halve the test's wall time): jwg↔jwg, both scaled; and
 * a scaled jwg client (the initiator, which rekeys every 6 s) with a wireguard-go server, whose
 * timers cannot be scaled but which, as the responder, must follow every rotation. (The reverse,
 * a scaled jwg responder under an unscaled wireguard-go initiator, would only test mismatched
 * timers: its sessions would expire after 9 s while the initiator rekeys every 120 s.)
 */
@Timeout(150)
class ScaledTimersTest {
    static final String SCALE = "-Djwg.testing.timeScale=0.05";
    static final int SECONDS = 40;
    static final double HZ = 20;
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    @TempDir Path tmp;

    record Outcome(String pair, int transmitted, int received, List<Long> clientHandshakes, List<Long> serverHandshakes,
                   int initiationsCompleted, String pingOutput) {}

    @Test
    void pingsSurviveEveryRekeyWithoutLoss() throws Exception {
        Netns.assumeRoot();
        try (Lab lab = new Lab(tmp)) {
            Lab.ensureBuilt();
            Parallel p = new Parallel().add("jwg client, jwg server", () -> check(run(lab, Impl.JWG, "10.77")));
            if (Lab.wireguardGoInstalled()) p.add("jwg client, wireguard-go server", () -> check(run(lab, Impl.WGGO, "10.78")));
            p.run();
        }
    }

    private static void check(Outcome o) {
        System.out.printf("scaled timers, %s: %d/%d pings answered; client saw handshakes at %s, server at %s; %d initiations completed%n",
                o.pair(), o.received(), o.transmitted(), o.clientHandshakes(), o.serverHandshakes(), o.initiationsCompleted());
        assertThat(o.transmitted()).as(o.pair() + ": pings sent").isGreaterThanOrEqualTo((int) (SECONDS * HZ * 0.9));
        assertThat(o.received()).as(o.pair() + ": pings answered (of %d); ping output:%n%s", o.transmitted(), o.pingOutput())
                .isEqualTo(o.transmitted());
        // the first handshake and at least 4 rekeys, seen by both sides
        assertThat(o.clientHandshakes()).as(o.pair() + ": client's latest-handshakes").hasSizeGreaterThanOrEqualTo(5);
        assertThat(o.serverHandshakes()).as(o.pair() + ": server's latest-handshakes").hasSizeGreaterThanOrEqualTo(5);
        assertThat(o.initiationsCompleted()).as(o.pair() + ": 'handshake complete' in the jwg client's debug log").isGreaterThanOrEqualTo(5);
    }

    private Outcome run(Lab lab, Impl server, String net) throws Exception {
        Netns c = lab.ns("tsc"), s = lab.ns("tss");
        Netns.pair(c, s, net + ".0.1/24", net + ".0.2/24");
        WgEnd srv = new WgEnd(lab, s, server, "s", net + ".1.2/24", 51820);
        WgEnd cli = new WgEnd(lab, c, Impl.JWG, "c", net + ".1.1/24", 0);
        srv.peer(cli, null, 0);
        cli.peer(srv, net + ".0.2:51820", 0);
        if (server == Impl.JWG) srv.javaOpts(SCALE);
        cli.javaOpts(SCALE);
        srv.start();
        cli.start();
        assertThat(cli.currentLog()).contains("TEST MODE: protocol timers scaled by 0.05");
        Netns.waitFor(Duration.ofSeconds(15), "first ping", () -> c.exec("ping", "-c1", "-W1", srv.ip()).ok());

        int count = (int) (SECONDS * HZ);
        Set<Long> clientSeen = new LinkedHashSet<>(), serverSeen = new LinkedHashSet<>();
        Future<Netns.Result> ping;
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            ping = one.submit(() -> c.exec(Duration.ofSeconds(SECONDS + 30), "ping", "-n", "-i", Double.toString(1 / HZ), "-c",
                    Integer.toString(count), "-W", "1", srv.ip()));
            while (!ping.isDone()) {
                clientSeen.add(cli.latestHandshake(srv));
                serverSeen.add(srv.latestHandshake(cli));
                Thread.sleep(500);
            }
        } finally {
            one.shutdown();
        }
        String out = ping.get().output();
        Matcher m = PING_SUMMARY.matcher(out);
        assertThat(m.find()).as("ping summary in: " + out).isTrue();
        int completed = 0;
        for (String line : cli.log().split("\n")) if (line.contains("handshake complete")) completed++;
        return new Outcome(server == Impl.JWG ? "jwg client, jwg server" : "jwg client, wireguard-go server", Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                new ArrayList<>(clientSeen), new ArrayList<>(serverSeen), completed, out);
    }
}
