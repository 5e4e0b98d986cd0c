# Sourced by scripts: tool_path NAME ENVVAR prints the tool to use (env var, then .tools/bin, then PATH).
tool_path() {
  local name="$1" var="$2" root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ -n "${!var:-}" ]; then echo "${!var}"; return 0; fi
  if [ -x "$root/.tools/bin/$name" ]; then echo "$root/.tools/bin/$name"; return 0; fi
  command -v "$name" 2>/dev/null && return 0
  echo "error: $name not found: run scripts/setup.sh or set $var" >&2
  return 1
}
