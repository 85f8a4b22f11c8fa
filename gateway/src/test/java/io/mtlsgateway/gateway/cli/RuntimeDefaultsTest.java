package io.mtlsgateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class RuntimeDefaultsTest {
    @Test
    void switchesLeakDetectionOffWhenTheUserSaidNothing() {
        Properties properties = new Properties();
        RuntimeDefaults.apply(properties);
        assertEquals("disabled", properties.getProperty(RuntimeDefaults.LEAK_DETECTION_LEVEL));
    }

    @Test
    void keepsTheLeakDetectionLevelTheUserChose() {
        Properties properties = new Properties();
        properties.setProperty(RuntimeDefaults.LEAK_DETECTION_LEVEL, "paranoid");
        RuntimeDefaults.apply(properties);
        assertEquals("paranoid", properties.getProperty(RuntimeDefaults.LEAK_DETECTION_LEVEL));
    }

    @Test
    void keepsALevelGivenUnderNettysOlderPropertyName() {
        Properties properties = new Properties();
        properties.setProperty(RuntimeDefaults.LEAK_DETECTION_LEVEL_LEGACY, "simple");
        RuntimeDefaults.apply(properties);
        assertEquals(null, properties.getProperty(RuntimeDefaults.LEAK_DETECTION_LEVEL));
        assertEquals("simple", properties.getProperty(RuntimeDefaults.LEAK_DETECTION_LEVEL_LEGACY));
    }
}
