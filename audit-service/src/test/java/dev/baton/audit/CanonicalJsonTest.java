package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The canonical JSON the hash chain hashes: the same for every spelling PostgreSQL's jsonb may give back. */
class CanonicalJsonTest {

    @Test
    void keyOrderAndWhitespaceDoNotMatter() {
        assertThat(CanonicalJson.of("{ \"b\": [1, 2], \"a\" : {\"y\":true, \"x\":null} }"))
                .isEqualTo("{\"a\":{\"x\":null,\"y\":true},\"b\":[1,2]}")
                .isEqualTo(CanonicalJson.of("{\"a\": {\"x\": null, \"y\": true}, \"b\": [1, 2]}"));
    }

    @Test
    void numbersAreWrittenAsPostgresNumericWritesThem() {
        assertThat(CanonicalJson.of("[1.50, 1e2, 1.0E+2, 1e-2, -0, -0.0, 0e5, 12345678901234567890]"))
                .isEqualTo("[1.50,100,100,0.01,0,0.0,0,12345678901234567890]");
    }

    @Test
    void valuesThatDifferStayDifferent() {
        assertThat(CanonicalJson.of("{\"v\":\"5.21.0\"}")).isNotEqualTo(CanonicalJson.of("{\"v\":\"5.21.1\"}"));
        assertThat(CanonicalJson.of("[1.5]")).isNotEqualTo(CanonicalJson.of("[1.50]"));
        assertThat(CanonicalJson.of("\"a\\u00e9\\n\"")).isEqualTo("\"aé\\n\"");
    }
}
