package io.jwg.os;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Firewall rules that jwg owns: installed all at once and removed all at once, without touching anything
 * else. With nftables (preferred) the rules live in one table of their own, created by a single
 * {@code nft -f} and removed with {@code nft delete table}; without {@code nft}, the iptables equivalent
 * is added with {@code iptables-restore -n} / {@code ip6tables-restore -n} (each rule tagged with a
 * comment) and removed rule by rule with {@code -D}.
 *
 * <p>The backend can be forced with the system property {@code jwg.firewall} ({@code nft} or
 * {@code iptables}), for tests.
 */
public final class Firewall {
    private static final Logger log = LoggerFactory.getLogger(Firewall.class);
    private static final Pattern NFT_TABLE = Pattern.compile("(ip|ip6|inet) [A-Za-z][A-Za-z0-9_.-]*");

    /** How rules are installed. */
    public enum Backend {
        NFT, IPTABLES, NONE
    }

    /**
     * One set of rules in both forms.
     *
     * @param nftTable family and name of the table, e.g. {@code inet jwg-gw-wg0}
     * @param nftBody the table's chains, as inside {@code table inet NAME { ... }}
     * @param iptables4 {@code iptables-restore} input that adds the IPv4 rules (with -A or -I), or empty
     * @param iptables6 the same for {@code ip6tables-restore}, or empty
     */
    public record Rules(String nftTable, String nftBody, String iptables4, String iptables6) {
        public Rules {
            if (!NFT_TABLE.matcher(nftTable).matches()) throw new IllegalArgumentException("bad nft table: " + nftTable);
        }

        /**
         * The {@code nft -f} script: it makes sure the table exists, deletes it (a leftover of a jwg that was
         * killed) and creates it afresh, all in one transaction.
         */
        public String nftScript() {
            return "table " + nftTable + " {}\ndelete table " + nftTable + "\ntable " + nftTable + " {\n" + nftBody + "}\n";
        }
    }

    private Firewall() {}

    /** An nft table name for {@code prefix} + interface name: characters nft does not accept become '_'. */
    public static String tableName(String prefix, String ifname) {
        return prefix + ifname.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** The backend to use: nft if installed, else iptables-restore if installed, else none. */
    public static Backend backend() {
        String forced = System.getProperty("jwg.firewall", "").toLowerCase(Locale.ROOT);
        if (forced.equals("nft")) return Backend.NFT;
        if (forced.equals("iptables")) return Backend.IPTABLES;
        if (Commands.which("nft").isPresent()) return Backend.NFT;
        if (Commands.which("iptables-restore").isPresent() || Commands.which("ip6tables-restore").isPresent()) {
            return Backend.IPTABLES;
        }
        return Backend.NONE;
    }

    /** The names ({@code family name}) of the nftables tables there are; empty without nft or on error. */
    public static List<String> nftTables() {
        if (Commands.which("nft").isEmpty()) return List.of();
        try {
            Commands.Result r = Commands.run(List.of("nft", "list", "tables"), null);
            if (!r.ok()) return List.of();
            List<String> out = new ArrayList<>();
            for (String line : r.stdout().split("\n")) {
                String l = line.strip();
                if (l.startsWith("table ")) out.add(l.substring("table ".length()).strip());
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Installs the rules with {@code backend}; throws (one line) if that fails, or if there is no backend.
     * The result removes them again.
     */
    public static Installed install(Backend backend, Rules rules) throws IOException {
        switch (backend) {
            case NFT -> {
                if (nftTables().contains(rules.nftTable())) {
                    log.info("replacing nftables table {} left over from an earlier run", rules.nftTable());
                }
                log.info("[#] nft -f - (table {})", rules.nftTable());
                Commands.run(List.of("nft", "-f", "-"), rules.nftScript()).check();
                return new Installed(backend, rules);
            }
            case IPTABLES -> {
                List<String[]> done = new ArrayList<>();
                try {
                    for (String[] t : iptablesTools(rules)) {
                        log.info("[#] {} -n", t[0]);
                        Commands.run(List.of(t[0], "-n"), t[1]).check();
                        done.add(t);
                    }
                } catch (IOException e) {
                    for (String[] t : done) removeIptables(t);
                    throw e;
                }
                return new Installed(backend, rules);
            }
            default -> throw new IOException("neither nft nor iptables-restore is installed (install nftables)");
        }
    }

    private static List<String[]> iptablesTools(Rules rules) {
        List<String[]> tools = new ArrayList<>();
        if (!rules.iptables4().isBlank()) tools.add(new String[] {"iptables-restore", rules.iptables4()});
        if (!rules.iptables6().isBlank()) tools.add(new String[] {"ip6tables-restore", rules.iptables6()});
        return tools;
    }

    /** iptables-restore input that deletes what {@code add} added: every -A/-I rule becomes -D. */
    public static String iptablesDeletion(String add) {
        StringBuilder sb = new StringBuilder();
        for (String line : add.split("\n")) {
            if (line.startsWith("-A ") || line.startsWith("-I ")) sb.append("-D ").append(line.substring(3)).append('\n');
            else if (line.startsWith("*") || line.equals("COMMIT")) sb.append(line).append('\n');
        }
        return sb.toString();
    }

    private static void removeIptables(String[] tool) {
        try {
            log.info("[#] {} -n (deleting)", tool[0]);
            Commands.run(List.of(tool[0], "-n"), iptablesDeletion(tool[1])).check();
        } catch (IOException e) {
            log.warn("{}", e.getMessage());
        }
    }

    /** Installed rules; {@link #close()} removes them (failures are logged, never thrown). Idempotent. */
    public static final class Installed implements Closeable {
        private final Backend backend;
        private final Rules rules;
        private boolean closed;

        private Installed(Backend backend, Rules rules) {
            this.backend = backend;
            this.rules = rules;
        }

        public Backend backend() {
            return backend;
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            if (backend == Backend.NFT) {
                try {
                    log.info("[#] nft delete table {}", rules.nftTable());
                    List<String> cmd = new ArrayList<>(List.of("nft", "delete", "table"));
                    cmd.addAll(List.of(rules.nftTable().split(" ")));
                    Commands.run(cmd, null).check();
                } catch (IOException e) {
                    log.warn("{}", e.getMessage());
                }
            } else {
                for (String[] t : iptablesTools(rules)) removeIptables(t);
            }
        }
    }

    /** Whether {@code nft list tables} shows a table, other than {@code except}, whose name passes {@code test}. */
    public static boolean otherTableExists(String except, Predicate<String> test) {
        for (String t : nftTables()) {
            if (t.equals(except)) continue;
            int sp = t.indexOf(' ');
            if (test.test(sp < 0 ? t : t.substring(sp + 1))) return true;
        }
        return false;
    }
}
