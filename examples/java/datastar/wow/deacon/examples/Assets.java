package datastar.wow.deacon.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What the page loads besides Datastar's script, all served by the example itself: the stylesheet
 * ({@code style.css} beside this class: system fonts, nothing from elsewhere) and the favicon, an
 * ICO drawn here.
 */
final class Assets {
  private Assets() {}

  private static final int SIZE = 32;

  /** The page's CSS. */
  static final String STYLESHEET = resource("style.css");

  /** The favicon: a 32 x 32, 32-bit ICO. */
  private static final byte[] FAVICON = ico();

  /** @return a copy of the favicon's bytes */
  static byte[] favicon() {
    return FAVICON.clone();
  }

  private static String resource(String name) {
    try (InputStream in = Assets.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException(name + " is missing beside " + Assets.class);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The icon's pixel at column {@code x}, row {@code y} (0 at the top): an indigo disc with a white
   * dot and ring, a stream going out. Edges are smoothed by sampling each pixel 4 x 4 times.
   *
   * @return {@code {r, g, b, a}}, each 0 to 255
   */
  private static int[] rgba(int x, int y) {
    int white = 0;
    int inside = 0;
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        double dx = x + (i + 0.5) / 4 - 16;
        double dy = y + (j + 0.5) / 4 - 16;
        double r = Math.sqrt(dx * dx + dy * dy);
        if (r <= 4 || (r >= 8 && r <= 11)) {
          white++;
          inside++;
        } else if (r <= 15.5) {
          inside++;
        }
      }
    }
    double share = inside == 0 ? 0 : (double) white / inside;
    int[] indigo = {0x4f, 0x46, 0xe5};
    int[] px = new int[4];
    for (int c = 0; c < 3; c++) {
      px[c] = inside == 0 ? 0 : (int) Math.round(indigo[c] + (0xff - indigo[c]) * share);
    }
    px[3] = (int) Math.round(255.0 * inside / 16);
    return px;
  }

  /** The ICO header and directory entry, then a bottom-up BGRA bitmap and its clear AND mask. */
  private static byte[] ico() {
    int pixels = SIZE * SIZE * 4;
    int mask = SIZE * 4;
    int image = 40 + pixels + mask;
    ByteBuffer buf = ByteBuffer.allocate(6 + 16 + image).order(ByteOrder.LITTLE_ENDIAN);
    // ICONDIR: reserved, type 1 (icon), one image
    buf.putShort((short) 0).putShort((short) 1).putShort((short) 1);
    // ICONDIRENTRY: width, height, no palette, reserved, 1 plane, 32 bits, size, offset
    buf.put((byte) SIZE).put((byte) SIZE).put((byte) 0).put((byte) 0);
    buf.putShort((short) 1).putShort((short) 32).putInt(image).putInt(22);
    // BITMAPINFOHEADER: the height counts the bitmap and the mask
    buf.putInt(40).putInt(SIZE).putInt(2 * SIZE).putShort((short) 1).putShort((short) 32);
    buf.putInt(0).putInt(pixels + mask).putInt(0).putInt(0).putInt(0).putInt(0);
    for (int y = SIZE - 1; y >= 0; y--) {
      for (int x = 0; x < SIZE; x++) {
        int[] px = rgba(x, y);
        buf.put((byte) px[2]).put((byte) px[1]).put((byte) px[0]).put((byte) px[3]);
      }
    }
    buf.put(new byte[mask]);
    return buf.array();
  }
}
