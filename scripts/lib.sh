# Shared by the scripts in this directory: find Java 25 and the project, build when needed.
JWG_HOME=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

find_java() {
  if [ -n "${JWG_JAVA_HOME:-}" ] && [ -x "$JWG_JAVA_HOME/bin/java" ]; then JAVA_HOME=$JWG_JAVA_HOME; export JAVA_HOME; return; fi
  local d
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/*25* "${JAVA_HOME:-}"; do
    [ -n "$d" ] && [ -x "$d/bin/java" ] || continue
    # the JDK's release file says which version it is; running `java -version` would cost ~70 ms
    # of every start. (Self-contained: scripts/install copies this function into its launcher.)
    if { [ -r "$d/release" ] && grep -q '^JAVA_VERSION="25[."]' "$d/release"; } \
        || { [ ! -r "$d/release" ] && "$d/bin/java" -version 2>&1 | grep -q 'version "25'; }; then
      JAVA_HOME=$d; export JAVA_HOME; return
    fi
  done
  echo "jwg: Java 25 not found (looked under /usr/lib/jvm; set JWG_JAVA_HOME)" >&2
  exit 1
}

# The JVM flags every jwg launcher uses (scripts/jwg, and the one scripts/install writes).
# Memory (docs/performance.md, "Start-up and memory"): Serial GC and a small initial heap (the data
# path allocates next to nothing; the heap still grows to the default maximum if needed), and
# malloc'ed memory the JIT no longer uses given back to the OS every 5 s. The JIT stays complete
# (C2): throughput needs it. MaxNewSize=16m: a small young generation. A big eden only holds
# start-up and handshake garbage, and its pages stay resident: with the default the resident set
# moved by +-20 MB with what start-up happened to allocate (scripts/bench-scale).
JWG_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -Xss512k -Xms8m
  -XX:MaxNewSize=16m -XX:TrimNativeHeapInterval=5000)

# The AOT cache (JEP 483/515) of target/jwg.jar: classes loaded and linked and method profiles from
# a training run (io.jwg.cli.AotTraining), made for this JDK and these flags. Used only when it
# exists and is newer than the jar; the JVM itself ignores a cache that does not match (another
# JDK, other flags, a changed jar): -Xlog:aot=off keeps that quiet. JWG_AOT=0 turns it off.
JWG_AOT_CACHE=$JWG_HOME/target/jwg.aot
aot_flags() {
  JWG_AOT_FLAGS=()
  [ "${JWG_AOT:-1}" != 0 ] || return 0
  # JVM options of the user's (-X..., e.g. a heap size) can make the JVM refuse the cache, and
  # then refuse to start ("Unable to use AOT cache"): run without it. Properties (-D...) are fine.
  case " ${JWG_JAVA_OPTS:-} " in *" -X"*) return 0 ;; esac
  local jar=$JWG_HOME/target/jwg.jar
  if [ -f "$JWG_AOT_CACHE" ] && [ "$JWG_AOT_CACHE" -nt "$jar" ] && [ "$(cat "$JWG_AOT_CACHE.jdk" 2>/dev/null)" = "$(aot_stamp)" ]; then
    JWG_AOT_FLAGS=(-XX:AOTCache="$JWG_AOT_CACHE" -Xlog:aot=off -Xlog:cds=off)
  fi
}

# What the cache was made for: the JDK and the flags (a cache from another JDK is never used).
aot_stamp() {
  echo "$JAVA_HOME $(sed -n 's/^JAVA_RUNTIME_VERSION=//p' "$JAVA_HOME/release" 2>/dev/null) ${JWG_JVM_FLAGS[*]}"
}

# Builds the AOT cache when it is missing or older than the jar (a few seconds, once per build);
# on failure jwg simply runs without it. Needs a writable target/ (skipped otherwise).
ensure_aot_cache() {
  [ "${JWG_AOT:-1}" != 0 ] || return 0
  local jar=$JWG_HOME/target/jwg.jar stamp
  stamp=$(aot_stamp)
  if [ -f "$JWG_AOT_CACHE" ] && [ "$JWG_AOT_CACHE" -nt "$jar" ] && [ "$(cat "$JWG_AOT_CACHE.jdk" 2>/dev/null)" = "$stamp" ]; then return; fi
  if [ -f "$JWG_AOT_CACHE.failed" ] && [ "$JWG_AOT_CACHE.failed" -nt "$jar" ] && [ "$(cat "$JWG_AOT_CACHE.failed")" = "$stamp" ]; then return; fi
  [ -w "$JWG_HOME/target" ] || return 0
  (
    flock 9
    if [ -f "$JWG_AOT_CACHE" ] && [ "$JWG_AOT_CACHE" -nt "$jar" ] && [ "$(cat "$JWG_AOT_CACHE.jdk" 2>/dev/null)" = "$stamp" ]; then exit 0; fi
    echo "jwg: creating the AOT cache (target/jwg.aot) for faster start-up ..." >&2
    local tmp=$JWG_AOT_CACHE.tmp.$$
    rm -f "$JWG_AOT_CACHE" "$JWG_AOT_CACHE.jdk" "$JWG_AOT_CACHE.failed"
    # Then one run with the new cache, as the launcher runs: once (2026-11-26) a cache that the JDK
    # reported as created made every start crash (SIGSEGV in AOTLinkedClassBulkLoader) until rebuilt.
    if (cd "$JWG_HOME/target" && timeout 120 "$JAVA_HOME/bin/java" "${JWG_JVM_FLAGS[@]}" -XX:AOTCacheOutput="$tmp" -Xlog:aot=error -Xlog:cds=error \
          -cp "$jar" io.jwg.cli.AotTraining && [ -s "$tmp" ] \
          && timeout 60 "$JAVA_HOME/bin/java" "${JWG_JVM_FLAGS[@]}" -XX:AOTCache="$tmp" -Xlog:aot=error -Xlog:cds=error -jar "$jar" --version) \
          >"$JWG_HOME/target/jwg.aot.log" 2>&1; then
      mv -f "$tmp" "$JWG_AOT_CACHE"
      echo "$stamp" > "$JWG_AOT_CACHE.jdk"
    else
      rm -f "$tmp" "$tmp.config"
      echo "$stamp" > "$JWG_AOT_CACHE.failed"
      echo "jwg: could not create the AOT cache (see target/jwg.aot.log); running without it" >&2
    fi
  ) 9>"$JWG_HOME/target/.build.lock"
}

# Build target/jwg.jar if it is missing or older than the sources, then its AOT cache. Serialised
# with a lock so that two launchers started at once (e.g. one per namespace) do not build over each other.
ensure_built() {
  local jar=$JWG_HOME/target/jwg.jar
  if [ -f "$jar" ] && [ -z "$(find "$JWG_HOME/src/main" "$JWG_HOME/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
    ensure_aot_cache
    return
  fi
  command -v mvn >/dev/null || { echo "jwg: not built and Maven (mvn) is not installed" >&2; exit 1; }
  mkdir -p "$JWG_HOME/target"
  (
    flock 9
    if [ ! -f "$jar" ] || [ -n "$(find "$JWG_HOME/src/main" "$JWG_HOME/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
      echo "jwg: building (mvn package) ..." >&2
      (cd "$JWG_HOME" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" mvn -q -B -DskipTests package) >&2 || { echo "jwg: build failed" >&2; exit 1; }
    fi
  ) 9>"$JWG_HOME/target/.build.lock"
  ensure_aot_cache
}

# Installs the Debian packages the live tests and the demo need (only as root, only what is missing).
JWG_PACKAGES="wireguard-go wireguard-tools libsodium23 iproute2 nftables tcpdump tshark iperf3 iputils-ping procps bc python3 util-linux python3-prometheus-client dropbear-bin"
ensure_packages() {
  [ "$(id -u)" = 0 ] || return 0
  local missing="" p
  for p in $JWG_PACKAGES "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
  done
  command -v mvn >/dev/null || missing="$missing maven"
  if [ -n "$missing" ]; then
    echo "== installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
}
