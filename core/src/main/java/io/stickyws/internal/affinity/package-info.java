/**
 * Engine-side tracking of the affinity token across reconnects. Not public API.
 */
package io.stickyws.internal.affinity;
