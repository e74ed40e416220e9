package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class PongBacklogTest {
  @Test
  void failsOnceThePeerIsMoreThanTheBoundAheadOfTheWrites() throws IOException {
    PongBacklog backlog = new PongBacklog(3);
    backlog.check(0);
    backlog.check(3); // 3 pongs wait: at the bound
    assertThatThrownBy(() -> backlog.check(4))
        .isInstanceOf(IOException.class)
        .hasMessage("the peer pings but does not read: 4 pongs wait to be written;"
            + " connection dropped");
  }

  @Test
  void writesPayTheBacklogOff() {
    PongBacklog backlog = new PongBacklog(3);
    assertThatCode(() -> {
      for (int pings = 1; pings <= 100; pings++) {
        backlog.wrote(); // each pong written
        backlog.check(pings);
      }
    }).doesNotThrowAnyException();
  }

  @Test
  void countsFromTheLowestDifferenceSeen() throws IOException {
    PongBacklog backlog = new PongBacklog(2);
    for (int i = 0; i < 10; i++) {
      backlog.wrote(); // writes of messages: not pongs
    }
    backlog.check(0); // baseline -10
    backlog.check(2);
    assertThatThrownBy(() -> backlog.check(3)).isInstanceOf(IOException.class);
  }

  @Test
  void everyLaterReadFailsToo() {
    PongBacklog backlog = new PongBacklog(1);
    assertThatCode(() -> backlog.check(0)).doesNotThrowAnyException();
    assertThatThrownBy(() -> backlog.check(2)).isInstanceOf(IOException.class);
    backlog.wrote();
    backlog.wrote();
    assertThatThrownBy(() -> backlog.check(2)).isInstanceOf(IOException.class);
  }

  @Test
  void rejectsABoundThatIsNotPositive() {
    assertThatThrownBy(() -> new PongBacklog(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max (0) must be > 0");
  }
}
