package io.stickyws;

import io.stickyws.SessionEvent.Failure;
import io.stickyws.SessionEvent.GiveUpReason;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.internal.affinity.AffinityTracker;
import io.stickyws.internal.observe.ConnectionObservation;
import io.stickyws.internal.reconnect.Decision;
import io.stickyws.internal.reconnect.Ending;
import java.io.IOException;
import java.net.URI;

/**
 * Translates what the engine knows (attempts, endings, decisions) into the session observers'
 * events of one connection. When the session has no observer every method returns at once and
 * builds nothing.
 *
 * <p>Called under the connection's lock, except {@link #storage}, which the jar's callers use
 * outside it. Not thread-safe otherwise.
 */
final class EngineObserver {
  private final ConnectionObservation observation;
  private final Mailbox mailbox;

  EngineObserver(StickySession session, URI uri, StickyWebSocket webSocket, Mailbox mailbox) {
    this.mailbox = mailbox;
    this.observation = ConnectionObservation.of(session.observerFanOut(), uri, webSocket::state,
        webSocket::queuedMessages, session.clock(),
        event -> mailbox.add((listener, ws) -> session.observerFanOut().dispatch(event)));
  }

  /** Under lock: an attempt was created and is about to open. */
  void attemptStarted(int attempt) {
    if (observation.active()) {
      observation.attemptStarted(attempt);
    }
  }

  /** Under lock: the handshake of {@code attempt} completed. */
  void opened(int attempt, AffinityTracker.Opened outcome) {
    if (observation.active()) {
      observation.opened(attempt, outcome.sameBackend(), outcome.token().orElse(null));
    }
  }

  /**
   * Under lock: an attempt or an open connection ended and the policy decided. Reports, in this
   * order, the failed attempt or the disconnection, the affinity dropped because of it, and the
   * give-up.
   */
  void ended(Attempt attempt, Ending ending, AffinityToken dropped, Decision decision,
      ReconnectSchedule schedule, ReconnectPolicy policy) {
    if (!observation.active()) {
      return;
    }
    Failure failure = failure(attempt, ending);
    if (attempt.opened) {
      observation.disconnected(failure, decision.retry());
    } else {
      observation.attemptFailed(attempt.number, failure);
    }
    if (dropped != null) {
      observation.affinityDropped(attempt.opened ? SessionEvent.DropReason.DRAIN
          : SessionEvent.DropReason.FAILURES, dropped);
    }
    if (!decision.retry()) {
      int attempts = schedule.attempts(attempt.refused ? 1 : 0);
      observation.gaveUp(giveUpReason(attempt, ending, policy, attempts), failure, attempts,
          schedule.elapsed());
    }
  }

  /** Under lock: the application dropped the affinity token. */
  void affinityForgotten(AffinityToken dropped) {
    if (observation.active() && dropped != null) {
      observation.affinityDropped(SessionEvent.DropReason.APPLICATION, dropped);
    }
  }

  /** Under lock: the connection reached CLOSED through a close by the application or session. */
  void closed(int code) {
    if (observation.active()) {
      observation.closed(code);
    }
  }

  /** Under lock: a message did not fit the queue. */
  void queueOverflow(OverflowPolicy policy, int messages) {
    if (observation.active() && messages > 0) {
      observation.queueOverflow(policy, messages);
    }
  }

  /** Under lock: messages the ended connection had not confirmed. */
  void unconfirmed(int messages, boolean resent) {
    if (observation.active() && messages > 0) {
      observation.unconfirmed(messages, resent);
    }
  }

  /** Under lock: ping {@code n} went out. */
  void pingSent(long n) {
    if (observation.active()) {
      observation.pingSent(n);
    }
  }

  /** Under lock: the pong to ping {@code n} arrived. */
  void pongReceived(long n) {
    if (observation.active()) {
      observation.pongReceived(n);
    }
  }

  /**
   * Not under lock: a call into the cookie jar failed ({@code cause} not null) or succeeded.
   * Failure and recovery are each reported once per session.
   */
  void storage(SessionEvent.StorageOperation operation, Class<?> jarClass, Throwable cause) {
    if (!observation.active()) {
      return;
    }
    if (cause != null) {
      observation.storageFailed(operation, jarClass, cause);
    } else {
      observation.storageSucceeded(operation, jarClass);
    }
    mailbox.drain();
  }

  private static Failure failure(Attempt attempt, Ending ending) {
    Throwable cause = ending.cause();
    if (attempt.refused && cause != null) {
      return Failure.requestRefused(cause);
    }
    if (cause instanceof ConnectionTimeoutException) {
      return ((ConnectionTimeoutException) cause).kind() == ConnectionTimeoutException.Kind.PONG
          ? Failure.pongTimeout() : Failure.handshakeTimeout();
    }
    if (cause != null) {
      return Failure.of(cause);
    }
    int code = ending.code();
    return code >= 1000 && code <= 4999 ? Failure.closeFrame(code)
        : Failure.io(new IOException("closed with code " + code));
  }

  private static GiveUpReason giveUpReason(Attempt attempt, Ending ending,
      ReconnectPolicy policy, int attempts) {
    if (attempt.refused) {
      return GiveUpReason.REQUEST_REFUSED;
    }
    io.stickyws.internal.reconnect.Failure failure = ending.failure();
    switch (failure.kind()) {
      case HANDSHAKE:
        if (!policy.retriesStatus(failure.status())) {
          return GiveUpReason.STATUS;
        }
        break;
      case CLOSED:
        if (!policy.retriesCloseCode(failure.closeCode())
            || (!failure.remote() && failure.closeCode() == 1000)) {
          return GiveUpReason.CLOSE_CODE;
        }
        break;
      default:
        break;
    }
    return policy.maxAttempts().isPresent() && attempts >= policy.maxAttempts().getAsInt()
        ? GiveUpReason.MAX_ATTEMPTS : GiveUpReason.MAX_ELAPSED_TIME;
  }
}
