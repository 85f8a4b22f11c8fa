package io.mtlsgateway.gateway.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class HostNameTableTest {
    private static final HostNameTable TABLE = new HostNameTable(List.of(
            List.of("api.bank.example", "*.partners.bank.example"),
            List.of("open.bank.example"),
            List.of("*.bank.example")), OptionalInt.of(0));

    @Test
    void exactNamesIgnoreCaseAndATrailingDot() {
        assertEquals(OptionalInt.of(1), TABLE.lookup("open.bank.example"));
        assertEquals(OptionalInt.of(1), TABLE.lookup("OPEN.Bank.Example."));
    }

    @Test
    void anExactNameWinsOverAWildcardThatCoversIt() {
        assertEquals(OptionalInt.of(0), TABLE.lookup("api.bank.example"));
        assertEquals(OptionalInt.of(2), TABLE.lookup("other.bank.example"));
    }

    @Test
    void aWildcardStandsForExactlyOneLabel() {
        assertEquals(OptionalInt.of(0), TABLE.lookup("eu.partners.bank.example"));
        assertEquals(OptionalInt.of(2), TABLE.lookup("partners.bank.example"), "but *.bank.example covers it");
        assertEquals(OptionalInt.empty(), TABLE.lookup("a.eu.partners.bank.example"));
        assertEquals(OptionalInt.empty(), TABLE.lookup(".bank.example"), "an empty first label is no label");
        assertEquals(OptionalInt.empty(), TABLE.lookup("bank.example"));
    }

    @Test
    void selectFallsBackToTheDefaultAndSaysWhy() {
        assertEquals(new HostNameTable.Selection(OptionalInt.of(1), HostNameTable.Outcome.MATCHED),
                TABLE.select("open.bank.example"));
        assertEquals(new HostNameTable.Selection(OptionalInt.of(0), HostNameTable.Outcome.NO_SNI), TABLE.select(null));
        assertEquals(new HostNameTable.Selection(OptionalInt.of(0), HostNameTable.Outcome.UNKNOWN_SNI),
                TABLE.select("evil.example"));
    }

    @Test
    void withoutADefaultAnUnknownNameSelectsNothing() {
        HostNameTable strict = new HostNameTable(List.of(List.of("ops.bank.example")), OptionalInt.empty());
        assertTrue(strict.select("api.bank.example").entry().isEmpty());
        assertTrue(strict.select(null).entry().isEmpty());
    }

    @Test
    void refusesANameListedTwice() {
        assertThrows(IllegalArgumentException.class, () -> new HostNameTable(
                List.of(List.of("a.example"), List.of("A.example")), OptionalInt.empty()));
    }

    @Test
    void aScopeCoversOnlyTheNamesOfItsOwnEntry() {
        HostScope api = new HostScope("api.bank.example", TABLE, 0, ClientAuthMode.REQUIRE);
        assertTrue(api.covers("api.bank.example"));
        assertTrue(api.covers("eu.partners.bank.example"));
        assertFalse(api.covers("open.bank.example"));
        // Covered by another entry's wildcard, even though it looks related.
        assertFalse(api.covers("x.bank.example"));
        assertFalse(api.covers("unknown.example"));
        assertFalse(api.covers(""));
    }
}
