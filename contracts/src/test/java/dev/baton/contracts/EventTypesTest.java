package dev.baton.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTypesTest {

    @Test
    void thereIsOneTypeNameConstantPerRegisteredEventAndItMatchesTheRegistry() throws IllegalAccessException {
        List<String> constants = new ArrayList<>();
        for (Field field : EventTypes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && !field.getName().equals("PREFIX") && !field.getName().equals("VERSION_SUFFIX")) {
                constants.add((String) field.get(null));
            }
        }

        assertThat(constants).containsExactlyInAnyOrderElementsOf(EventTypes.all().stream().map(EventTypes::typeOf).toList());
        assertThat(constants).allSatisfy(type -> assertThat(EventTypes.classOf(type)).isPresent());
        assertThat(EventTypes.UPGRADE_REQUESTED).isEqualTo("dev.baton.UpgradeRequested.v1");
    }
}
