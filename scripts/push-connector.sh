#!/usr/bin/env bash
# Uploads and releases connector/connector.rb in a Workato workspace with Workato's own CLI
# (`workato push`, from the workato-connector-sdk gem).
#   WORKATO_API_TOKEN  required: an API client token allowed to manage custom connectors
#   WORKATO_BASE_URL   the data center, e.g. https://app.eu.workato.com (default https://app.workato.com)
#   WORKATO_FOLDER_ID  optional: the folder to release into (default: Home)
# Release notes: the first argument, or the last commit's subject.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${WORKATO_API_TOKEN:?set WORKATO_API_TOKEN to a Workato API client token allowed to manage custom connectors}"
if ! command -v workato >/dev/null; then
  echo "The workato CLI is not installed: gem install workato-connector-sdk" >&2
  exit 1
fi
# Never release a connector that is out of step with the API's spec.
npm run --silent generate:connector -- --check

notes="${1:-$(git log -1 --pretty='%h %s')}"
args=(push
  --connector=connector/connector.rb
  --title=Tajo
  --description=connector/README.md
  --notes="$notes"
  --api-token="$WORKATO_API_TOKEN"
  --environment="${WORKATO_BASE_URL:-https://app.workato.com}")
if [ -n "${WORKATO_FOLDER_ID:-}" ]; then args+=(--folder="$WORKATO_FOLDER_ID"); fi
workato "${args[@]}"
