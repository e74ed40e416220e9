/**
 * Implementation details of stickyws. Not API: anything here may change in any release.
 */
package io.stickyws.internal;
