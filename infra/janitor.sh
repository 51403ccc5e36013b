#!/usr/bin/env bash
# Deletes relay subscriptions (`${CALLRELAY_TOPIC}-relay-*`) left behind by relay instances that crashed, sooner than
# their 1-day expiration policy would. Nothing else needs it: a clean shutdown deletes its own subscription.
#
#   PROJECT_ID=my-project infra/janitor.sh [--dry-run]
#
# A live relay acks every message within its 30 s ack deadline (60 s when a call's handler is blocked), so a
# subscription whose oldest unacked message is older than MAX_AGE_SECS (default 1800) has nobody pulling from it.
# Subscriptions with no backlog are left alone: they cost nothing and expire after a day without pulls.
# Needs gcloud (logged in), curl and jq; reads the Cloud Monitoring metric
# pubsub.googleapis.com/subscription/oldest_unacked_message_age.
set -euo pipefail

DRY_RUN=false
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=true ;;
    -h | --help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' && exit 0 ;;
    *) echo "janitor.sh: unknown argument: $arg" >&2 && exit 2 ;;
  esac
done

PROJECT_ID="${PROJECT_ID:?PROJECT_ID is required}"
TOPIC="${CALLRELAY_TOPIC:-callrelay-events}"
PREFIX="${TOPIC}-relay-"
MAX_AGE_SECS="${MAX_AGE_SECS:-1800}"
for tool in gcloud curl jq; do
  command -v "$tool" >/dev/null 2>&1 || { echo "janitor.sh: $tool is not installed" >&2; exit 1; }
done

now="$(date -u +%s)"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$1" +%Y-%m-%dT%H:%M:%SZ; }
filter="metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.labels.subscription_id=starts_with(\"$PREFIX\")"

# Max of the metric per subscription over the last 10 minutes.
series="$(curl -sS --fail-with-body -G \
  -H "Authorization: Bearer $(gcloud auth print-access-token)" \
  "https://monitoring.googleapis.com/v3/projects/${PROJECT_ID}/timeSeries" \
  --data-urlencode "filter=$filter" \
  --data-urlencode "interval.startTime=$(iso $((now - 600)))" \
  --data-urlencode "interval.endTime=$(iso "$now")" \
  --data-urlencode "aggregation.alignmentPeriod=600s" \
  --data-urlencode "aggregation.perSeriesAligner=ALIGN_MAX")"

stale="$(jq -r --argjson max "$MAX_AGE_SECS" '
  .timeSeries // [] | .[]
  | select((.points[0].value.int64Value | tonumber) > $max)
  | .resource.labels.subscription_id' <<<"$series")"

if [[ -z "$stale" ]]; then
  echo "no relay subscription with a backlog older than ${MAX_AGE_SECS}s"
  exit 0
fi
while IFS= read -r subscription; do
  [[ "$subscription" == "$PREFIX"* ]] || continue
  if $DRY_RUN; then
    echo "+ gcloud --project=$PROJECT_ID pubsub subscriptions delete $subscription"
  else
    echo "deleting $subscription"
    gcloud --project="$PROJECT_ID" --quiet pubsub subscriptions delete "$subscription" || true
  fi
done <<<"$stale"
