package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageTest {

  @Test
  void toStringNamesKindAndSizeButNeverThePayload() {
    Message text = Message.text("token=s3cr3t");
    Message binary = Message.binary(ByteBuffer.wrap("s3cr3t".getBytes(StandardCharsets.UTF_8)));

    assertThat(text).hasToString("Message{text, 12 bytes}");
    assertThat(binary).hasToString("Message{binary, 6 bytes}");
    assertThat(text.toString() + binary).doesNotContain("s3cr3t");
  }

  @Test
  void sizeIsTheUtf8LengthWithTheRuleOfStringGetBytes() {
    for (String s : new String[] {"a", "é", "€", "😀", "\uD83D", "x\uDE00y", "\uDE00\uD83D"}) {
      assertThat(Message.text(s).size()).as(s)
          .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void binaryCopiesTheRemainingBytesAndHandsOutReadOnlyViews() {
    ByteBuffer source = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
    source.position(1);
    Message message = Message.binary(source);
    source.put(1, (byte) 9);

    assertThat(message.isText()).isFalse();
    assertThat(message.size()).isEqualTo(3);
    ByteBuffer view = message.binary();
    assertThat(view.isReadOnly()).isTrue();
    assertThat(new byte[] {view.get(), view.get(), view.get()}).containsExactly(2, 3, 4);
    assertThat(message.binary().position()).isZero();
    assertThat(source.position()).isEqualTo(1);
  }

  @Test
  void equalByKindAndPayload() {
    assertThat(Message.text("a")).isEqualTo(Message.text("a")).hasSameHashCodeAs(Message.text("a"));
    assertThat(Message.text("a")).isNotEqualTo(Message.text("b"));
    assertThat(Message.binary(ByteBuffer.wrap(new byte[] {1})))
        .isEqualTo(Message.binary(ByteBuffer.wrap(new byte[] {1})));
  }

  @Test
  void askingTheWrongKindIsAnError() {
    assertThatThrownBy(() -> Message.text("a").binary())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Message.binary(ByteBuffer.allocate(0)).text())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Message.text(null)).hasMessage("text == null");
    assertThatThrownBy(() -> Message.binary(null)).hasMessage("data == null");
  }
}
