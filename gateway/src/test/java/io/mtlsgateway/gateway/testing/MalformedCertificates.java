package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pki.KeyType;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.sec.SECNamedCurves;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates that are well-formed DER but that no verifier should process. */
public final class MalformedCertificates {
    private MalformedCertificates() {}

    /**
     * Writes a PEM certificate whose EC key spells out its curve (explicit parameters) instead of
     * naming it, which RFC 5480 forbids and the JDK refuses to parse.
     */
    public static Path explicitEcParameters(Path file) throws Exception {
        KeyPair pair = KeyType.EC_P256.generate();
        SubjectPublicKeyInfo named = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
        SubjectPublicKeyInfo explicit = new SubjectPublicKeyInfo(new AlgorithmIdentifier(
                X9ObjectIdentifiers.id_ecPublicKey, new X962Parameters(SECNamedCurves.getByName("secp256r1"))),
                named.getPublicKeyData().getBytes());
        Date now = new Date();
        byte[] der = new X509v3CertificateBuilder(new X500Name("CN=explicit"), BigInteger.TEN, now,
                new Date(now.getTime() + 86_400_000L), new X500Name("CN=explicit"), explicit)
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
        String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        return file;
    }
}
