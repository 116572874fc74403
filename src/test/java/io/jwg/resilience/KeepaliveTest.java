package io.jwg.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.resilience.WgEnd.Impl;
import io.jwg.testing.Netns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keepalives with production timers, counted on the wire (a keepalive is a transport message with
 * an empty payload: 32 bytes of UDP payload).
 *
 * <ul>
 *   <li>persistent: PersistentKeepalive = 1 on the client makes it handshake on its own, with no
 *       traffic at all, and then send a keepalive about every second;
 *   <li>passive: a data packet that the server does not answer (it ignores pings) gets a keepalive
 *       from the server KEEPALIVE_TIMEOUT (10 s) later, and only one.
 * </ul>
 */
@Timeout(90)
class KeepaliveTest {
    static final int KEEPALIVE_BYTES = 32;
    @TempDir Path tmp;

    @Test
    void persistentKeepaliveEverySecondWithoutTrafficAndPassiveKeepaliveAfterUnansweredData() throws Exception {
        Netns.assumeRoot();
        try (Lab lab = new Lab(tmp)) {
            Netns c = lab.ns("kac"), s = lab.ns("kas");
            Netns.Veth veth = Netns.pair(c, s, "10.79.0.1/24", "10.79.0.2/24");
            WgEnd srv = new WgEnd(lab, s, Impl.JWG, "s", "10.80.0.2/24", 51820);
            WgEnd cli = new WgEnd(lab, c, Impl.JWG, "c", "10.80.0.1/24", 40010);
            srv.peer(cli, null, 0);
            cli.peer(srv, "10.79.0.2:51820", 1);
            srv.start();
            Tcpdump wire = new Tcpdump(lab, s, veth.ifB(), "udp port 51820");
            cli.start();

            // 1. persistent keepalive: a handshake without any traffic, then keepalives every ~1 s
            Netns.waitFor(Duration.ofSeconds(5), "the server to see a handshake from the client without traffic",
                    () -> srv.latestHandshake(cli) > 0);
            assertThat(srv.endpointOf(cli)).isEqualTo("10.79.0.1:40010");
            Thread.sleep(6000);
            List<Tcpdump.Datagram> fromClient = wire.datagrams().stream()
                    .filter(d -> d.from().equals("10.79.0.1.40010") && d.length() == KEEPALIVE_BYTES).toList();
            List<Tcpdump.Datagram> fromServer = wire.datagrams().stream()
                    .filter(d -> d.from().equals("10.79.0.2.51820") && d.length() == KEEPALIVE_BYTES).toList();
            double first = fromClient.getFirst().time(), last = fromClient.getLast().time();
            double span = last - first;
            System.out.printf("persistent keepalive 1 s: %d keepalives from the client over %.1f s (mean gap %.2f s), %d from the server%n",
                    fromClient.size(), span, span / (fromClient.size() - 1), fromServer.size());
            assertThat(fromClient.size()).as("client keepalives in ~6 s:%n%s", wire.output()).isBetween(5, 8);
            for (int i = 1; i < fromClient.size(); i++) {
                double gap = fromClient.get(i).time() - fromClient.get(i - 1).time();
                assertThat(gap).as("gap between keepalives %d and %d:%n%s", i - 1, i, wire.output()).isBetween(0.5, 1.5);
            }
            // the server has sent no data, so it owes no keepalive (keepalives are not answered)
            assertThat(fromServer).as("server keepalives (it received no data)").isEmpty();

            // 2. passive keepalive: one ping that the server does not answer
            s.run("sysctl", "-q", "-w", "net.ipv4.icmp_echo_ignore_all=1");
            double before = System.currentTimeMillis() / 1000.0;
            assertThat(c.exec("ping", "-c1", "-W1", srv.ip()).ok()).as("the server ignores pings").isFalse();
            Netns.waitFor(Duration.ofSeconds(15), "a keepalive from the server after unanswered data", () -> wire.datagrams().stream()
                    .anyMatch(d -> d.time() > before && d.from().equals("10.79.0.2.51820") && d.length() == KEEPALIVE_BYTES));
            Thread.sleep(1500);
            List<Tcpdump.Datagram> all = wire.datagrams();
            Tcpdump.Datagram data = all.stream().filter(d -> d.time() > before && d.from().startsWith("10.79.0.1.") && d.length() > KEEPALIVE_BYTES)
                    .findFirst().orElseThrow(() -> new AssertionError("the ping on the wire:\n" + wire.output()));
            List<Tcpdump.Datagram> passive = all.stream()
                    .filter(d -> d.time() > before && d.from().equals("10.79.0.2.51820") && d.length() == KEEPALIVE_BYTES).toList();
            double delay = passive.getFirst().time() - data.time();
            System.out.printf("passive keepalive: server sent %d keepalive(s), the first %.2f s after the unanswered ping%n", passive.size(), delay);
            assertThat(delay).as("KEEPALIVE_TIMEOUT after the data").isBetween(9.5, 11.5);
            assertThat(passive).as("exactly one passive keepalive").hasSize(1);
        }
    }
}
