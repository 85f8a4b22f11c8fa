# free_port NAME: sets the variable named NAME to a free TCP port of 127.0.0.1, below the ephemeral range (so
# the connections a load client opens meanwhile cannot take it) and never one this shell handed out before.
# Sourced, not run, by bench/lib.sh, deploy/fleet-test.sh and deploy/test-image.sh; needs ss (iproute2) and
# the sourcing script's die. Sets the variable rather than echoing the port: a command substitution's subshell
# would forget what it took. The name must not be "candidate".
free_port_taken=""
free_port() {
  local candidate
  for _ in $(seq 1 200); do
    candidate=$((20000 + RANDOM % 12000))
    case " $free_port_taken " in *" $candidate "*) continue ;; esac
    if [ -z "$(ss -Htan "( sport = :$candidate )" 2>/dev/null)" ]; then
      free_port_taken="$free_port_taken $candidate"
      printf -v "$1" '%s' "$candidate"
      return 0
    fi
  done
  die "no free port found"
}
