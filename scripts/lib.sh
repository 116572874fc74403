# Shared by the scripts in this directory: find Java 25 and the project, build when needed.
JWG_HOME=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

find_java() {
  if [ -n "${JWG_JAVA_HOME:-}" ] && [ -x "$JWG_JAVA_HOME/bin/java" ]; then JAVA_HOME=$JWG_JAVA_HOME; export JAVA_HOME; return; fi
  local d
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/*25* "${JAVA_HOME:-}"; do
    if [ -n "$d" ] && [ -x "$d/bin/java" ] && "$d/bin/java" -version 2>&1 | grep -q 'version "25'; then
      JAVA_HOME=$d; export JAVA_HOME; return
    fi
  done
  echo "jwg: Java 25 not found (looked under /usr/lib/jvm; set JWG_JAVA_HOME)" >&2
  exit 1
}

# The JVM flags every jwg launcher uses (scripts/jwg, and the one scripts/install writes).
# -Xmn16m: a small young generation. The data path does not allocate, so a big eden only holds
# start-up and handshake garbage, and its pages stay resident: with the default (a third of 1/64 of
# RAM) the resident set moved by +-20 MB with what start-up happened to allocate (scripts/bench-scale).
JWG_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -Xss512k -XX:TieredStopAtLevel=4 -Xmn16m)

# Build target/jwg.jar if it is missing or older than the sources. Serialised with a lock so that
# two launchers started at once (e.g. one per namespace) do not build over each other.
ensure_built() {
  local jar=$JWG_HOME/target/jwg.jar
  if [ -f "$jar" ] && [ -z "$(find "$JWG_HOME/src/main" "$JWG_HOME/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
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
}

# Installs the Debian packages the live tests and the demo need (only as root, only what is missing).
JWG_PACKAGES="wireguard-go wireguard-tools iproute2 nftables tcpdump tshark iperf3 iputils-ping procps bc python3 util-linux python3-prometheus-client dropbear-bin"
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
