package io.jwg.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.resilience.WgEnd.Impl;
import io.jwg.testing.Netns;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Endpoint given as a host name ({@code server.test}, from /etc/netns/C/hosts, which `ip netns
 * exec` mounts over /etc/hosts): when the server moves to a new address and the name is updated,
 * the jwg client, untouched, follows it: its handshakes to the old address fail, it resolves the
 * name again and reaches the new address. Production timers; the two cases run at the same time.
 *
 * <ul>
 *   <li>session up, then the server moves: it is stopped, its address changes, it is started again
 *       (a new process, which knows nothing of the client: only the client can re-establish the
 *       tunnel) and the name is updated. The client's pings go unanswered; 15 s (KEEPALIVE +
 *       REKEY_TIMEOUT) later it starts a new handshake, 10 s of failed retransmissions later it
 *       resolves the name again, and the next initiation (5 s later) reaches the server: ~30 s.
 *   <li>the client comes up while its name still points to the old address (nothing answers
 *       there) and pings once a second, as `ping` does by default: there is no session, every
 *       ping is staged and asks for a handshake. The name is then updated: ~15 s.
 * </ul>
 */
@Timeout(120)
class HostnameEndpointTest {
    @TempDir Path tmp;

    @Test
    void clientFollowsTheNameToTheServersNewAddress() throws Exception {
        Netns.assumeRoot();
        try (Lab lab = new Lab(tmp)) {
            Lab.ensureBuilt();
            new Parallel()
                    .add("session up, server moved", () -> serverMoves(lab))
                    .add("client started before the name was updated", () -> clientStartsBeforeTheUpdate(lab))
                    .run();
        }
    }

    private void serverMoves(Lab lab) throws Exception {
        Netns c = lab.ns("dnsc"), s = lab.ns("dnss");
        Netns.Veth veth = Netns.pair(c, s, "10.75.0.1/24", "10.75.0.2/24");
        lab.writeHosts(c, "10.75.0.2 server.test\n");
        WgEnd srv = new WgEnd(lab, s, Impl.JWG, "s", "10.76.0.2/24", 51820);
        WgEnd cli = new WgEnd(lab, c, Impl.JWG, "c", "10.76.0.1/24", 0);
        srv.peer(cli, null, 0);
        cli.peer(srv, "server.test:51820", 0);
        srv.start();
        cli.start();
        Pinger ping = new Pinger(lab, c, srv.ip(), 0.5);
        ping.awaitReplyAfter(0, Duration.ofSeconds(15), "before the move");
        assertThat(cli.endpointOf(srv)).isEqualTo("10.75.0.2:51820");

        srv.stop();
        long stopped = System.currentTimeMillis();
        s.run("sh", "-c", "ip addr del 10.75.0.2/24 dev " + veth.ifB() + " && ip addr add 10.75.0.20/24 dev " + veth.ifB());
        srv.start();
        lab.writeHosts(c, "10.75.0.20 server.test\n");
        long moved = System.currentTimeMillis();

        Pinger.Reply back = ping.awaitReplyAfter(moved, Duration.ofSeconds(40),
                () -> "after the server moved; client log:\n" + tail(cli.log()));
        System.out.printf("host-name endpoint, server moved with a session up: ping back %.1f s after the move (%.1f s after the old server stopped)%n",
                (back.atMillis() - moved) / 1000.0, (back.atMillis() - stopped) / 1000.0);
        assertThat(cli.endpointOf(srv)).isEqualTo("10.75.0.20:51820");
        assertThat(cli.log()).contains("server.test now resolves to 10.75.0.20:51820");
    }

    private void clientStartsBeforeTheUpdate(Lab lab) throws Exception {
        Netns c = lab.ns("dnsc"), s = lab.ns("dnss");
        Netns.pair(c, s, "10.75.0.1/24", "10.75.0.20/24");
        lab.writeHosts(c, "10.75.0.2 server.test\n");
        WgEnd srv = new WgEnd(lab, s, Impl.JWG, "s", "10.76.0.2/24", 51820);
        WgEnd cli = new WgEnd(lab, c, Impl.JWG, "c", "10.76.0.1/24", 0);
        srv.peer(cli, null, 0);
        cli.peer(srv, "server.test:51820", 0);
        srv.start();
        cli.start();
        Pinger ping = new Pinger(lab, c, srv.ip(), 1.0);
        lab.writeHosts(c, "10.75.0.20 server.test\n");
        long updated = System.currentTimeMillis();

        Pinger.Reply back = ping.awaitReplyAfter(updated, Duration.ofSeconds(30),
                () -> "after the name was updated; client log:\n" + tail(cli.log()));
        System.out.printf("host-name endpoint, client started before the update: ping back %.1f s after the update%n",
                (back.atMillis() - updated) / 1000.0);
        assertThat(cli.endpointOf(srv)).isEqualTo("10.75.0.20:51820");
    }

    static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }
}
