#!/usr/bin/env bash
# Installs one Alertmanager replica as the systemd service alertmanager@<node>: the binary,
# the templated unit, the node's environment file, a config when none exists, and the service
# user. Run it once on each VM with that VM's node name, addresses and peers.
#
# Over a Debian prometheus-alertmanager installation (detected by /usr/bin/prometheus-alertmanager
# or /etc/default/prometheus-alertmanager) it keeps the package's config
# (/etc/prometheus/alertmanager.yml), its data (/var/lib/prometheus/alertmanager/: nflog and
# silences are read as they are) and its user (prometheus), carries over the package's ARGS, and
# disables the package's service so the two never fight over :9093/:9094. The package's files are
# not modified: /usr/bin/prometheus-alertmanager and amtool stay, and switching back is
# `systemctl disable --now alertmanager@<node>; systemctl enable --now prometheus-alertmanager`.
#
# --root DIR installs into DIR instead of / (an image, a chroot, a test): nothing is started and
# the running system is not touched.
#
# Idempotent: rerunning replaces binary and unit; an existing environment file or config is kept
# (the new environment file is written next to it as .new).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: install.sh --node NAME --binary PATH [options]

  --node NAME                    instance name: service alertmanager@NAME (e.g. am1)
  --binary PATH                  the alertmanager binary to install as /usr/local/bin/alertmanager
  --config FILE                  alertmanager.yml to install when the target has none
  --web-listen-address ADDR      API address            (default :9093)
  --cluster-listen-address ADDR  gossip address, TCP+UDP (default 0.0.0.0:9094)
  --advertise-address HOST:PORT  address peers dial     (default: auto-detected by the daemon)
  --peer HOST:PORT               another replica (repeat for each)
  --peer-timeout DURATION        --cluster.peer-timeout (default 15s)
  --cluster-args "FLAGS"         other --cluster.* flags (replaces the defaults)
  --args "FLAGS"                 any other flags
  --debian / --no-debian         force or refuse the Debian-package layout (default: detect)
  --root DIR                     install into DIR; do not start anything
  --no-start                     install and enable, but do not (re)start
  -h, --help
EOF
}

die() { echo "install.sh: error: $*" >&2; exit 1; }
note() { echo "install.sh: $*" >&2; }

NODE="" BINARY="" CONFIG_SRC="" ROOT="/" START=1 DEBIAN=auto
WEB_LISTEN=":9093" CLUSTER_LISTEN="0.0.0.0:9094" ADVERTISE="" PEER_TIMEOUT="15s"
PEERS=()
CLUSTER_ARGS_SET=0 CLUSTER_ARGS="" EXTRA_ARGS="" EXTRA_ARGS_SET=0

while [ $# -gt 0 ]; do
  opt="$1"
  case "$opt" in
    --*=*) val="${opt#*=}"; opt="${opt%%=*}"; shift; set -- "$opt" "$val" "$@" ;;
  esac
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --no-start) START=0; shift; continue ;;
    --debian) DEBIAN=yes; shift; continue ;;
    --no-debian) DEBIAN=no; shift; continue ;;
  esac
  [ $# -ge 2 ] || die "option $1 needs a value"
  case "$1" in
    --node) NODE="$2" ;;
    --binary) BINARY="$2" ;;
    --config) CONFIG_SRC="$2" ;;
    --web-listen-address) WEB_LISTEN="$2" ;;
    --cluster-listen-address) CLUSTER_LISTEN="$2" ;;
    --advertise-address) ADVERTISE="$2" ;;
    --peer) PEERS+=("$2") ;;
    --peer-timeout) PEER_TIMEOUT="$2" ;;
    --cluster-args) CLUSTER_ARGS="$2"; CLUSTER_ARGS_SET=1 ;;
    --args) EXTRA_ARGS="$2"; EXTRA_ARGS_SET=1 ;;
    --root) ROOT="$2" ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
  shift 2
done

[ -n "$NODE" ] || die "--node is required"
[[ "$NODE" =~ ^[A-Za-z0-9_.-]+$ ]] || die "--node must be letters, digits, '.', '_' or '-'"
[ -n "$BINARY" ] || die "--binary is required"
if [ ! -f "$BINARY" ] || [ ! -x "$BINARY" ]; then die "--binary $BINARY is not an executable file"; fi
[ -z "$CONFIG_SRC" ] || [ -f "$CONFIG_SRC" ] || die "--config $CONFIG_SRC does not exist"
[ -d "$ROOT" ] || die "--root $ROOT is not a directory"
ROOT="$(cd "$ROOT" && pwd)"
[ -n "$CLUSTER_LISTEN" ] || die "--cluster-listen-address must not be empty (that disables HA)"
LIVE=0
[ "$ROOT" = "/" ] && LIVE=1
R="${ROOT%/}"  # prefix for every target path ("" for a live install)

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

