#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, from Debian's slurm-wlm and munge (as root):
#   scripts/slurm-local.sh start    # prints `export SLURM_CONF=…` for sbatch/squeue/scancel
#   scripts/slurm-local.sh stop     # stops the daemons and removes the state folder
#   scripts/slurm-local.sh status
# The config and state live in $SLURM_LOCAL_DIR (default /tmp/pt-slurm); nothing is written
# under /etc but munge's key (created by the munge package). Used by the grid tests; a real
# cluster needs none of this (see the README's "Grids on Slurm").
set -euo pipefail
exec < /dev/null
DIR=${SLURM_LOCAL_DIR:-/tmp/pt-slurm}
CONF=$DIR/slurm.conf
die() { echo "slurm-local: $*" >&2; exit 1; }

# Runs a daemon with none of the caller's descriptors: stdin from /dev/null, output to
# $DIR/NAME.out, every other descriptor closed. A caller such as Foundation's Process passes
# its pipes on at higher numbers too; a daemon that kept them would keep the caller waiting for
# the end of its output forever (the test of the grids hung that way in CI).
detached() {
  local name=$1 fd
  shift
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      [ "$fd" -le 2 ] || eval "exec $fd>&-" 2> /dev/null || true
    done
    exec "$@" < /dev/null > "$DIR/$name.out" 2>&1
  )
}

start() {
  [ "$(id -u)" = 0 ] || die "must run as root (slurmd runs jobs as their users)"
  for c in slurmctld slurmd munged sbatch; do
    command -v $c > /dev/null || die "$c not found: apt-get install slurm-wlm munge"
  done
  if [ -f "$DIR/slurmctld.pid" ] && kill -0 "$(cat "$DIR/slurmctld.pid")" 2> /dev/null; then
    echo "export SLURM_CONF=$CONF"
    return 0
  fi
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge"
  if ! pgrep -x munged > /dev/null; then
    [ -f /etc/munge/munge.key ] || { mungekey --create > /dev/null 2>&1 || create-munge-key -f > /dev/null; }
    mkdir -p /run/munge
    chown -R munge:munge /run/munge /etc/munge 2> /dev/null || true
    if id munge > /dev/null 2>&1; then
      detached munged su -s /bin/sh munge -c munged || detached munged munged --force
    else
      detached munged munged --force
    fi
  fi
  local host cpus memory
  host=$(hostname -s)
  cpus=$(nproc)
  memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  cat > "$CONF" <<CONF
ClusterName=ptlocal
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SlurmdParameters=config_overrides
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
SlurmctldPort=${SLURM_LOCAL_PORT:-6917}
SlurmdPort=$(( ${SLURM_LOCAL_PORT:-6917} + 1 ))
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$CONF
  detached slurmctld slurmctld -f "$CONF" -i
  detached slurmd slurmd -f "$CONF"
  for _ in $(seq 1 60); do
    if sinfo -h -o %T 2> /dev/null | grep -q -E '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$CONF"
      return 0
    fi
    sleep 0.5
  done
  die "the node did not come up; see $DIR/slurmctld.log and $DIR/slurmd.log"
}

stop() {
  for d in slurmd slurmctld; do
    if [ -f "$DIR/$d.pid" ]; then
      kill "$(cat "$DIR/$d.pid")" 2> /dev/null || true
    fi
  done
  sleep 1
  rm -rf "$DIR"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) SLURM_CONF=$CONF sinfo ;;
  *) echo "usage: scripts/slurm-local.sh start|stop|status" >&2; exit 64 ;;
esac
