package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;

/** "Different" from the DER alone only where the JDK's canonical comparison says different too. */
class NameComparisonTest {
    private static byte[] name(Object... typesAndValues) throws Exception {
        List<RDN> rdns = new ArrayList<>();
        for (int i = 0; i < typesAndValues.length; i += 2) {
            rdns.add(new RDN((ASN1ObjectIdentifier) typesAndValues[i], (ASN1Encodable) typesAndValues[i + 1]));
        }
        return new X500Name(rdns.toArray(RDN[]::new)).getEncoded(ASN1Encoding.DER);
    }

    @Test
    void saysDifferentOnlyWhereTheJdkDoes() throws Exception {
        List<byte[]> names = new ArrayList<>();
        for (String text : List.of("bench client 1", "Bench  Client 1", "bench client 1 ", " bench client 1",
                "bench-client-1", "bench client intermediate", "BENCH CLIENT 1", "a,b", "a\\,b", "#1603616263", " #1603616263",
                "abc", "ab c", "")) {
            names.add(name(BCStyle.CN, new DERUTF8String(text)));
            names.add(name(BCStyle.CN, new DERPrintableString(text)));
            names.add(name(BCStyle.CN, new DERIA5String(text)));
            names.add(name(BCStyle.CN, new DERUTF8String(text), BCStyle.O, new DERUTF8String("Test")));
            names.add(name(BCStyle.O, new DERUTF8String(text)));
            names.add(name(new ASN1ObjectIdentifier("1.2.3.4"), new DERUTF8String(text)));
        }
        names.add(new X500Name(new RDN[] {new RDN(new AttributeTypeAndValue[] {
            new AttributeTypeAndValue(BCStyle.CN, new DERUTF8String("a")),
            new AttributeTypeAndValue(BCStyle.OU, new DERUTF8String("b"))})}).getEncoded(ASN1Encoding.DER));
        names.add(name());
        int decided = 0;
        for (byte[] a : names) {
            for (byte[] b : names) {
                boolean jdkEqual = new X500Principal(a).equals(new X500Principal(b));
                if (NameComparison.differ(a, b)) {
                    assertFalse(jdkEqual, new X500Principal(a) + " vs " + new X500Principal(b));
                    decided++;
                }
            }
        }
        assertTrue(decided > names.size() * names.size() / 3, "decided only " + decided);
        assertTrue(NameComparison.differ(name(BCStyle.CN, new DERUTF8String("bench client 5")),
                name(BCStyle.CN, new DERUTF8String("bench client intermediate"))));
    }
}
