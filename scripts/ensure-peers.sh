#!/bin/sh
# The system programs the end-to-end suite talks to, installed when missing (run by `npm test` and .ci/run):
#   chromium            headless browser against the servers (test/e2e/servers-browser.test.ts)
#   tinyproxy           an HTTP CONNECT proxy (test/e2e/connect-network.test.ts)
#   python3-websockets  Python's websockets for /usr/bin/python3 (connect-python, servers-interop)
#   websocketd          the program-behind-a-socket server `listen --exec` is compared with (bench exec)
# All present: does nothing, silently. Some missing, as root or with password-less sudo on Debian/Ubuntu:
# installs exactly those with apt-get. Otherwise: one line naming the packages and the command, exit 1.
set -u

chromium=${WSPROBE_TEST_CHROMIUM:-/usr/bin/chromium}
python=${WSPROBE_TEST_PYTHON:-/usr/bin/python3}

missing() {
  [ -x "$chromium" ] || printf ' chromium'
  command -v tinyproxy >/dev/null 2>&1 || printf ' tinyproxy'
  "$python" -c 'import websockets' >/dev/null 2>&1 || printf ' python3-websockets'
  command -v websocketd >/dev/null 2>&1 || printf ' websocketd'
}

packages=$(missing)
[ -z "$packages" ] && exit 0
packages=${packages# }
install="apt-get install -y --no-install-recommends $packages"

if [ "$(id -u)" -eq 0 ]; then
  sudo=''
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo='sudo'
else
  sudo='none'
fi
if [ "$sudo" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "npm test needs the system packages $packages (Debian/Ubuntu); install them: sudo apt-get update && sudo $install" >&2
  exit 1
fi

echo "installing the test peers: $packages" >&2
# $sudo is empty or one word; it is left unquoted on purpose.
# shellcheck disable=SC2086
if ! $sudo apt-get update -q || ! $sudo env DEBIAN_FRONTEND=noninteractive $install; then
  echo "could not install $packages; try: sudo apt-get update && sudo $install" >&2
  exit 1
fi
still=$(missing)
if [ -n "$still" ]; then
  echo "installed, but still missing:$still (expected $chromium, tinyproxy and websocketd on PATH, websockets for $python)" >&2
  exit 1
fi
