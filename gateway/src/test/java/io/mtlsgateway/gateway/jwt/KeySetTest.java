package io.mtlsgateway.gateway.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.Curve;
import io.mtlsgateway.gateway.testing.TestIssuer;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeySetTest {
    @Test
    void keepsSigningKeysDropsPrivatePartsAndNotesWhatItLeftOut() throws Exception {
        ECKey withPrivate = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        RSAKey weak = new RSAKeyGenerator(1024, true).keyID("weak").generate();
        RSAKey encryption = new RSAKeyGenerator(2048).keyID("enc").keyUse(KeyUse.ENCRYPTION).generate().toPublicJWK();
        OctetSequenceKey secret = new OctetSequenceKeyGenerator(256).keyID("hmac").generate();
        String json = new JWKSet(List.of(withPrivate, weak, encryption, secret, TestIssuer.create("EdDSA", "ed")
                .publicJwk())).toString(false);
        KeySet keys = KeySet.parse(json);
        assertEquals(List.of("ec", "ed"), keys.keys().stream().map(k -> k.getKeyID()).toList());
        assertFalse(keys.keys().get(0).isPrivate());
        assertEquals(List.of(
                "kid 'ec' holds a private key; only its public part is used (a JWKS should be public)",
                "kid 'weak' left out: RSA key of 1024 bits (expected: at least 2048)",
                "kid 'enc' left out: use 'enc' (expected: sig)",
                "kid 'hmac' left out: key type oct (symmetric keys are never used; expected: EC, RSA or OKP)"),
                keys.notes());
        assertEquals(List.of("kid 'ec': EC P-256, alg ES256", "kid 'ed': OKP Ed25519, alg EdDSA"), keys.describe());
    }

    @Test
    void refusesDocumentsWithoutAUsableKey() {
        KeySetException empty = assertThrows(KeySetException.class, () -> KeySet.parse("{\"keys\": []}"));
        assertEquals("no usable signing key (the 'keys' list is empty)", empty.getMessage());
        KeySetException garbage = assertThrows(KeySetException.class, () -> KeySet.parse("<html>oops</html>"));
        assertTrue(garbage.getMessage().startsWith("not a JWKS document"), garbage.getMessage());
    }
}
