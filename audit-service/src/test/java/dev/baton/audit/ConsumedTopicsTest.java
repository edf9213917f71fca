package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.Topics;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConsumedTopicsTest {

    @Test
    void theAuditChannelReadsEveryBatonTopic() throws Exception {
        Properties properties = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        String topics = properties.getProperty("mp.messaging.incoming." + EventRecorder.CHANNEL + ".topics");
        assertThat(Arrays.stream(topics.split(",")).map(String::trim)).containsExactlyElementsOf(Topics.ALL);
        assertThat(properties.getProperty("mp.messaging.incoming." + EventRecorder.CHANNEL + ".topic")).isNull();
    }
}
