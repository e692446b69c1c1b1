#!/usr/bin/env bash
# The library code (base/, crypto/, schema/, config/, node/) follows the
# repository's .clang-format (Google style, 100 columns), as clang-format 14
# from Debian 12 formats it (scripts/setup.sh installs it). Lists every file
# that differs and how to fix it; passes only when none does.
set -uo pipefail
root=${1:?usage: format_check.sh SOURCE_DIR}
cd "$root" || exit 2
if ! command -v clang-format >/dev/null 2>&1; then
  echo "format_check: FAILED: clang-format is not installed; run scripts/setup.sh" >&2
  exit 1
fi
mapfile -t files < <(find base crypto schema config node -type f \( -name '*.h' -o -name '*.cc' \) \
  2>/dev/null | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "format_check: FAILED: no sources found under $root" >&2
  exit 1
fi
bad=()
for f in "${files[@]}"; do
  clang-format --style=file --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ "${#bad[@]}" -gt 0 ]; then
  echo "format_check: FAILED: ${#bad[@]} of ${#files[@]} files differ from .clang-format:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "fix with: clang-format --style=file -i ${bad[*]}" >&2
  exit 1
fi
echo "format_check: ${#files[@]} files follow .clang-format ($(clang-format --version | head -1))"
