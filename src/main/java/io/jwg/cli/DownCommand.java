package io.jwg.cli;

import io.jwg.config.InterfaceName;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jwg down CONFIG|IFACE}: stops the jwg process serving an interface and waits for its teardown. */
@Command(name = "down", description = "Stop the jwg process of an interface (by config file or name) and wait until it has removed everything.")
final class DownCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CONFIG|IFACE")
    String target;

    @Override
    public Integer call() throws Exception {
        String name;
        try {
            name = target.endsWith(".conf") ? InterfaceName.interfaceNameOf(Path.of(target)) : InterfaceName.validate(target);
        } catch (IllegalArgumentException e) {
            System.err.println("jwg: " + e.getMessage());
            return 1;
        }
        OptionalLong pid = RunDir.readPid(name);
        Optional<ProcessHandle> ph = pid.isPresent() ? ProcessHandle.of(pid.getAsLong()) : Optional.empty();
        if (ph.isEmpty()) {
            System.err.println("jwg: " + name + " is not a jwg interface (no running process in " + RunDir.pidFile(name) + ")");
            return 1;
        }
        ph.get().destroy(); // SIGTERM
        try {
            ph.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("jwg: " + name + " (pid " + pid.getAsLong() + ") did not stop within 30 s");
            return 1;
        }
        System.out.println("jwg: " + name + " is down");
        return 0;
    }
}
