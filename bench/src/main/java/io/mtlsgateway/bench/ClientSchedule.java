package io.mtlsgateway.bench;

/**
 * Which client each handshake of a lap of {@link GatewayHandshakeBenchmark} uses, by its {@code clients} parameter:
 * {@code 1}, one repeat client; {@code 1000}, that many new clients in turn; {@code alternating}, the repeat client
 * and the next new one in turn. Index 0 is the repeat client where there is one; the new clients follow.
 *
 * @param clientOf the client index of each handshake of a lap
 * @param repeat whether that handshake's client is the repeat one (cached by the verifier)
 * @param distinctClients how many client certificates the lap needs
 */
record ClientSchedule(int[] clientOf, boolean[] repeat, int distinctClients) {

    static ClientSchedule of(String clients, int newClients) {
        switch (clients) {
            case "1" -> {
                return new ClientSchedule(new int[] {0}, new boolean[] {true}, 1);
            }
            case "1000" -> {
                int[] clientOf = new int[newClients];
                for (int i = 0; i < newClients; i++) {
                    clientOf[i] = i;
                }
                return new ClientSchedule(clientOf, new boolean[newClients], newClients);
            }
            case "alternating" -> {
                int[] clientOf = new int[2 * newClients];
                boolean[] repeat = new boolean[2 * newClients];
                for (int i = 0; i < newClients; i++) {
                    repeat[2 * i] = true;
                    clientOf[2 * i + 1] = 1 + i;
                }
                return new ClientSchedule(clientOf, repeat, newClients + 1);
            }
            default -> throw new IllegalArgumentException("clients: " + clients + " (expected: 1, 1000 or alternating)");
        }
    }

    int length() {
        return clientOf.length;
    }
}
