package io.jwg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code jwg up}'s parser without picocli (UpCommand.Simple) must agree with picocli wherever it answers. */
class UpCommandTest {
    private static final List<String[]> TAKEN = List.of(
            new String[] {"up", "wg0"},
            new String[] {"up", "/etc/wireguard/wg0.conf"},
            new String[] {"-v", "up", "wg0"},
            new String[] {"up", "-v", "wg0"},
            new String[] {"up", "wg0", "--verbose"},
            new String[] {"up", "-d", "wg0"},
            new String[] {"up", "wg0", "--detach"},
            new String[] {"up", "--keylog", "/tmp/keys", "wg0"},
            new String[] {"up", "--keylog=/tmp/keys", "-d", "wg0"},
            new String[] {"--verbose", "up", "-d", "--keylog", "k.log", "./wg0.conf"});

    private static final List<String[]> LEFT_TO_PICOCLI = List.of(
            new String[] {},
            new String[] {"up"},
            new String[] {"down", "wg0"},
            new String[] {"up", "--help"},
            new String[] {"up", "-h"},
            new String[] {"--version"},
            new String[] {"up", "-dv", "wg0"},
            new String[] {"up", "-d", "-d", "wg0"},
            new String[] {"-v", "up", "-v", "wg0"},
            new String[] {"up", "wg0", "wg1"},
            new String[] {"up", "--keylog"},
            new String[] {"up", "--keylog", "wg0"},
            new String[] {"up", "--keylog=", "wg0"},
            new String[] {"up", "--keylog", "a", "--keylog", "b", "wg0"},
            new String[] {"up", "--unknown", "wg0"},
            new String[] {"up", "--", "wg0"},
            new String[] {"up", "-wg0"},
            new String[] {"up", "-x"});

    @Test
    void plainUpArgumentsParseAsPicocliParsesThem() {
        for (String[] args : TAKEN) {
            UpCommand.Simple simple = UpCommand.Simple.parse(args);
            assertThat(simple).as(String.join(" ", args)).isNotNull();
            CommandLine.ParseResult pr = new CommandLine(new Main()).parseArgs(args);
            UpCommand viaPicocli = (UpCommand) pr.subcommand().commandSpec().userObject();
            boolean verbose = pr.hasMatchedOption("-v") || pr.subcommand().hasMatchedOption("-v");
            assertThat(simple.command().config).as(String.join(" ", args)).isEqualTo(viaPicocli.config);
            assertThat(simple.command().detach).as(String.join(" ", args)).isEqualTo(viaPicocli.detach);
            assertThat(simple.command().keyLog).as(String.join(" ", args)).isEqualTo(viaPicocli.keyLog);
            assertThat(simple.verbose()).as(String.join(" ", args)).isEqualTo(verbose);
        }
    }

    @Test
    void everythingElseIsLeftToPicocli() {
        for (String[] args : LEFT_TO_PICOCLI) {
            assertThat(UpCommand.Simple.parse(args)).as(String.join(" ", args)).isNull();
        }
    }
}
