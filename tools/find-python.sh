#!/usr/bin/env bash
# Print the path of a Python >= 3.12, or fail with a message saying how to provide one.
# Order: $PYTHON if set, python3.13, python3.12, pyenv's installed versions, python3.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ]; then
  if ok "$PYTHON"; then command -v "$PYTHON"; exit 0; fi
  echo "find-python: PYTHON=$PYTHON is not a Python >= 3.12" >&2; exit 1
fi
cands=(python3.13 python3.12)
for root in "${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv /usr/local/pyenv; do
  for d in $(ls -d "$root"/versions/3.1[3-9]* "$root"/versions/3.12* 2>/dev/null | sort -rV); do
    cands+=("$d/bin/python3")
  done
done
cands+=(python3 python)
for c in "${cands[@]}"; do
  p=$(command -v "$c" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
echo "find-python: no Python >= 3.12 found (tried python3.13, python3.12, pyenv versions, python3)." >&2
echo "  Install one (e.g. 'pyenv install 3.12') or run: make PYTHON=/path/to/python3.12 ..." >&2
exit 1
