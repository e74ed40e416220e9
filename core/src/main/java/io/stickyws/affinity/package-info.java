/**
 * The backend-affinity token: which cookie or header carries a load balancer's stickiness
 * (recognised by its name, or by the shape of its value for Envoy's stateful session), how to tell
 * from it whether a reconnect landed on the same backend, and the rules that configure it.
 */
package io.stickyws.affinity;
