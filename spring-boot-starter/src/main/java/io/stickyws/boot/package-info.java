/**
 * Spring Boot auto-configuration of a {@code StickySession} and a {@code StickyWebSocketClient} from
 * {@code stickyws.*} properties: {@link io.stickyws.boot.StickywsAutoConfiguration}.
 */
package io.stickyws.boot;
