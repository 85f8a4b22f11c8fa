package io.mtlsgateway.gateway.jwt;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClaimRule;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClaimPolicyTest {
    private static VerifiedToken token(Map<String, Object> claims) {
        return new VerifiedToken(Optional.of("alice"), Optional.empty(), Instant.EPOCH, claims, Map.of());
    }

    private static ClaimPolicy policy(ClaimRule... rules) {
        return new ClaimPolicy(List.of(rules));
    }

    private static ClaimRule rule(String claim, String... values) {
        return new ClaimRule(Map.of(claim, List.of(values)));
    }

    @Test
    void noRulesAllowsAnyValidToken() {
        assertTrue(policy().allows(token(Map.of())));
    }

    @Test
    void scopeIsASpaceSeparatedStringHoldingEachWord() {
        VerifiedToken token = token(Map.of("scope", "payments:read payments:write"));
        assertTrue(policy(rule("scope", "payments:write")).allows(token));
        assertTrue(policy(rule("scope", "payments:read", "payments:write")).allows(token));
        assertFalse(policy(rule("scope", "payments:admin")).allows(token));
        assertFalse(policy(rule("scope", "payments")).allows(token));
    }

    @Test
    void otherStringClaimsCompareWhole() {
        assertFalse(policy(rule("acr", "high")).allows(token(Map.of("acr", "high extra"))));
        assertTrue(policy(rule("acr", "high")).allows(token(Map.of("acr", "high"))));
    }

    @Test
    void arraysContainTheValue() {
        VerifiedToken token = token(Map.of("amr", List.of("hwk", "pin"), "level", 3L, "mfa", true));
        assertTrue(policy(rule("amr", "pin")).allows(token));
        assertTrue(policy(rule("amr", "hwk", "pin")).allows(token));
        assertFalse(policy(rule("amr", "pwd")).allows(token));
        assertTrue(policy(rule("level", "3")).allows(token));
        assertTrue(policy(rule("mfa", "true")).allows(token));
    }

    @Test
    void anyRuleSufficesButEveryClaimOfARuleMustHold() {
        VerifiedToken token = token(Map.of("scope", "read", "tenant", "bank"));
        ClaimRule both = new ClaimRule(Map.of("scope", List.of("read"), "tenant", List.of("other")));
        assertFalse(policy(both).allows(token));
        assertTrue(policy(both, rule("tenant", "bank")).allows(token));
        assertFalse(policy(rule("missing", "x")).allows(token));
        assertFalse(policy(rule("tenant", "bank")).allows(token(Map.of("tenant", Map.of("name", "bank")))));
    }
}
