package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeLedgerTest {

    @Test
    void plannerCommandIdsAreReadableFileNamesAndAnythingElseIsHashed() {
        assertThat(NodeLedger.path("4f1c-rollout:dx1:install:1")).isEqualTo(".baton/ledger/4f1c-rollout:dx1:install:1");
        assertThat(NodeLedger.path("../../etc/passwd")).matches("\\.baton/ledger/[0-9a-f]{64}");
        assertThat(NodeLedger.path("a b; rm -rf /")).matches("\\.baton/ledger/[0-9a-f]{64}");
        assertThat(NodeLedger.path(".hidden")).matches("\\.baton/ledger/[0-9a-f]{64}");
    }

    @Test
    void anOutcomeSurvivesTheTripThroughTheNodeEvenWithQuotesAndShellCharacters() {
        StepOutcome failed = new StepOutcome.Failed(ErrorCode.EXIT_STATUS, "`it's` \"quoted\" $HOME; exit 1", 1,
                "line 1\nline 'two'\n");
        StepOutcome ok = new StepOutcome.Succeeded(0, "done\n");

        String line = NodeLedger.encode(failed);

        assertThat(line).matches("baton-ledger-v1 [A-Za-z0-9+/=]+"); // safe inside single quotes
        assertThat(NodeLedger.decode(line)).contains(failed);
        assertThat(NodeLedger.decode(NodeLedger.encode(ok))).contains(ok);
        assertThat(NodeLedger.decode("baton-ledger-busy")).isEmpty();
        assertThat(NodeLedger.decode("baton-ledger-v1 not-base64!")).isEmpty();
    }
}
