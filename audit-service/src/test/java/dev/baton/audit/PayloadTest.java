package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadTest {

    private static Payload of(String text) {
        return Payload.of(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void jsonValuesAreKeptAsJson() {
        assertThat(of("{\"clusterId\":\"c1\",\"n\":[1,2.5,-3e10,true,null]}"))
                .isEqualTo(new Payload.Json("{\"clusterId\":\"c1\",\"n\":[1,2.5,-3e10,true,null]}"));
        assertThat(of("  \"just a string\" ")).isInstanceOf(Payload.Json.class);
        assertThat(of("42")).isInstanceOf(Payload.Json.class);
        assertThat(of("{\"emoji\":\"\\ud83d\\ude00 \uD83D\uDE00\"}")).isInstanceOf(Payload.Json.class);
    }

    @Test
    void nullValueIsAbsent() {
        assertThat(Payload.of(null)).isEqualTo(new Payload.Absent());
    }

    @Test
    void garbageIsKeptAsRawBytes() {
        byte[] garbage = {(byte) 0xff, 0x00, 0x13, 'x'};
        assertThat(Payload.of(garbage)).isEqualTo(new Payload.Raw(garbage));
        assertThat(of("not json at all")).isInstanceOf(Payload.Raw.class);
        assertThat(of("")).isInstanceOf(Payload.Raw.class);
        assertThat(of("   ")).isInstanceOf(Payload.Raw.class);
    }

    @Test
    void jsonThatJsonbWouldRefuseOrAlterIsKeptAsRawBytes() {
        assertThat(of("{\"a\":1} trailing")).as("trailing text").isInstanceOf(Payload.Raw.class);
        assertThat(of("{\"a\":1}{\"b\":2}")).as("two values").isInstanceOf(Payload.Raw.class);
        assertThat(of("{\"a\":1,\"a\":2}")).as("duplicate key").isInstanceOf(Payload.Raw.class);
        assertThat(of("{\"a\":\"x\\u0000y\"}")).as("NUL in a string").isInstanceOf(Payload.Raw.class);
        assertThat(of("{\"a\\u0000\":1}")).as("NUL in a key").isInstanceOf(Payload.Raw.class);
        assertThat(of("[\"\\ud83d\"]")).as("lone high surrogate").isInstanceOf(Payload.Raw.class);
        assertThat(of("[\"\\ude00x\"]")).as("lone low surrogate").isInstanceOf(Payload.Raw.class);
        assertThat(of("[1e131072]")).as("too many integer digits for numeric").isInstanceOf(Payload.Raw.class);
        assertThat(of("[1e131071]")).isInstanceOf(Payload.Json.class);
        assertThat(of("[1e-16384]")).as("too many fraction digits for numeric").isInstanceOf(Payload.Raw.class);
        assertThat(of("[1e-16383]")).isInstanceOf(Payload.Json.class);
        assertThat(of("{'a':1}")).as("single quotes").isInstanceOf(Payload.Raw.class);
        assertThat(of("[NaN]")).isInstanceOf(Payload.Raw.class);
        assertThat(of("{\"a\":1")).as("truncated").isInstanceOf(Payload.Raw.class);
    }

    @Test
    void rawFormKeepsTheBytes() {
        Payload json = of("{\"a\":\"é\"}");
        assertThat(json.asRaw()).isEqualTo(new Payload.Raw("{\"a\":\"é\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(new Payload.Absent().asRaw()).isEqualTo(new Payload.Absent());
    }
}
