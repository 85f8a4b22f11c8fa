package io.mtlsgateway.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which copies of a client's headers go: every spelling CGI-style upstreams would fold together, nothing else. */
class ForgedHeaderStripperTest {
    private static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    @Test
    void removesEverySpellingOfAConfiguredNameAndOfTheClaimsOnlyTheGatewayMakes() {
        ForgedHeaderStripper stripper = new ForgedHeaderStripper(Set.of("X-Client-Subject"), false);
        HttpHeaders headers = headers("x-client-subject", "a", "X_CLIENT_SUBJECT", "b", "X-Forwarded-For", "c",
                "Client-Cert", "d", "X-Forwarded-Client-Cert", "e", "Accept", "f");

        stripper.strip(headers);

        assertEquals(List.of("Accept"), List.copyOf(headers.names()));
    }

    @Test
    void aForwardedXfccKeepsItsCanonicalNameButNotAnUnderscoreCopyAndNeverSurvivesInTrailers() {
        ForgedHeaderStripper stripper = new ForgedHeaderStripper(Set.of(), true);
        HttpHeaders headers = headers("X-Forwarded-Client-Cert", "by-proxy", "X_Forwarded_Client_Cert", "shadow");

        stripper.strip(headers);

        assertEquals(List.of("by-proxy"), headers.getAll("X-Forwarded-Client-Cert"));
        assertFalse(headers.contains("X_Forwarded_Client_Cert"));
        HttpHeaders trailers = headers("x-forwarded-client-cert", "late");
        stripper.stripTrailers(trailers);
        assertTrue(trailers.isEmpty());
    }

    @Test
    void onlyAsciiLettersFoldSoANameWithOtherCharactersNeverEqualsAConfiguredOne() {
        assertEquals("x-client-subject", ForgedHeaderStripper.normalise("X_Client_SUBJECT"));
        // U+0130 (capital I with dot) would lowercase to "i" and a combining dot with String.toLowerCase.
        assertEquals("x-cl\u0130ent-subject", ForgedHeaderStripper.normalise("X-Cl\u0130ent-Subject"));
    }
}
