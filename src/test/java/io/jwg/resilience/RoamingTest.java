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
 * Roaming: a jwg client changes its outer IP address and then its source port in the middle of a
 * TCP transfer through the tunnel. The server (jwg, or wireguard-go as the reference) must move
 * its endpoint for the client to the source of the client's authenticated packets, at once, and
 * the transfer must complete intact (SHA-256 on both sides). The two pairs run at the same time.
 */
@Timeout(120)
class RoamingTest {
    @TempDir Path tmp;

    @Test
    void serverEndpointFollowsTheClientAcrossAnAddressAndAPortChangeMidTransfer() throws Exception {
        Netns.assumeRoot();
        try (Lab lab = new Lab(tmp)) {
            Lab.ensureBuilt();
            Parallel p = new Parallel().add("server jwg", () -> roam(lab, Impl.JWG));
            if (Lab.wireguardGoInstalled()) p.add("server wireguard-go", () -> roam(lab, Impl.WGGO));
            p.run();
        }
    }

    private void roam(Lab lab, Impl server) throws Exception {
        Netns c = lab.ns("roamc"), s = lab.ns("roams");
        Netns.Veth veth = Netns.pair(c, s, "10.71.0.1/24", "10.71.0.2/24");
        WgEnd srv = new WgEnd(lab, s, server, "s", "10.72.0.2/24", 51820);
        WgEnd cli = new WgEnd(lab, c, Impl.JWG, "c", "10.72.0.1/24", 40001);
        srv.peer(cli, null, 0);
        cli.peer(srv, "10.71.0.2:51820", 0);
        srv.start();
        cli.start();
        Netns.waitFor(Duration.ofSeconds(15), "first ping through the tunnel", () -> c.exec("ping", "-c1", "-W1", srv.ip()).ok());
        assertThat(srv.endpointOf(cli)).isEqualTo("10.71.0.1:40001");

        // 6 MiB at 1 MiB/s: the transfer runs ~6 s, across both changes below
        Transfer t = new Transfer(lab, s, srv.ip(), 5001, c, 6 << 20, 1 << 20);
        Thread.sleep(1500);

        // 1. new outer address: the old one is gone, so the client's packets leave from the new one
        c.run("sh", "-c", "ip addr del 10.71.0.1/24 dev " + veth.ifA() + " && ip addr add 10.71.0.11/24 dev " + veth.ifA());
        long t0 = System.nanoTime();
        Netns.waitFor(Duration.ofSeconds(5), "server endpoint 10.71.0.11:40001, now " + srv.endpointOf(cli),
                () -> srv.endpointOf(cli).equals("10.71.0.11:40001"));
        long addressMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(t.sending()).as("the transfer was still running when the address changed").isTrue();

        // 2. new source port (the client rebinds its UDP socket)
        cli.wg("set", cli.ifname, "listen-port", "40002");
        t0 = System.nanoTime();
        Netns.waitFor(Duration.ofSeconds(5), "server endpoint 10.71.0.11:40002, now " + srv.endpointOf(cli),
                () -> srv.endpointOf(cli).equals("10.71.0.11:40002"));
        long portMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(t.sending()).as("the transfer was still running when the port changed").isTrue();

        String[] r = t.await(Duration.ofSeconds(60));
        String[] sent = r[0].split(" "), received = r[1].split(" ");
        assertThat(received[0]).as("bytes received").isEqualTo(sent[0]).isEqualTo(Integer.toString(6 << 20));
        assertThat(received[1]).as("SHA-256 of what the server received").isEqualTo(sent[1]);
        assertThat(r[2]).as("the server's echo reached the client (return path follows too)").isEqualTo(r[1]);
        System.out.printf("roaming (server %s): endpoint followed the address in %d ms, the port in %d ms; transfer %s s%n",
                server, addressMs, portMs, sent[2]);
        // no handshake was needed for any of this: roaming is per packet
        assertThat(c.exec("ping", "-c1", "-W2", srv.ip()).ok()).isTrue();
    }
}
