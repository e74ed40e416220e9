/**
 * A Spring {@code WebSocketClient} backed by a stickyws session:
 * {@link io.stickyws.spring.StickyWebSocketClient}.
 */
package io.stickyws.spring;
