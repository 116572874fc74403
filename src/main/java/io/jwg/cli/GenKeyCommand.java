package io.jwg.cli;

import io.jwg.crypto.Key;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code jwg genkey}: a new clamped Curve25519 private key in base64, like {@code wg genkey}. */
@Command(name = "genkey", description = "Generates a new private key and writes it to stdout.")
final class GenKeyCommand implements Callable<Integer> {
    @Unmatched
    List<String> unexpected = new ArrayList<>();

    @Override
    public Integer call() {
        if (!unexpected.isEmpty()) return KeyCommands.usage("genkey");
        KeyCommands.warnIfWorldAccessible(KeyCommands.STDOUT);
        return KeyCommands.printKey(Key.generatePrivate());
    }
}