if [ "$DEBIAN" = auto ]; then
  if [ -e "$R/usr/bin/prometheus-alertmanager" ] || [ -e "$R/etc/default/prometheus-alertmanager" ]; then
    DEBIAN=yes
  else
    DEBIAN=no
  fi
fi

if [ "$DEBIAN" = yes ]; then
  SVC_USER=prometheus
  CONFIG_FILE=/etc/prometheus/alertmanager.yml
  STORAGE_PATH=/var/lib/prometheus/alertmanager
else
  SVC_USER=alertmanager
  CONFIG_FILE=/etc/alertmanager/alertmanager.yml
  STORAGE_PATH="/var/lib/alertmanager/$NODE"
fi

# Writes stdin to $1 atomically with mode $2 (a crash never leaves half a file).
put() {
  local dst="$1" mode="$2" tmp
  mkdir -p "$(dirname "$dst")"
  tmp="$(mktemp "$dst.XXXXXX")"
  cat >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$dst"
}

# --- Debian package: read its ARGS, stop and disable its service -------------------------------
DEBIAN_ARGS=""
if [ "$DEBIAN" = yes ]; then
  if [ -f "$R/etc/default/prometheus-alertmanager" ]; then
    # The file is shell (Debian's init script sources it); read ARGS the same way, in a subshell.
    DEBIAN_ARGS="$(set +eu; ARGS=""
      # shellcheck disable=SC1091
      . "$R/etc/default/prometheus-alertmanager" >/dev/null 2>&1
      printf '%s' "${ARGS:-}")"
    for f in --config.file --storage.path --web.listen-address --cluster.listen-address \
             --cluster.advertise-address --cluster.peer; do
      case " $DEBIAN_ARGS" in
        *" $f"*) note "warning: /etc/default/prometheus-alertmanager ARGS sets $f, which the" \
                      "environment file also sets: reconcile ARGS= in /etc/default/alertmanager-$NODE" ;;
      esac
    done
  fi
  [ -f "$R$CONFIG_FILE" ] || note "warning: Debian layout but $CONFIG_FILE is missing"
  if [ -n "$CONFIG_SRC" ]; then
    note "Debian layout: keeping $CONFIG_FILE, --config $CONFIG_SRC is not installed"
    CONFIG_SRC=""
  fi
  if [ $LIVE = 1 ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus-alertmanager.service 2>/dev/null || true
  elif [ -L "$R/etc/systemd/system/multi-user.target.wants/prometheus-alertmanager.service" ]; then
    if command -v systemctl >/dev/null 2>&1; then
      systemctl --root="$ROOT" disable prometheus-alertmanager.service >/dev/null 2>&1 || true
    fi
    rm -f "$R/etc/systemd/system/multi-user.target.wants/prometheus-alertmanager.service"
  fi
fi
[ $EXTRA_ARGS_SET = 1 ] || EXTRA_ARGS="$DEBIAN_ARGS"

# --- user ---------------------------------------------------------------------------------------
if [ "$SVC_USER" = alertmanager ]; then
  printf 'u alertmanager - "Alertmanager" /var/lib/alertmanager /usr/sbin/nologin\n' |
    put "$R/usr/lib/sysusers.d/alertmanager.conf" 0644
  if command -v systemd-sysusers >/dev/null 2>&1; then
    if [ $LIVE = 1 ]; then
      systemd-sysusers alertmanager.conf
    else
      mkdir -p "$R/etc"
      systemd-sysusers --root="$ROOT" alertmanager.conf ||
        note "warning: systemd-sysusers could not add the alertmanager user to $ROOT" \
             "(it is created at first boot from /usr/lib/sysusers.d/alertmanager.conf)"
    fi
  elif [ $LIVE = 1 ] && ! getent passwd alertmanager >/dev/null; then
    useradd --system --home-dir /var/lib/alertmanager --no-create-home \
      --shell /usr/sbin/nologin --user-group alertmanager
  else
    note "systemd-sysusers not found: create the alertmanager user in $ROOT yourself"
  fi
fi

# --- binary, unit, docs -------------------------------------------------------------------------
put "$R/usr/local/bin/alertmanager" 0755 <"$BINARY"
put "$R/etc/systemd/system/alertmanager@.service" 0644 <"$HERE/alertmanager@.service"
if [ "$DEBIAN" = yes ]; then
  put "$R/etc/systemd/system/alertmanager@.service.d/10-debian.conf" 0644 <"$HERE/10-debian.conf"
else
  rm -f "$R/etc/systemd/system/alertmanager@.service.d/10-debian.conf"
fi
for doc in ha.md operations.md; do
  if [ -f "$REPO/docs/$doc" ]; then
    put "$R/usr/local/share/doc/alertmanager/$doc" 0644 <"$REPO/docs/$doc"
  fi
done

# --- config -------------------------------------------------------------------------------------
if [ ! -e "$R$CONFIG_FILE" ]; then
  src="$CONFIG_SRC"
  [ -n "$src" ] || src="$REPO/config/alertmanager.yml"
  [ -f "$src" ] || die "no config to install: pass --config FILE"
  put "$R$CONFIG_FILE" 0644 <"$src"
  # Configs hold receiver secrets: readable by root and the service's group only.
  gid="$(awk -F: -v u="$SVC_USER" '$1 == u { print $3 }' "$R/etc/group" 2>/dev/null || true)"
  if [ -n "$gid" ] && [ "$(id -u)" = 0 ]; then
    chgrp "$gid" "$R$CONFIG_FILE" && chmod 0640 "$R$CONFIG_FILE"
  fi
  note "installed $CONFIG_FILE from $src: make it identical on every replica"
elif [ -n "$CONFIG_SRC" ] && ! cmp -s "$CONFIG_SRC" "$R$CONFIG_FILE"; then
  note "keeping the existing $CONFIG_FILE (it differs from $CONFIG_SRC)"
fi

# --- environment file ---------------------------------------------------------------------------
PEER_FLAGS=""
for p in "${PEERS[@]+"${PEERS[@]}"}"; do
  PEER_FLAGS="${PEER_FLAGS:+$PEER_FLAGS }--cluster.peer=$p"
done
[ ${#PEERS[@]} -gt 0 ] || note "warning: no --peer given: this replica starts a mesh of its own"
if [ $CLUSTER_ARGS_SET = 0 ]; then
  CLUSTER_ARGS="--cluster.peer-timeout=$PEER_TIMEOUT"
fi
for v in "$WEB_LISTEN" "$CLUSTER_LISTEN" "$ADVERTISE" "$PEER_FLAGS" "$CLUSTER_ARGS" "$EXTRA_ARGS"; do
  case "$v" in *'"'*|*\\*|*$'\n'*) die "values must not contain '\"', '\\' or newlines: $v" ;; esac
done
ENV_FILE="$R/etc/default/alertmanager-$NODE"
env_text() {
  cat <<EOF
# Flags of replica alertmanager@$NODE, written by deploy/systemd/install.sh.
# systemd reads this file (not a shell). See alertmanager.env.example in the repository for what
# each line means; after editing: systemctl restart alertmanager@$NODE.
CONFIG_FILE=$CONFIG_FILE
STORAGE_PATH=$STORAGE_PATH
WEB_LISTEN_ADDRESS=$WEB_LISTEN
# Do not leave empty: an empty value turns HA off.
CLUSTER_LISTEN_ADDRESS=$CLUSTER_LISTEN
CLUSTER_ADVERTISE_ADDRESS=$ADVERTISE
CLUSTER_PEERS="$PEER_FLAGS"
CLUSTER_ARGS="$CLUSTER_ARGS"
ARGS="$EXTRA_ARGS"
EOF
}
if [ -e "$ENV_FILE" ]; then
  env_text | put "$ENV_FILE.new" 0644
  note "kept $ENV_FILE; the new settings are in $ENV_FILE.new"
else
  env_text | put "$ENV_FILE" 0644
fi

# --- enable, start ------------------------------------------------------------------------------
UNIT="alertmanager@$NODE.service"
WANTS="$R/etc/systemd/system/multi-user.target.wants"
if [ $LIVE = 0 ]; then
  mkdir -p "$WANTS"
  ln -sfn /etc/systemd/system/alertmanager@.service "$WANTS/$UNIT"
  note "installed into $ROOT ($([ "$DEBIAN" = yes ] && echo "over Debian's package" || echo fresh)); $UNIT enabled"
  exit 0
fi
if ! command -v systemctl >/dev/null 2>&1 || [ ! -d /run/systemd/system ]; then
  mkdir -p "$WANTS"
  ln -sfn /etc/systemd/system/alertmanager@.service "$WANTS/$UNIT"
  note "systemd is not running: $UNIT enabled, start it when systemd runs"
  exit 0
fi
if ! /usr/local/bin/alertmanager check-config "$(grep '^CONFIG_FILE=' "$ENV_FILE" | cut -d= -f2-)" >/dev/null; then
  die "the config does not load with the new binary: fix it, then rerun (nothing was started)"
fi
systemctl daemon-reload
systemctl enable "$UNIT"
if [ $START = 1 ]; then
  systemctl restart "$UNIT"
  note "started $UNIT; check the mesh: alertmanager cluster check --url=http://<each replica>:9093"
fi
