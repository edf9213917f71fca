package dev.baton.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.contracts.BatonJson;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** Gives the services' REST layer the same Jackson mapping as the wire ({@link BatonJson}): one mapping everywhere. */
@Singleton
public class BatonObjectMapperCustomizer implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        BatonJson.configure(mapper);
    }
}
