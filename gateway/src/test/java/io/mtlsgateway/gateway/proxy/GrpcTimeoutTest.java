package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GrpcTimeoutTest {
    @Test
    void readsEveryUnit() {
        assertEquals(Optional.of(Duration.ofHours(2)), GrpcTimeout.parse("2H"));
        assertEquals(Optional.of(Duration.ofMinutes(3)), GrpcTimeout.parse("3M"));
        assertEquals(Optional.of(Duration.ofSeconds(10)), GrpcTimeout.parse("10S"));
        assertEquals(Optional.of(Duration.ofMillis(250)), GrpcTimeout.parse("250m"));
        assertEquals(Optional.of(Duration.ofNanos(7_000)), GrpcTimeout.parse("7u"));
        assertEquals(Optional.of(Duration.ofNanos(99)), GrpcTimeout.parse("99n"));
    }

    @Test
    void takesEightDigitsWithLeadingZerosAndTheLargestValue() {
        assertEquals(Optional.of(Duration.ofMillis(1)), GrpcTimeout.parse("00000001m"));
        assertEquals(Optional.of(Duration.ofHours(99_999_999)), GrpcTimeout.parse("99999999H"));
    }

    @Test
    void zeroIsADeadlineAlreadyPassed() {
        assertEquals(Optional.of(Duration.ZERO), GrpcTimeout.parse("0S"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "S", "m", "10", "123456789S", "1s", "1h", "1x", "-1S", "+1S", " 1S", "1S ", "1 S",
        "1.5S", "1SS", "１S", "0x1S", "1e3m"})
    void refusesWhatIsNotTheGrammar(String value) {
        assertEquals(Optional.empty(), GrpcTimeout.parse(value));
    }

    @Test
    void aRequestWithoutTheFieldHasNoTimeoutAndOneWithTwoIsMalformed() {
        assertInstanceOf(GrpcTimeout.Absent.class, GrpcTimeout.of(List.of()));
        assertEquals(new GrpcTimeout.Timeout(Duration.ofSeconds(1)), GrpcTimeout.of(List.of("1S")));
        assertInstanceOf(GrpcTimeout.Malformed.class, GrpcTimeout.of(List.of("1S", "1S")));
        assertInstanceOf(GrpcTimeout.Malformed.class, GrpcTimeout.of(List.of("soon")));
    }
}
