package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventTypes;
import dev.baton.contracts.Topics;
import dev.baton.contracts.UpgradeRequested;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The root README's upgrade request example is valid against the schema and its kcat command sends what the planner reads. */
class ReadmeExampleTest {
    private static final Path README = Path.of(System.getProperty("baton.repo.root", "..")).resolve("README.md");

    private static String readme() throws Exception {
        return Files.readString(README, StandardCharsets.UTF_8);
    }

    static String example(String readme) {
        Matcher m = Pattern.compile("<!-- upgrade-requested-example[^>]*-->\\s*```json\\s*\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(readme);
        assertThat(m.find()).as("README has a ```json block after <!-- upgrade-requested-example -->").isTrue();
        return m.group(1).strip();
    }

    @Test
    void theExampleValidatesAgainstTheUpgradeRequestedSchema() throws Exception {
        JsonNode example = BatonJson.mapper().readTree(example(readme()));
        JsonSchema schema;
        try (InputStream in = UpgradeRequested.class.getResourceAsStream("/schemas/UpgradeRequested.v1.schema.json")) {
            assertThat(in).as("schema on the classpath (contracts)").isNotNull();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        }

        assertThat(schema.validate(example)).isEmpty();
        // and the planner's decoder reads it as the request it says
        UpgradeRequested request = EventCodec.decode(UpgradeRequested.class, example.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(request.clusterId()).isEqualTo("matrix-prod");
        assertThat(request.targetVersion()).isEqualTo("3.5.1");
    }

    @Test
    void theExampleIsOneLineSoKcatSendsItAsOneMessage() throws Exception {
        assertThat(example(readme())).doesNotContain("\n");
    }

    @Test
    void theKcatCommandPublishesOnTheRequestsTopicWithTheHeadersTheDecoderNeeds() throws Exception {
        String readme = readme();
        Matcher m = Pattern.compile("```bash\\s*\\n(kcat -P .*?)\\n```", Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("README has a kcat -P command").isTrue();
        String command = m.group(1);

        assertThat(command).contains("-t " + Topics.REQUESTS).contains("-k matrix-prod")
                .contains("-H " + EventCodec.H_TYPE + "=" + EventTypes.UPGRADE_REQUESTED)
                .contains("-H " + EventCodec.H_ID + "=").contains("-H " + EventCodec.H_SPECVERSION + "=1.0")
                .contains("-H " + EventCodec.H_CONTENT_TYPE + "=application/json");
    }
}
