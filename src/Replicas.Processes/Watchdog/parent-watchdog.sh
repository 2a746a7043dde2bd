# Started as: /bin/sh -c "<this script>" ringway-replica <grace seconds> <balancer pid> <command> [arguments...]
# Forks a background watchdog, then execs the command, so the command keeps this shell's process id and the watchdog
# is the command's child. Once a second the watchdog reads two parent links from /proc/<pid>/stat: its own parent must
# still be the command (otherwise the command exited and the watchdog ends), and the command's parent must still be
# the balancer. The command is re-parented only when the balancer dies, so a reused process id cannot fool it; then
# the command gets SIGTERM and, after the grace period, SIGKILL.
set -f
grace=$1 parent=$2
shift 2
replica=$$
# Sets p to the parent id of process $1; the command name in field 2 may hold spaces and ')', so fields start after the last ') '.
ppid_of() { p=; read -r s < "/proc/$1/stat" 2>/dev/null || return 1; s=${s##*) }; set -- $s; p=$2; }
(
  while sleep 1; do
    ppid_of self && [ "$p" = "$replica" ] || exit 0
    ppid_of "$replica" && [ "$p" != "$parent" ] || continue
    kill -TERM "$replica" 2>/dev/null
    i=0
    while [ "$i" -lt "$grace" ]; do
      sleep 1
      ppid_of self && [ "$p" = "$replica" ] || exit 0
      i=$((i + 1))
    done
    kill -KILL "$replica" 2>/dev/null
    exit 0
  done
) </dev/null >/dev/null 2>&1 &
exec "$@"
