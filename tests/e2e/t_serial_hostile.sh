# A hostile guest: OSC 52 clipboard, titles and a title report request,
# DECRQSS, OSC 8 links, 8-bit C1 controls, invalid UTF-8, huge CSI
# parameters and a BEL flood. Every byte virtmux writes to its terminal is
# recorded (script(1)); none of the guest's sequences may appear there, and
# the guest may receive nothing but the standard replies (DA, DSR, CPR).
. "$(dirname "$0")/lib.sh"
need_qemu
command -v script >/dev/null || skip "script(1) is not installed (bsdutils)"

REAL=$VIRTMUX
cat > "$T/recorded.sh" <<SH
#!/bin/sh
exec script -qfec "'$REAL' --demo" "$T/typescript"
SH
chmod +x "$T/recorded.sh"
VIRTMUX="$T/recorded.sh"
VIRTMUX_MATCH="script -qfec"

start_virtmux 120x30
wait_for "virtmux demo guest ready" 90
keys Enter
wait_for "demo1:~#" 20
type_line 'H(){ printf "\033]52;c;SGVsbG8=\007\033]2;EVIL\124ITLE\007\033[21t\033P\044qm\033\134\033]8;;http://x.invalid/\033\134link\033]8;;\033\134\2332J\377\376\033[99999999999999999999999A\033[c\033[5n\033[6n"; }'
type_line 'B(){ i=0; while [ $i -lt 500 ]; do printf "\007"; i=$((i+1)); done; }'
type_line 'stty raw -echo min 0 time 20; H; B; cat > /tmp/r; stty sane; echo RE""PLIES BAD=$(tr -d "0123456789;?[Rnc\033" < /tmp/r | wc -c) LEN=$(wc -c < /tmp/r)'
wait_for "REPLIES BAD=" 30
screen | grep -q "REPLIES BAD=0 " || fail "the guest received something besides DA/DSR/CPR replies"
screen | grep -Eq "LEN=[1-9]" || fail "the guest got no replies at all (DA/DSR/CPR expected)"
type_line 'echo still-$((2*21))'
wait_for "still-42" 20

keys C-] q
for _ in $(seq 1 100); do [ -s "$T/typescript" ] && ! kill -0 "$VIRTMUX_PID" 2>/dev/null && break; sleep 0.1; done
no_sanitizer_reports
ts="$T/typescript"
[ -s "$ts" ] || fail "nothing recorded"
# The recording is the real screen output (else the checks below prove nothing).
# script(1) may still be writing its last chunk after virtmux has exited. Look
# for "still-" only: curses may draw "still-42" in two pieces (a loaded guest
# sends it in two reads, drawn in two frames, with a cursor move between).
for _ in $(seq 1 50); do grep -qa "still-" "$ts" && break; sleep 0.1; done
grep -qa "still-" "$ts" || fail "the recording lacks what was on screen"
for pat in $'\033]52' $'\033]2;' $'\033]0;' $'\033]8;' $'\033P' $'\2332J' $'\033[21t' 'EVILTITLE' $'\007'; do
    if grep -qaF -- "$pat" "$ts"; then
        fail "virtmux wrote a guest sequence to the terminal: $(printf '%q' "$pat")"
    fi
done
pass
