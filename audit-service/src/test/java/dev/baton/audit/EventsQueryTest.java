package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventsQueryTest {

    @Test
    void needsAtLeastOneFilter() {
        assertThatThrownBy(() -> EventsQuery.parse(null, null, null, null))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("rolloutId, clusterId or type")
                .extracting(e -> ((InvalidQueryException) e).field()).isEqualTo("rolloutId");
        assertThatThrownBy(() -> EventsQuery.parse(" ", "", null, "5")).isInstanceOf(InvalidQueryException.class);
    }

    @Test
    void anyFilterWillDoAndLimitDefaults() {
        assertThat(EventsQuery.parse("r1", null, null, null))
                .isEqualTo(new EventsQuery(AuditFilter.of("r1", null, null), EventsQuery.DEFAULT_LIMIT, null));
        assertThat(EventsQuery.parse(null, " c1 ", null, "")).isEqualTo(new EventsQuery(AuditFilter.of(null, "c1", null), 1000, null));
        assertThat(EventsQuery.parse(null, null, "dev.baton.NodeActive.v1", "10000").limit()).isEqualTo(10_000);
        assertThat(EventsQuery.parse("r1", null, null, "1").limit()).isEqualTo(1);
    }

    @Test
    void limitOutOfRangeNamesTheLimit() {
        for (String bad : new String[] {"0", "-1", "10001", "lots", "1.5"}) {
            assertThatThrownBy(() -> EventsQuery.parse("r1", null, null, bad))
                    .isInstanceOf(InvalidQueryException.class)
                    .hasMessageContaining("1 to 10000")
                    .extracting(e -> ((InvalidQueryException) e).field()).isEqualTo("limit");
        }
    }

    @Test
    void timesAndCursorAreValidatedNamingTheField() {
        EventsQuery query = EventsQuery.parse(new EventsQuery.Params(null, null, "n1", null, "alice",
                "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "10", "42"));
        assertThat(query.filter().nodeName()).isEqualTo("n1");
        assertThat(query.filter().actor()).isEqualTo("alice");
        assertThat(query.filter().from()).isEqualTo(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(query.after()).isEqualTo(42L);
        assertThatThrownBy(() -> EventsQuery.parse(new EventsQuery.Params(null, null, null, null, null,
                "yesterday", null, null, null)))
                .extracting(e -> ((InvalidQueryException) e).field()).isEqualTo("from");
        assertThatThrownBy(() -> EventsQuery.parse(new EventsQuery.Params(null, null, null, null, null,
                "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z", null, null)))
                .extracting(e -> ((InvalidQueryException) e).field()).isEqualTo("to");
        assertThatThrownBy(() -> EventsQuery.parse(new EventsQuery.Params("r1", null, null, null, null,
                null, null, null, "abc")))
                .extracting(e -> ((InvalidQueryException) e).field()).isEqualTo("cursor");
    }

    @Test
    void anEmptyFilterIsAllowedForCounting() {
        assertThat(AuditFilter.of(null, " ", null).isEmpty()).isTrue();
        assertThat(AuditFilter.of(null, null, "t").isEmpty()).isFalse();
    }
}
