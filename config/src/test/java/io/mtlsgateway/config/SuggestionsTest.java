package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> KEYS = List.of("certificate", "privateKey", "clientCa", "crl", "ocsp");

    @Test
    void suggestsTheKeyWithinTwoEditsIgnoringCase() {
        assertEquals(Optional.of("privateKey"), Suggestions.closest("privatekey", KEYS));
        assertEquals(Optional.of("certificate"), Suggestions.closest("certifcate", KEYS));
        assertEquals(Optional.of("clientCa"), Suggestions.closest("clientCA", KEYS));
    }

    @Test
    void suggestsNothingForShortOrUnrelatedWords() {
        assertEquals(Optional.empty(), Suggestions.closest("key", KEYS));
        assertEquals(Optional.empty(), Suggestions.closest("logging", KEYS));
        assertEquals(Optional.empty(), Suggestions.closest("x".repeat(10_000), KEYS));
    }
}
