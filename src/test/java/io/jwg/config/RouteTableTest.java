package io.jwg.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouteTableTest {
    @Test
    void parses() {
        assertThat(RouteTable.parse("auto")).isSameAs(RouteTable.AUTO);
        assertThat(RouteTable.parse("AUTO")).isEqualTo(RouteTable.AUTO);
        assertThat(RouteTable.parse("")).isEqualTo(RouteTable.AUTO);
        assertThat(RouteTable.parse("Off")).isEqualTo(RouteTable.OFF);
        assertThat(RouteTable.parse("1234")).isEqualTo(new RouteTable.Id(1234));
        assertThat(RouteTable.parse("0")).isEqualTo(new RouteTable.Id(0));
        assertThat(RouteTable.parse("4294967295")).isEqualTo(new RouteTable.Id(4294967295L));
        assertThat(RouteTable.parse("main")).isEqualTo(new RouteTable.Named("main"));
        assertThat(RouteTable.parse("vpn_2.x-y")).isEqualTo(new RouteTable.Named("vpn_2.x-y"));
        for (String s : new String[] {"auto", "off", "51820", "main"}) assertThat(RouteTable.parse(s)).hasToString(s);
    }

    @Test
    void patternMatches() {
        String what = switch (RouteTable.parse("51820")) {
            case RouteTable.Auto a -> "auto";
            case RouteTable.Off o -> "off";
            case RouteTable.Id(long id) -> "id " + id;
            case RouteTable.Named(String name) -> "name " + name;
        };
        assertThat(what).isEqualTo("id 51820");
    }

    @Test
    void rejects() {
        assertThatThrownBy(() -> RouteTable.parse("4294967296"))
                .hasMessage("`4294967296' is out of range for a routing table number (0-4294967295)");
        assertThatThrownBy(() -> RouteTable.parse("my table"))
                .hasMessage("`my table' is not off, auto, a table number or a table name");
        assertThatThrownBy(() -> RouteTable.parse("a/b")).hasMessage("`a/b' is not off, auto, a table number or a table name");
        assertThatThrownBy(() -> new RouteTable.Named("123")).hasMessage("`123' is not a valid routing table name");
        assertThatThrownBy(() -> new RouteTable.Named("OFF")).hasMessage("`OFF' is not a valid routing table name");
        assertThatThrownBy(() -> new RouteTable.Id(-1)).hasMessage("a routing table number must be 0-4294967295, not -1");
    }
}
