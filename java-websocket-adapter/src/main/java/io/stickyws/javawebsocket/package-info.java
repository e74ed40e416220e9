/**
 * The stickyws transport for Java-WebSocket: {@link io.stickyws.javawebsocket.JavaWebSocketTransport}.
 */
package io.stickyws.javawebsocket;
