package io.mtlsgateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void escapesEverythingThatCouldEndALineOrHideText() {
        assertEquals("CN=a\\x0d\\x0a2026-01-01 WARNING forged", LogText.of("CN=a\r\n2026-01-01 WARNING forged"));
        assertEquals("\\x00\\x09\\x7f\\x85\\u2028\\u2029", LogText.of("\u0000\t\u007f\u0085\u2028\u2029"));
        assertEquals("admin\\u202etxt.exe", LogText.of("admin\u202etxt.exe"), "a bidi override reverses what follows");
        assertEquals("soft\\xadhyphen", LogText.of("soft\u00adhyphen"));
    }

    @Test
    void keepsPrintableTextAndDnEscapesAsTheyAre() {
        String dn = "CN=J\\C3\\BCrgen,O=Smith\\, John";
        assertSame(dn, LogText.of(dn));
        assertEquals("Jürgen 東京 😀", LogText.of("Jürgen 東京 😀"));
        assertEquals("null", LogText.of(null));
    }
}
