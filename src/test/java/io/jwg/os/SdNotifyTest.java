package io.jwg.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify datagrams arrive on an AF_UNIX datagram socket (a path, or an abstract name) as systemd would read them. */
@Timeout(60)
class SdNotifyTest {
    @TempDir Path tmp;

    /** A python3 process that binds an AF_UNIX datagram socket, prints "bound", then the first datagram it receives. */
    static Process receiver(String address) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        String script = """
                import socket, sys
                a = sys.argv[1]
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind("\\0" + a[1:] if a.startswith("@") else a)
                print("bound", flush=True)
                s.settimeout(20)
                sys.stdout.write(s.recv(4096).decode())
                """;
        return new ProcessBuilder("/usr/bin/python3", "-c", script, address).redirectErrorStream(true).start();
    }

    static String exchange(String address, String state) throws Exception {
        Process p = receiver(address);
        byte[] bound = p.getInputStream().readNBytes(6);
        assertThat(new String(bound, StandardCharsets.US_ASCII)).isEqualTo("bound\n");
        SdNotify.send(address, state);
        String got = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return got;
    }

    @Test
    void toASocketPath() throws Exception {
        String sock = tmp.resolve("notify").toString();
        assertThat(exchange(sock, "READY=1\nSTATUS=up")).isEqualTo("READY=1\nSTATUS=up");
    }

    @Test
    void toAnAbstractSocket() throws Exception {
        String name = "@jwg-test-" + ProcessHandle.current().pid();
        assertThat(exchange(name, "STOPPING=1")).isEqualTo("STOPPING=1");
    }

    @Test
    void errors() {
        assertThatThrownBy(() -> SdNotify.send(tmp.resolve("nobody").toString(), "READY=1")).isInstanceOf(IOException.class)
                .hasMessageContaining("sendto");
        assertThatThrownBy(() -> SdNotify.send("relative", "READY=1")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> SdNotify.send("/" + "x".repeat(200), "READY=1")).isInstanceOf(IOException.class);
    }
}
