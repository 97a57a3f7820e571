package datastar.wow.deacon.cluster;

import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;

/**
 * A {@link PushbackReader} over a string that takes no lock. Clojure's EDN reader reads one
 * character at a time, and the JDK's {@code PushbackReader} over a {@code StringReader} takes two
 * locks per character, which made reading a message several times slower than writing it.
 */
final class TextReader extends PushbackReader {
  private static final Reader NONE = Reader.nullReader();

  private final String text;
  private int position;
  private int pushedBack = -1;

  TextReader(String text) {
    super(NONE, 1);
    this.text = text;
  }

  @Override
  public int read() {
    if (pushedBack >= 0) {
      int c = pushedBack;
      pushedBack = -1;
      return c;
    }
    return position < text.length() ? text.charAt(position++) : -1;
  }

  @Override
  public int read(char[] buffer, int offset, int length) {
    if (length == 0) return 0;
    int n = 0;
    while (n < length) {
      int c = read();
      if (c < 0) break;
      buffer[offset + n++] = (char) c;
    }
    return n == 0 ? -1 : n;
  }

  @Override
  public void unread(int c) throws IOException {
    if (pushedBack >= 0) throw new IOException("Pushback buffer overflow");
    pushedBack = c;
  }

  @Override
  public void unread(char[] buffer, int offset, int length) throws IOException {
    for (int i = offset + length - 1; i >= offset; i--) unread(buffer[i]);
  }

  @Override
  public boolean ready() {
    return pushedBack >= 0 || position < text.length();
  }

  @Override
  public long skip(long n) {
    long skipped = 0;
    while (skipped < n && read() >= 0) skipped++;
    return skipped;
  }

  @Override
  public void close() {}
}
