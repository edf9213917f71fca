package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class StoreFailureTest {

    private static RuntimeException wrapped(String sqlState) {
        return new RuntimeException("commit failed",
                new AuditStoreException("could not store", new SQLException("boom", sqlState)));
    }

    @Test
    void aRowPostgresRefusesIsNotRetried() {
        assertThat(StoreFailure.of(wrapped("22P02"))).isEqualTo(StoreFailure.REFUSED_ROW); // invalid text representation
        assertThat(StoreFailure.of(wrapped("23514"))).isEqualTo(StoreFailure.REFUSED_ROW); // check violation
        assertThat(StoreFailure.of(wrapped("54000"))).isEqualTo(StoreFailure.REFUSED_ROW); // index row too big
    }

    @Test
    void everythingElseMeansTryAgainLater() {
        assertThat(StoreFailure.of(wrapped("08006"))).isEqualTo(StoreFailure.UNAVAILABLE); // connection failure
        assertThat(StoreFailure.of(wrapped("57P01"))).isEqualTo(StoreFailure.UNAVAILABLE); // admin shutdown
        assertThat(StoreFailure.of(wrapped(null))).isEqualTo(StoreFailure.UNAVAILABLE);
        assertThat(StoreFailure.of(new IllegalStateException("no transaction manager"))).isEqualTo(StoreFailure.UNAVAILABLE);
    }
}
