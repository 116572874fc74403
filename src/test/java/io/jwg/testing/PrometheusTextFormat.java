package io.jwg.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4, written from the
 * format's specification ("Exposition formats", text-based format): it throws
 * {@link IllegalArgumentException} naming the line for anything the spec does not allow, and also
 * checks the rules a scraper relies on: one TYPE per family, given before the family's samples;
 * each family's samples in one group; no two samples with the same name and labels; counters
 * non-negative; every sample of a family named after it (with _total/_bucket/... suffixes only
 * for the types that have them).
 */
public final class PrometheusTextFormat {
    /** One sample. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** A family: its TYPE, HELP and samples. */
    public record Family(String name, String type, String help, List<Sample> samples) {}

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private PrometheusTextFormat() {}

    public static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) throw new IllegalArgumentException("the text must end with a line feed");
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        Set<String> finished = new HashSet<>();
        Set<String> seriesSeen = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " `" + line + "': ";
            if (line.isBlank()) continue;
            if (line.startsWith("#")) {
                String[] t = line.split("[ \t]+", 4);
                if (t.length < 3 || !(t[1].equals("HELP") || t[1].equals("TYPE"))) continue; // a comment
                String name = t[2];
                if (!METRIC_NAME.matcher(name).matches()) throw new IllegalArgumentException(where + "bad metric name");
                if (t[1].equals("HELP")) {
                    if (help.containsKey(name)) throw new IllegalArgumentException(where + "second HELP for " + name);
                    String doc = t.length > 3 ? t[3] : "";
                    checkHelpEscapes(doc, where);
                    help.put(name, doc);
                } else {
                    if (t.length != 4 || !TYPES.contains(t[3])) throw new IllegalArgumentException(where + "bad TYPE line");
                    if (families.containsKey(name)) throw new IllegalArgumentException(where + "TYPE after samples or a second TYPE");
                    families.put(name, new Family(name, t[3], null, new ArrayList<>()));
                }
                continue;
            }
            Sample s = parseSample(line, where);
            String family = familyOf(s.name(), families);
            if (family == null) {
                family = s.name();
                families.put(family, new Family(family, "untyped", null, new ArrayList<>()));
            }
            if (!family.equals(current)) {
                if (finished.contains(family)) throw new IllegalArgumentException(where + "samples of " + family + " are not in one group");
                if (current != null) finished.add(current);
                current = family;
            }
            if (!seriesSeen.add(s.name() + s.labels())) throw new IllegalArgumentException(where + "duplicate series");
            Family f = families.get(family);
            if (f.type().equals("counter") && (s.value() < 0 || Double.isNaN(s.value()))) {
                throw new IllegalArgumentException(where + "a counter must not be negative");
            }
            f.samples().add(s);
        }
        Map<String, Family> out = new LinkedHashMap<>();
        for (Family f : families.values()) out.put(f.name(), new Family(f.name(), f.type(), help.get(f.name()), List.copyOf(f.samples())));
        return out;
    }

    private static String familyOf(String sample, Map<String, Family> families) {
        Family f = families.get(sample);
        if (f != null) return f.name();
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (sample.endsWith(suffix)) {
                Family g = families.get(sample.substring(0, sample.length() - suffix.length()));
                if (g != null && (g.type().equals("histogram") || g.type().equals("summary"))) return g.name();
            }
        }
        return null;
    }

    private static void checkHelpEscapes(String doc, String where) {
        for (int i = 0; i < doc.length(); i++) {
            if (doc.charAt(i) == '\\') {
                if (i + 1 >= doc.length() || (doc.charAt(i + 1) != '\\' && doc.charAt(i + 1) != 'n')) {
                    throw new IllegalArgumentException(where + "bad escape in HELP");
                }
                i++;
            }
        }
    }

    private static Sample parseSample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') i++;
        String name = line.substring(0, i);
        if (!METRIC_NAME.matcher(name).matches()) throw new IllegalArgumentException(where + "bad metric name");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i >= line.length()) throw new IllegalArgumentException(where + "unterminated label set");
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) throw new IllegalArgumentException(where + "label without '='");
                String ln = line.substring(i, eq);
                if (!LABEL_NAME.matcher(ln).matches() || ln.startsWith("__")) throw new IllegalArgumentException(where + "bad label name " + ln);
                if (labels.containsKey(ln)) throw new IllegalArgumentException(where + "repeated label " + ln);
                i = eq + 1;
                if (i >= line.length() || line.charAt(i) != '"') throw new IllegalArgumentException(where + "label value not quoted");
                i++;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (i >= line.length()) throw new IllegalArgumentException(where + "unterminated label value");
                    char c = line.charAt(i++);
                    if (c == '"') break;
                    if (c == '\\') {
                        if (i >= line.length()) throw new IllegalArgumentException(where + "bad escape");
                        char e = line.charAt(i++);
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new IllegalArgumentException(where + "bad escape \\" + e);
                        }
                    } else {
                        v.append(c);
                    }
                }
                labels.put(ln, v.toString());
                if (i < line.length() && line.charAt(i) == ',') i++;
                else if (i >= line.length() || line.charAt(i) != '}') throw new IllegalArgumentException(where + "expected ',' or '}'");
            }
        }
        String rest = line.substring(i);
        if (rest.isEmpty() || (rest.charAt(0) != ' ' && rest.charAt(0) != '\t')) throw new IllegalArgumentException(where + "no value");
        String[] t = rest.strip().split("[ \t]+");
        if (t.length < 1 || t.length > 2) throw new IllegalArgumentException(where + "expected a value and an optional timestamp");
        double value = parseValue(t[0], where);
        if (t.length == 2 && !t[1].matches("-?[0-9]+")) throw new IllegalArgumentException(where + "bad timestamp");
        return new Sample(name, labels, value);
    }

    private static double parseValue(String v, String where) {
        switch (v) {
            case "NaN" -> {
                return Double.NaN;
            }
            case "+Inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-Inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
                if (!v.matches("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?")) throw new IllegalArgumentException(where + "bad value " + v);
                return Double.parseDouble(v);
            }
        }
    }
}
