package io.jwg.cli;

import io.jwg.crypto.Key;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code jwg genpsk}: 32 random bytes in base64 (not clamped), like {@code wg genpsk}. */
@Command(name = "genpsk", description = "Generates a new preshared key and writes it to stdout.")
final class GenPskCommand implements Callable<Integer> {
    @Unmatched
    List<String> unexpected = new ArrayList<>();

    @Override
    public Integer call() {
        if (!unexpected.isEmpty()) return KeyCommands.usage("genpsk");
        KeyCommands.warnIfWorldAccessible(KeyCommands.STDOUT);
        return KeyCommands.printKey(Key.generatePreshared());
    }
}
