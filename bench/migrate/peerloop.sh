#!/usr/bin/env bash
# bench/migrate/peerloop.sh: the peer of bench/migrate — what a user can do today
# without virtmux. `virsh console` on the host where the domain runs; when it
# ends (the domain left for the other host), poll `virsh domstate` on the other
# host (then on this one) until the domain runs there, and run `virsh console`
# there. Runs on conrec's pty, in the testbed's client namespace.
#
#   peerloop.sh HOST STOPFILE      HOST: A or B, where the domain runs now
#
# Environment: TESTBED_URI_A, TESTBED_URI_B, TESTBED_GUEST. It prints
# "@@attach HOST" before each `virsh console` and "@@detached HOST" after it
# (lines of its own; bench/migrate/analyze.py tells them from guest output).
# Between two consoles the pty is raw and does not echo, as `virsh console`
# leaves it; keys typed meanwhile wait in the pty (and virsh may flush them).
set -u
cur=$1 stop=$2
dom=${TESTBED_GUEST:-tb1}
uri() { if [[ $1 == A ]]; then echo "$TESTBED_URI_A"; else echo "$TESTBED_URI_B"; fi; }
other() { if [[ $1 == A ]]; then echo B; else echo A; fi; }
runs_on() { [[ $(virsh -q -c "$(uri "$1")" domstate "$dom" 2>/dev/null) == running* ]]; }

stty raw -echo 2>/dev/null
while [[ ! -e $stop ]]; do
    printf '\r\n@@attach %s\r\n' "$cur"
    virsh -c "$(uri "$cur")" console "$dom"
    printf '\r\n@@detached %s\r\n' "$cur"
    stty raw -echo 2>/dev/null
    # Where does it run now? Bounded: after 120 s, try this host's console again.
    end=$((SECONDS + 120))
    while [[ ! -e $stop ]] && (( SECONDS < end )); do
        o=$(other "$cur")
        if runs_on "$o"; then cur=$o; break; fi
        runs_on "$cur" && break
        sleep 0.05
    done
done
