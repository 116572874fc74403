package io.jwg.quick;

import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs PreUp/PostUp/PreDown/PostDown commands like wg-quick: %i replaced, through bash, echoed. */
final class Hooks {
    private static final Logger log = LoggerFactory.getLogger(Hooks.class);

    private Hooks() {}

    static void run(String stage, List<String> commands, String ifname) throws IOException {
        for (String c : commands) {
            String cmd = c.replace("%i", ifname);
            log.info("[#] {}", cmd);
            Process p = new ProcessBuilder("bash", "-c", cmd).inheritIO().start();
            int rc;
            try {
                rc = p.waitFor();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(stage + " interrupted: " + cmd);
            }
            if (rc != 0) throw new IOException(stage + " command failed (exit " + rc + "): " + cmd);
        }
    }
}
