package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.internal.observe.Observers;
import io.stickyws.testing.FakeTransport;
import io.stickyws.testing.RecordingObserver;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StickySessionObserverTest {
  private final FakeTransport transport = new FakeTransport();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  @Test
  void aSessionWithoutObserversSharesTheInactiveFanOut() {
    StickySession session = StickySession.builder(transport).scheduler(scheduler).build();

    assertThat(session.observers()).isEmpty();
    assertThat(session.observerFanOut()).isSameAs(Observers.NONE);
    assertThat(session.observerFanOut().active()).isFalse();
  }

  @Test
  void observersAreKeptInTheOrderAdded() {
    RecordingObserver first = new RecordingObserver();
    RecordingObserver second = new RecordingObserver();
    StickySession session = StickySession.builder(transport).scheduler(scheduler)
        .observer(first).observer(second).build();

    assertThat(session.observers()).containsExactly(first, second);
    assertThat(session.observerFanOut().active()).isTrue();
    assertThatThrownBy(() -> session.observers().add(first))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void refusesANullObserver() {
    assertThatThrownBy(() -> StickySession.builder(transport).observer(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("observer == null");
  }
}
