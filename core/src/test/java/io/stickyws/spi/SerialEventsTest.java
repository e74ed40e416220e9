package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialEventsTest {

  @Test
  void runsEventsInOrderOnThePostingThread() {
    SerialEvents events = new SerialEvents("test");
    List<String> seen = new ArrayList<>();
    Thread me = Thread.currentThread();
    events.post(() -> seen.add("a" + (Thread.currentThread() == me)));
    events.post(() -> seen.add("b"));
    assertThat(seen).containsExactly("atrue", "b");
  }

  @Test
  void exactlyOneTerminalAndNothingAfterIt() {
    SerialEvents events = new SerialEvents("test");
    List<String> seen = new ArrayList<>();
    assertThat(events.postTerminal(() -> seen.add("closed"))).isTrue();
    assertThat(events.postTerminal(() -> seen.add("failed"))).isFalse();
    assertThat(events.post(() -> seen.add("text"))).isFalse();
    assertThat(events.terminated()).isTrue();
    assertThat(seen).containsExactly("closed");
  }

  @Test
  void eventsAddedBeforeTheTerminalRunBeforeIt() {
    SerialEvents events = new SerialEvents("test");
    List<String> seen = new ArrayList<>();
    events.add(() -> seen.add("text"));
    events.addTerminal(() -> seen.add("closed"));
    events.add(() -> seen.add("late"));
    assertThat(seen).isEmpty();
    assertThat(events.pending()).isTrue();
    events.drain();
    assertThat(seen).containsExactly("text", "closed");
    assertThat(events.pending()).isFalse();
  }

  @Test
  void anEventThatThrowsNeverReachesTheDrainingThread() {
    SerialEvents events = new SerialEvents("test");
    List<String> seen = new ArrayList<>();
    events.add(() -> {
      throw new IllegalStateException("listener bug");
    });
    events.add(() -> {
      throw new AssertionError("an Error too");
    });
    events.add(() -> seen.add("next"));
    assertThatCode(events::drain).doesNotThrowAnyException();
    assertThat(seen).containsExactly("next");
  }

  @Test
  void anEventPostedWhileAnotherThreadDrainsRunsThereAndThePosterReturnsAtOnce()
      throws InterruptedException {
    SerialEvents events = new SerialEvents("test");
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> threads = new ArrayList<>();
    Thread drainer = new Thread(() -> events.post(() -> {
      inFirst.countDown();
      await(release);
      threads.add(Thread.currentThread().getName());
    }), "drainer");
    drainer.start();
    assertThat(inFirst.await(5, TimeUnit.SECONDS)).isTrue();
    events.post(() -> threads.add(Thread.currentThread().getName())); // returns without running
    assertThat(threads).isEmpty();
    release.countDown();
    drainer.join(5_000);
    assertThat(threads).containsExactly("drainer", "drainer");
  }

  @Test
  void concurrentPostersNeverOverlapAndLoseNothing() throws InterruptedException {
    SerialEvents events = new SerialEvents("test");
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger ran = new AtomicInteger();
    int threads = 4;
    int perThread = 5_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> posters = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread poster = new Thread(() -> {
        await(start);
        for (int i = 0; i < perThread; i++) {
          events.post(() -> {
            if (inside.incrementAndGet() != 1) {
              overlaps.incrementAndGet();
            }
            ran.incrementAndGet();
            inside.decrementAndGet();
          });
        }
      });
      poster.start();
      posters.add(poster);
    }
    start.countDown();
    for (Thread poster : posters) {
      poster.join(30_000);
    }
    assertThat(overlaps).hasValue(0);
    assertThat(ran).hasValue(threads * perThread);
  }

  @Test
  void toStringNamesTheOwner() {
    SerialEvents events = new SerialEvents("okhttp ws://h:1/p");
    events.addTerminal(() -> { });
    assertThat(events).hasToString("SerialEvents{okhttp ws://h:1/p, terminated}");
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
