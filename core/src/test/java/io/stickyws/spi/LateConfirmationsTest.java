package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LateConfirmationsTest {
  /** A library's counters, moved by hand. */
  private static final class Library implements LateConfirmations.Counters {
    long queued;
    int pings;
    int pongs;
    int reads;

    @Override
    public long queuedBytes() {
      reads++;
      return queued;
    }

    @Override
    public int sentPings() {
      return pings;
    }

    @Override
    public int receivedPongs() {
      return pongs;
    }
  }

  private final LateConfirmations confirmations = new LateConfirmations();
  private final Library library = new Library();

  private static ByteBuffer payload(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> texts(List<ByteBuffer> payloads) {
    return payloads.stream().map(b -> StandardCharsets.UTF_8.decode(b).toString()).toList();
  }

  private void send(long bytes) {
    library.queued += bytes;
    assertThat(confirmations.send(() -> true, bytes)).isTrue();
  }

  @Test
  void answersOnceTheMessagesLeftAndTheNextLibraryPingGotItsPong() {
    send(10);
    confirmations.add(payload("c1"));
    library.pings = 3;
    library.pongs = 3; // a ping answered while the message still waits in the queue proves nothing
    assertThat(confirmations.proven(library)).isEmpty();

    library.queued = 0; // written
    assertThat(confirmations.proven(library)).isEmpty(); // waits for ping 4
    library.pings = 4;
    assertThat(confirmations.proven(library)).isEmpty();
    library.pongs = 4;
    assertThat(texts(confirmations.proven(library))).containsExactly("c1");
    assertThat(confirmations.proven(library)).isEmpty(); // answered once
  }

  @Test
  void answersInOrderAndOnlyWhatThePongsProve() {
    send(5);
    confirmations.add(payload("first"));
    library.queued = 0;
    confirmations.proven(library); // first waits for ping 1
    send(7);
    confirmations.add(payload("second"));
    library.pings = 1;
    library.pongs = 1;
    assertThat(texts(confirmations.proven(library))).containsExactly("first");

    library.queued = 0;
    confirmations.proven(library); // second waits for ping 2
    library.pings = 2;
    library.pongs = 2;
    assertThat(texts(confirmations.proven(library))).containsExactly("second");
  }

  @Test
  void aRefusedSendIsNotCounted() {
    send(10); // still queued
    confirmations.add(payload("c"));
    assertThat(confirmations.send(() -> false, 100)).isFalse();
    library.pings = 1;
    library.pongs = 1;
    assertThat(confirmations.proven(library)).isEmpty();
    library.pings = 2;
    library.pongs = 2;
    assertThat(confirmations.proven(library)).isEmpty(); // the 10 bytes never left

    library.queued = 0;
    confirmations.proven(library);
    library.pings = 3;
    library.pongs = 3;
    assertThat(texts(confirmations.proven(library))).containsExactly("c");
  }

  @Test
  void copiesThePayloadAndReadsNoCounterWhileNothingWaits() {
    assertThat(confirmations.proven(library)).isEmpty();
    assertThat(library.reads).isZero();

    ByteBuffer mine = payload("abc");
    confirmations.add(mine);
    mine.put(0, (byte) 'x');
    library.pings = 1;
    library.pongs = 1;
    confirmations.proven(library);
    library.pings = 2;
    library.pongs = 2;
    assertThat(texts(confirmations.proven(library))).containsExactly("abc");
    assertThat(mine.position()).isZero();
  }
}
