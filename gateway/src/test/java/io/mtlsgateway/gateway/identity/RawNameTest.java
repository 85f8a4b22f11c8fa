package io.mtlsgateway.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERNumericString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERT61String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.DERUniversalString;
import org.bouncycastle.asn1.DERVisibleString;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;

/** The walk over a name's DER prints exactly what the BouncyCastle reading prints, and leaves it what it cannot read. */
class RawNameTest {
    private static byte[] name(RDN... rdns) throws Exception {
        return new X500Name(rdns).getEncoded(ASN1Encoding.DER);
    }

    @Test
    void printsWhatTheBouncyCastleReadingPrints() throws Exception {
        List<byte[]> names = List.of(
                name(new RDN(BCStyle.CN, new DERUTF8String("plain"))),
                name(),
                name(new RDN(BCStyle.C, new DERPrintableString("DE")), new RDN(BCStyle.O, new DERUTF8String("Müller, \"x\"")),
                        new RDN(BCStyle.CN, new DERUTF8String(" #lead+trail; "))),
                name(new RDN(new AttributeTypeAndValue[] {
                    new AttributeTypeAndValue(BCStyle.OU, new DERT61String("caf\u00e9")),
                    new AttributeTypeAndValue(BCStyle.UID, new DERIA5String("u1"))}),
                        new RDN(BCStyle.CN, new DERBMPString("日本語 bmp"))),
                name(new RDN(BCStyle.CN, new DERUniversalString(new byte[] {0, 0, 0, 0x41, 0, 1, (byte) 0xF6, 0x00}))),
                name(new RDN(BCStyle.SERIALNUMBER, new DERNumericString("0123")),
                        new RDN(BCStyle.DC, new DERIA5String("example")), new RDN(BCStyle.CN, new DERVisibleString("v"))),
                name(new RDN(new ASN1ObjectIdentifier("1.2.3.4.55555.1"), new DERUTF8String("unknown type")),
                        new RDN(new ASN1ObjectIdentifier("2.999.1"), new DERPrintableString("big first arc"))),
                name(new RDN(BCStyle.CN, new DERUTF8String("\u0001control\u007f"))));
        for (byte[] der : names) {
            String raw = RawName.rfc2253(der);
            assertNotNull(raw);
            assertEquals(DnFormat.rfc2253ByBouncyCastle(der), raw);
        }
    }

    @Test
    void leavesToBouncyCastleWhatItDoesNotRead() throws Exception {
        // A constructed value, and a non-string one: printed by the BouncyCastle reading, as before.
        byte[] constructed = name(new RDN(BCStyle.CN, new DERSequence(new ASN1Encodable[] {new DERUTF8String("x")})));
        assertNull(RawName.rfc2253(constructed));
        assertEquals(DnFormat.rfc2253ByBouncyCastle(constructed), DnFormat.rfc2253(constructed));
        byte[] oddBmp = name(new RDN(BCStyle.CN, new DERUTF8String("ab")));
        oddBmp[oddBmp.length - 4] = 0x1E; // a BMPString of odd length
        oddBmp[oddBmp.length - 3] = 1;
        assertNull(RawName.rfc2253(java.util.Arrays.copyOf(oddBmp, oddBmp.length)));
    }
}
