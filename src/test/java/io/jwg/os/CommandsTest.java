package io.jwg.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandsTest {
    @Test
    void runsWithInputAndReportsFailuresInOneLine() throws Exception {
        assertThat(Commands.run(List.of("cat"), "hello\n").check()).isEqualTo("hello\n");
        Commands.Result r = Commands.run(List.of("sh", "-c", "echo one >&2; echo two >&2; exit 3"), null);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThatThrownBy(r::check).hasMessage("'sh -c echo one >&2; echo two >&2; exit 3' failed: one; two");
        assertThatThrownBy(() -> Commands.run(List.of("/nonexistent/prog"), null)).hasMessageStartingWith("cannot run '/nonexistent/prog'");
        assertThatThrownBy(() -> Commands.run(List.of("sleep", "5"), null, Duration.ofMillis(200))).hasMessageContaining("timed out");
    }

    @Test
    void which() {
        assertThat(Commands.which("sh")).isPresent();
        assertThat(Commands.which("surely-not-a-program-jwg")).isEmpty();
        assertThat(Commands.which("/bin/sh")).isPresent();
    }
}
