package io.mtlsgateway.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The guard itself: a blocking call on an event loop is seen, the same call elsewhere is not.
 * {@code Thread.yield} is the blocking call: BlockHound marks it, and it waits for nothing.
 */
class BlockingCallsTest {
    @Test
    void seesAYieldOnAnEventLoopButNotOnATestThread() throws Exception {
        BlockingCalls.install();
        BlockingCalls.drain();
        Thread.yield();
        assertEquals(List.of(), BlockingCalls.drain());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            group.submit(() -> {
                Thread.yield();
                return null;
            }).get(10, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        List<String> seen = BlockingCalls.drain();
        assertEquals(1, seen.size(), seen.toString());
        assertTrue(seen.get(0).contains("yield"), seen.get(0));
    }

    @Test
    @SuppressWarnings("deprecation") // the relocated Netty is 4.1: its NioEventLoopGroup is the one there is
    void leavesTheEventLoopsOfGrpcsShadedNettyAlone() throws Exception {
        BlockingCalls.install();
        BlockingCalls.drain();
        // The gRPC tests' client and server run on this relocated Netty: not the gateway's loops.
        io.grpc.netty.shaded.io.netty.channel.EventLoopGroup group =
                new io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup(1);
        try {
            group.submit(() -> {
                Thread.yield();
                return null;
            }).get(10, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertEquals(List.of(), BlockingCalls.drain());
    }
}
