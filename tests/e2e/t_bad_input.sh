# Bad input never crashes: unreachable host, unknown command, tiny terminal,
# bad config lines, hostile domain names.
. "$(dirname "$0")/lib.sh"

cat > "$T/nodes.xml" <<'XML'
<node>
  <domain type='test'>
    <name>ümlaut-vm</name>
    <uuid>11111111-2222-3333-4444-555555555555</uuid>
    <memory>65536</memory>
    <vcpu>1</vcpu>
    <os><type>hvm</type></os>
  </domain>
  <domain type='test'>
    <name>evil&#x9b;2J&#9;name</name>
    <uuid>11111111-2222-3333-4444-666666666666</uuid>
    <memory>65536</memory>
    <vcpu>1</vcpu>
    <os><type>hvm</type></os>
  </domain>
</node>
XML
mkdir -p "$XDG_CONFIG_HOME/virtmux"
printf 'set sort host\nfrobnicate now\nbind-key -T list NoSuchKey quit\nset mouse maybe\n' > "$XDG_CONFIG_HOME/virtmux/config"

start_virtmux 120x24 -c nosuch:///nowhere -c "test://$T/nodes.xml"
wait_row "ümlaut-vm" "running"
# The escape byte is shown escaped, never sent to the terminal.
wait_for 'evil\xc2\x9b2J\x09name'
# The bad host is reported, the rest works.
keys H
wait_for "nosuch"
wait_for "disconnected"
keys L
# Config errors were reported as file:line (the message log keeps them).
keys : "show-messages" Enter
wait_for "config:2: unknown command 'frobnicate'"
wait_for "config:3: unknown key 'NoSuchKey'"
wait_for "config:4: set mouse: 'maybe' is not on or off"
keys q
keys : "frobnicate" Enter
wait_for "unknown command 'frobnicate'"
keys : 'start "unterminated' Enter
wait_for "unterminated"
keys : "start nosuch-domain" Enter
wait_for "no domain 'nosuch-domain'"
keys Z
wait_for "Z is not bound here"

# A terminal smaller than 20x5 says so; growing it back restores the table.
tm resize-window -t vm -x 15 -y 4
wait_for "terminal too"
tm resize-window -t vm -x 120 -y 24
wait_row "ümlaut-vm" "running"

keys q
wait_exit 0
pass
