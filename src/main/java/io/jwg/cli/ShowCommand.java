package io.jwg.cli;

import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.Errno;
import io.jwg.uapi.UapiClient;
import io.jwg.uapi.UapiException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jwg show [IFACE | all | interfaces] [FIELD]}: prints exactly what {@code wg show} prints,
 * for any userspace interface (jwg's or wireguard-go's) through its UAPI socket; {@code --json}
 * prints JSON instead. Colours as wg: when stdout is a terminal, or with WG_COLOR_MODE=always
 * (never with WG_COLOR_MODE=never); WG_HIDE_KEYS=never shows private and pre-shared keys.
 */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Shows the configuration and state of WireGuard interfaces, as `wg show` does.",
        footer = "Fields: public-key, private-key, listen-port, fwmark, peers, preshared-keys, endpoints, allowed-ips,"
                + " latest-handshakes, transfer, persistent-keepalive, dump.")
public final class ShowCommand implements Callable<Integer> {
    @Parameters(arity = "0..2", paramLabel = "ARG", description = "{ <interface> | all | interfaces } [FIELD]")
    List<String> args = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON: the interface (or, for all, an array of them) and its peers;"
            + " for jwg interfaces with drop counters by reason and keypair ages.")
    boolean json;

    @Option(names = "--prometheus", description = "Print metrics in the Prometheus text exposition format: per-peer transfer,"
            + " latest handshake, keypair age and drops by reason (labels interface, public_key, endpoint).")
    boolean prometheus;

    @Spec
    CommandSpec spec;

    UapiClient client = UapiClient.create();
    LongSupplier nowSeconds = () -> System.currentTimeMillis() / 1000;

    static final String USAGE = "Usage: jwg show { <interface> | all | interfaces } [public-key | private-key | listen-port | fwmark"
            + " | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump]";

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return run(out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int run(PrintWriter out, PrintWriter err) {
        String field = args.size() == 2 ? args.get(1) : null;
        if (field != null && !WgText.FIELDS.contains(field)) {
            err.println("Invalid parameter: `" + field + "'");
            err.println(USAGE);
            return 1;
        }
        if (json && field != null) {
            err.println("--json cannot be combined with a field");
            return 1;
        }
        if (prometheus && (field != null || json)) {
            err.println("--prometheus cannot be combined with a field or --json");
            return 1;
        }
        if (args.isEmpty() || args.get(0).equals("all")) return showAll(out, err, field);
        if (args.get(0).equals("interfaces")) {
            if (args.size() > 1 || prometheus) {
                err.println(USAGE);
                return 1;
            }
            List<String> names;
            try {
                names = client.interfaces();
            } catch (UapiException e) {
                err.println("Unable to list interfaces: " + Errno.message(e.errno()));
                return 1;
            }
            if (json) out.print(jsonArray(names));
            else if (!names.isEmpty()) out.print(String.join(" ", names) + "\n");
            return 0;
        }
        String name = args.get(0);
        DeviceSnapshot d;
        try {
            d = json || prometheus ? client.getExtended(name) : client.get(name);
        } catch (UapiException e) {
            err.println("Unable to access interface: " + Errno.message(e.errno()));
            return 1;
        }
        if (prometheus) out.print(PrometheusText.format(List.of(new PrometheusText.Iface(name, d))));
        else if (json) out.print(WgText.json(name, d, nowSeconds.getAsLong()) + "\n");
        else if (field != null) out.print(WgText.field(name, d, field, false));
        else out.print(WgText.pretty(name, d, nowSeconds.getAsLong(), colorMode(), showKeys()));
        return 0;
    }

    private int showAll(PrintWriter out, PrintWriter err, String field) {
        List<String> names;
        try {
            names = client.interfaces();
        } catch (UapiException e) {
            err.println("Unable to list interfaces: " + Errno.message(e.errno()));
            return 1;
        }
        int ret = names.isEmpty() ? 0 : 1;
        List<String> jsons = new ArrayList<>();
        List<PrometheusText.Iface> metrics = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            DeviceSnapshot d;
            try {
                d = json || prometheus ? client.getExtended(name) : client.get(name);
            } catch (UapiException e) {
                err.println("Unable to access interface " + name + ": " + Errno.message(e.errno()));
                continue;
            }
            if (prometheus) {
                metrics.add(new PrometheusText.Iface(name, d));
            } else if (json) {
                jsons.add(WgText.json(name, d, nowSeconds.getAsLong()));
            } else if (field != null) {
                out.print(WgText.field(name, d, field, true));
            } else {
                out.print(WgText.pretty(name, d, nowSeconds.getAsLong(), colorMode(), showKeys()));
                if (i + 1 < names.size()) out.print("\n");
            }
            ret = 0;
        }
        if (json) out.print("[" + String.join(",", jsons) + "]\n");
        if (prometheus) out.print(PrometheusText.format(metrics));
        return ret;
    }

    private static String jsonArray(List<String> names) {
        List<String> quoted = new ArrayList<>();
        for (String n : names) quoted.add(WgText.jsonString(n));
        return "[" + String.join(",", quoted) + "]\n";
    }

    /** wg's colour choice: WG_COLOR_MODE=always|never, otherwise whether stdout is a terminal. */
    static boolean colorMode() {
        String mode = System.getenv("WG_COLOR_MODE");
        if ("always".equals(mode)) return true;
        if ("never".equals(mode)) return false;
        return stdoutIsTerminal();
    }

    static boolean showKeys() {
        return "never".equals(System.getenv("WG_HIDE_KEYS"));
    }

    private static boolean stdoutIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (Exception e) {
            return false;
        }
    }
}
