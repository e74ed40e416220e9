/**
 * RFC 6265 cookies for WebSocket handshakes: parsing, matching, an in-memory jar and a jar
 * persisted to a curl-compatible {@code cookies.txt} file.
 */
package io.stickyws.cookie;
