/**
 * Support for the {@code datastar.wow.deacon} Clojure namespace: reading its option maps. Not part
 * of the Java API; it may change in any release.
 */
@NullMarked
package datastar.wow.deacon.impl;

import org.jspecify.annotations.NullMarked;
