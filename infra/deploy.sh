#!/usr/bin/env bash
# Deploys callrelay to one Google Cloud project: APIs, service accounts, Pub/Sub topic, Firestore, secrets, the four
# HTTP Cloud Functions (gen2), the WebSocket relay on Cloud Run and the dashboard on Firebase Hosting.
#
#   PROJECT_ID=my-project REGION=us-central1 infra/deploy.sh [--dry-run]
#
# Idempotent: every step creates what is missing and converges what exists, so re-running is how you update.
# --dry-run prints the commands (gcloud, firebase, the local build) instead of running them and needs no credentials.
# Every variable is described in docs/DEPLOY.md. Secret values are never read from or written to a file here.
set -euo pipefail

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

DRY_RUN=false
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=true ;;
    -h | --help) usage && exit 0 ;;
    *) echo "deploy.sh: unknown argument: $arg (try --help)" >&2 && exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# ---- parameters ------------------------------------------------------------------------------------------------
PROJECT_ID="${PROJECT_ID:-}"
[[ -n "$PROJECT_ID" ]] || { echo "deploy.sh: PROJECT_ID is required (e.g. PROJECT_ID=my-project $0)" >&2; exit 2; }
REGION="${REGION:-us-central1}"
FIRESTORE_LOCATION="${FIRESTORE_LOCATION:-$REGION}"
TOPIC="${CALLRELAY_TOPIC:-callrelay-events}"
PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-https://${PROJECT_ID}.web.app}"
DIAL_MODE="${DIAL_MODE:-register}"
LOG_LEVEL="${LOG_LEVEL:-INFO}"
AR_REPO="${AR_REPO:-callrelay}"
RELAY_SERVICE="${RELAY_SERVICE:-callrelay-relay}"
RELAY_MIN_INSTANCES="${RELAY_MIN_INSTANCES:-1}"
RELAY_MAX_INSTANCES="${RELAY_MAX_INSTANCES:-10}"
# One WebSocket is one Cloud Run request; 1000 is Cloud Run's ceiling. The relay refuses more itself (1013).
RELAY_CONCURRENCY="${RELAY_CONCURRENCY:-1000}"
FUNCTION_MAX_INSTANCES="${FUNCTION_MAX_INSTANCES:-20}"
# Rotate: add a new version of every secret whose variable is set, even when the secret already has one.
ROTATE_SECRETS="${ROTATE_SECRETS:-false}"
# Proxies that append to X-Forwarded-For in front of the functions: Firebase Hosting, then Google's front end.
TRUSTED_PROXY_HOPS="${TRUSTED_PROXY_HOPS:-2}"

FUNCTIONS_SA="callrelay-functions@${PROJECT_ID}.iam.gserviceaccount.com"
RELAY_SA="callrelay-relay@${PROJECT_ID}.iam.gserviceaccount.com"
# Calls the private worker functions: Cloud Scheduler's tick and Eventarc's Pub/Sub pushes, with OIDC tokens.
INVOKER_SA="callrelay-scheduler@${PROJECT_ID}.iam.gserviceaccount.com"
# The worker's tick: every minute in production (the local stack ticks every SCHEDULER_TICK_MS itself).
WORKER_SCHEDULE="${WORKER_SCHEDULE:-* * * * *}"
IMAGE_REPO="${REGION}-docker.pkg.dev/${PROJECT_ID}/${AR_REPO}/relay"

# Non-secret provider settings (README, Environment). Deployed services have no defaults; a dry run shows placeholders.
CONFIG_VARS=(DEFAULT_ORG TWILIO_ACCOUNT_SID TWILIO_FROM_NUMBER ELEVENLABS_AGENT_ID ELEVENLABS_AGENT_PHONE_NUMBER_ID)
# Secret Manager name ← environment variable the services read (and that seeds the first version when set here).
SECRETS=(
  "callrelay-jwt-secret:JWT_SECRET"
  "callrelay-twilio-auth-token:TWILIO_AUTH_TOKEN"
  "callrelay-elevenlabs-api-key:ELEVENLABS_API_KEY"
  "callrelay-elevenlabs-webhook-secret:ELEVENLABS_WEBHOOK_SECRET"
)
# name | min instances | timeout | memory | secrets it reads. Each function builds only its own handler
# (FUNCTION_TARGET), so it gets only the secrets that handler needs.
WEBHOOK_SECRETS="TWILIO_AUTH_TOKEN ELEVENLABS_WEBHOOK_SECRET"
FUNCTIONS=(
  "api|1|60s|512Mi|JWT_SECRET TWILIO_AUTH_TOKEN ELEVENLABS_API_KEY"
  "twilioStatusWebhook|0|30s|512Mi|$WEBHOOK_SECRETS"
  "twilioTranscriptionWebhook|1|30s|512Mi|$WEBHOOK_SECRETS"
  "elevenlabsWebhook|0|60s|512Mi|$WEBHOOK_SECRETS"
)

# ---- helpers ---------------------------------------------------------------------------------------------------
say() { printf '\n== %s\n' "$*"; }
die() { echo "deploy.sh: $*" >&2; exit 1; }

# Prints a command as shell-quoted text.
show() {
  local out="" word
  for word in "$@"; do out+="$(printf '%q' "$word") "; done
  printf '+ %s\n' "${out% }"
}

# Runs a command, or prints it in a dry run.
run() {
  if $DRY_RUN; then show "$@"; else "$@"; fi
}

# ensure <check command...> -- <create command...>: runs create only when check fails (quietly).
ensure() {
  local check=() create=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do check+=("$1"); shift; done
  shift
  create=("$@")
  if $DRY_RUN; then
    printf '+ %s >/dev/null 2>&1 || %s\n' "$(show "${check[@]}" | cut -c3-)" "$(show "${create[@]}" | cut -c3-)"
  elif ! "${check[@]}" >/dev/null 2>&1; then
    "${create[@]}"
  fi
}

# Value of a required setting (checked up front); a dry run substitutes <NAME> for an unset one.
setting() {
  local name="$1"
  if [[ -n "${!name:-}" ]]; then printf '%s' "${!name}"; else printf '<%s>' "$name"; fi
}

# One `KEY: "value"` line of a gcloud --env-vars-file (YAML).
yaml_line() {
  local value="$2"
  value="${value//\\/\\\\}"
  value="${value//\"/\\\"}"
  printf '%s: "%s"\n' "$1" "$value"
}

gcloud_p() { run gcloud --project="$PROJECT_ID" --quiet "$@"; }

# Check every input before touching anything.
if ! $DRY_RUN; then
  for tool in gcloud node npm git; do command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"; done
  for var in "${CONFIG_VARS[@]}"; do [[ -n "${!var:-}" ]] || die "$var is required (see docs/DEPLOY.md)"; done
fi
case "$DIAL_MODE" in register | elevenlabs) ;; *) die "DIAL_MODE must be register or elevenlabs" ;; esac
[[ "$PUBLIC_BASE_URL" == https://* ]] || die "PUBLIC_BASE_URL must be an https:// origin (providers call it)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/callrelay-deploy.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "callrelay deploy: project=$PROJECT_ID region=$REGION public=$PUBLIC_BASE_URL dry_run=$DRY_RUN"

# ---- 1. APIs ---------------------------------------------------------------------------------------------------
say "Enable APIs"
gcloud_p services enable \
  cloudfunctions.googleapis.com run.googleapis.com cloudbuild.googleapis.com artifactregistry.googleapis.com \
  pubsub.googleapis.com firestore.googleapis.com secretmanager.googleapis.com iam.googleapis.com \
  cloudresourcemanager.googleapis.com firebase.googleapis.com firebasehosting.googleapis.com \
  logging.googleapis.com monitoring.googleapis.com cloudscheduler.googleapis.com eventarc.googleapis.com

# ---- 2. Service accounts and custom roles (least privilege) ----------------------------------------------------
say "Service accounts"
for sa in callrelay-functions:"callrelay Cloud Functions" callrelay-relay:"callrelay WebSocket relay" \
  callrelay-scheduler:"callrelay Cloud Scheduler and Pub/Sub push invoker"; do
  ensure gcloud --project="$PROJECT_ID" iam service-accounts describe "${sa%%:*}@${PROJECT_ID}.iam.gserviceaccount.com" -- \
    gcloud --project="$PROJECT_ID" --quiet iam service-accounts create "${sa%%:*}" --display-name="${sa#*:}"
done

# Both backends run `ensureTopic()` (topic.create, ALREADY_EXISTS tolerated) at start, which needs
# pubsub.topics.create on the project even though the topic exists. The relay also creates and deletes its own
# per-instance subscription (`${TOPIC}-relay-<instanceId>`) and pulls from it.
upsert_role() {
  local id="$1" title="$2" permissions="$3"
  ensure gcloud --project="$PROJECT_ID" iam roles describe "$id" -- \
    gcloud --project="$PROJECT_ID" --quiet iam roles create "$id" --title="$title" --permissions="$permissions" --stage=GA
  gcloud_p iam roles update "$id" --permissions="$permissions" --format=none
}
upsert_role callrelayTopicEnsure "callrelay: ensure bus topic" "pubsub.topics.create"
upsert_role callrelayRelayBus "callrelay relay: own subscriptions" \
  "pubsub.topics.create,pubsub.subscriptions.create,pubsub.subscriptions.get,pubsub.subscriptions.consume,pubsub.subscriptions.delete"

project_binding() {
  gcloud_p projects add-iam-policy-binding "$PROJECT_ID" --member="serviceAccount:$1" --role="$2" \
    --condition=None --format=none
}
project_binding "$FUNCTIONS_SA" roles/datastore.user
project_binding "$FUNCTIONS_SA" "projects/$PROJECT_ID/roles/callrelayTopicEnsure"
project_binding "$RELAY_SA" roles/datastore.user
project_binding "$RELAY_SA" "projects/$PROJECT_ID/roles/callrelayRelayBus"

# ---- 3. Pub/Sub ------------------------------------------------------------------------------------------------
say "Pub/Sub topic $TOPIC"
# Ordering is not a topic setting: publishers set ordering keys (callId) and each relay subscription is created with
# enableMessageOrdering + a 1-day expiration policy by the relay itself (core/adapters/google/pubsub-event-bus.ts).
ensure gcloud --project="$PROJECT_ID" pubsub topics describe "$TOPIC" -- \
  gcloud --project="$PROJECT_ID" --quiet pubsub topics create "$TOPIC"
gcloud_p pubsub topics add-iam-policy-binding "$TOPIC" --member="serviceAccount:$FUNCTIONS_SA" \
  --role=roles/pubsub.publisher --format=none
# attachSubscription on the topic (roles/pubsub.subscriber) lets the relay create subscriptions to it.
gcloud_p pubsub topics add-iam-policy-binding "$TOPIC" --member="serviceAccount:$RELAY_SA" \
  --role=roles/pubsub.subscriber --format=none

# ---- 4. Firestore ----------------------------------------------------------------------------------------------
say "Firestore (native mode, $FIRESTORE_LOCATION): database, rules, indexes"
ensure gcloud --project="$PROJECT_ID" firestore databases describe --database="(default)" -- \
  gcloud --project="$PROJECT_ID" --quiet firestore databases create --database="(default)" \
  --location="$FIRESTORE_LOCATION" --type=firestore-native

FIREBASE=(firebase)
if ! command -v firebase >/dev/null 2>&1; then FIREBASE=(npx --yes firebase-tools@15); fi
run "${FIREBASE[@]}" deploy --project="$PROJECT_ID" --config="$ROOT/firebase.json" \
  --only=firestore:rules,firestore:indexes --non-interactive

# ---- 5. Secrets ------------------------------------------------------------------------------------------------
say "Secrets (values come from your environment, are piped to Secret Manager, and are never printed)"
for entry in "${SECRETS[@]}"; do
  secret="${entry%%:*}"
  var="${entry#*:}"
  ensure gcloud --project="$PROJECT_ID" secrets describe "$secret" -- \
    gcloud --project="$PROJECT_ID" --quiet secrets create "$secret" --replication-policy=automatic
  if $DRY_RUN; then
    printf '+ %s\n' "[ no enabled version, or ROTATE_SECRETS=true ] && printf %s \"\$$var\" | gcloud --project=$PROJECT_ID secrets versions add $secret --data-file=-"
  else
    has_version="$(gcloud --project="$PROJECT_ID" secrets versions list "$secret" --filter=state=enabled \
      --limit=1 --format='value(name)')"
    if [[ -z "$has_version" || "$ROTATE_SECRETS" == true ]]; then
      if [[ -n "${!var:-}" ]]; then
        printf '%s' "${!var}" | gcloud --project="$PROJECT_ID" --quiet secrets versions add "$secret" --data-file=-
      elif [[ -z "$has_version" ]]; then
        die "secret $secret has no version: export $var (or run: gcloud secrets versions add $secret --data-file=-)"
      fi
    fi
  fi
  gcloud_p secrets add-iam-policy-binding "$secret" --member="serviceAccount:$FUNCTIONS_SA" \
    --role=roles/secretmanager.secretAccessor --format=none
  if [[ "$var" == JWT_SECRET ]]; then
    gcloud_p secrets add-iam-policy-binding "$secret" --member="serviceAccount:$RELAY_SA" \
      --role=roles/secretmanager.secretAccessor --format=none
  fi
done

# ---- 6. Build ----------------------------------------------------------------------------------------------------
say "Build (tsc → dist/, Vite → web/dist/)"
run npm run build
run npm run build:web

# ---- 7. Cloud Functions (gen2) ---------------------------------------------------------------------------------
say "Cloud Functions"
# The upload is the compiled output plus a package.json with production dependencies only, so Cloud Build installs
# (npm ci) and runs exactly what was built and tested here, without TypeScript or test files.
STAGE="$WORK/functions"
if $DRY_RUN; then
  show mkdir -p "$STAGE/dist" && show cp -R dist/core dist/functions "$STAGE/dist/"
  show node infra/stage-package.mjs "$STAGE"
else
  mkdir -p "$STAGE/dist"
  cp -R dist/core dist/functions "$STAGE/dist/"
  node infra/stage-package.mjs "$STAGE"
fi

FUNCTIONS_ENV="$WORK/functions.env.yaml"
{
  yaml_line NODE_ENV production
  yaml_line CALLRELAY_BACKEND google
  yaml_line GOOGLE_CLOUD_PROJECT "$PROJECT_ID"
  yaml_line CALLRELAY_TOPIC "$TOPIC"
  yaml_line PUBLIC_BASE_URL "$PUBLIC_BASE_URL"
  yaml_line DIAL_MODE "$DIAL_MODE"
  yaml_line LOG_LEVEL "$LOG_LEVEL"
  yaml_line TRUSTED_PROXY_HOPS "$TRUSTED_PROXY_HOPS"
  for var in "${CONFIG_VARS[@]}"; do yaml_line "$var" "$(setting "$var")"; done
} >"$FUNCTIONS_ENV"
if $DRY_RUN; then echo "# $FUNCTIONS_ENV:" && sed 's/^/#   /' "$FUNCTIONS_ENV"; fi

# --set-secrets value for the given variables: VAR=secret-name:latest, from the SECRETS table.
secret_flags() {
  local out="" var entry
  for var in $1; do
    for entry in "${SECRETS[@]}"; do
      [[ "${entry#*:}" == "$var" ]] && out+="$var=${entry%%:*}:latest,"
    done
  done
  printf '%s' "${out%,}"
}

for spec in "${FUNCTIONS[@]}"; do
  IFS='|' read -r name min timeout memory secret_vars <<<"$spec"
  # Public: Hosting rewrites call them unauthenticated. Webhooks verify provider signatures, the API verifies JWTs.
  gcloud_p functions deploy "$name" --gen2 --region="$REGION" --runtime=nodejs20 \
    --source="$STAGE" --entry-point="$name" --trigger-http --allow-unauthenticated \
    --run-service-account="$FUNCTIONS_SA" \
    --env-vars-file="$FUNCTIONS_ENV" --set-secrets="$(secret_flags "$secret_vars")" \
    --min-instances="$min" --max-instances="$FUNCTION_MAX_INSTANCES" --timeout="$timeout" \
    --memory="$memory" --cpu=1 --concurrency=40 --serve-all-traffic-latest-revision
done

# ---- 7b. Worker: due work and bus consumer ------------------------------------------------------------------
say "Worker functions (workerTick on Cloud Scheduler, workerEvents on the bus) and the scheduler job"
# Private: only INVOKER_SA may call them. workerTick claims and runs due work (campaign dials, retries, call recovery,
# post-call reconciliation, webhook deliveries) for up to WORKER_TICK_BUDGET_MS; workerEvents gets every bus message
# through Eventarc's durable push subscription (--retry: a handler that throws has the message redelivered).
WORKER_SECRETS="TWILIO_AUTH_TOKEN ELEVENLABS_API_KEY"
gcloud_p functions deploy workerTick --gen2 --region="$REGION" --runtime=nodejs20 \
  --source="$STAGE" --entry-point=workerTick --trigger-http --no-allow-unauthenticated \
  --run-service-account="$FUNCTIONS_SA" \
  --env-vars-file="$FUNCTIONS_ENV" --set-secrets="$(secret_flags "$WORKER_SECRETS")" \
  --min-instances=0 --max-instances=1 --timeout=60s --memory=512Mi --cpu=1 --concurrency=1 \
  --serve-all-traffic-latest-revision
gcloud_p functions deploy workerEvents --gen2 --region="$REGION" --runtime=nodejs20 \
  --source="$STAGE" --entry-point=workerEvents --trigger-topic="$TOPIC" --retry \
  --trigger-service-account="$INVOKER_SA" --run-service-account="$FUNCTIONS_SA" \
  --env-vars-file="$FUNCTIONS_ENV" --set-secrets="$(secret_flags "$WORKER_SECRETS")" \
  --min-instances=0 --max-instances="$FUNCTION_MAX_INSTANCES" --timeout=60s --memory=512Mi --cpu=1 \
  --concurrency=20 --serve-all-traffic-latest-revision
for fn in workerTick workerEvents; do
  gcloud_p functions add-invoker-policy-binding "$fn" --region="$REGION" --member="serviceAccount:$INVOKER_SA" \
    --format=none
done
if $DRY_RUN; then
  TICK_URL="https://<workerTick-url>"
  show gcloud functions describe workerTick --gen2 --region="$REGION" --format='value(serviceConfig.uri)'
else
  TICK_URL="$(gcloud --project="$PROJECT_ID" functions describe workerTick --gen2 --region="$REGION" \
    --format='value(serviceConfig.uri)')"
fi
SCHEDULER_ARGS=(--location="$REGION" --schedule="$WORKER_SCHEDULE" --uri="$TICK_URL" --http-method=POST
  --oidc-service-account-email="$INVOKER_SA" --oidc-token-audience="$TICK_URL" --attempt-deadline=90s)
ensure gcloud --project="$PROJECT_ID" scheduler jobs describe callrelay-tick --location="$REGION" -- \
  gcloud --project="$PROJECT_ID" --quiet scheduler jobs create http callrelay-tick "${SCHEDULER_ARGS[@]}"
gcloud_p scheduler jobs update http callrelay-tick "${SCHEDULER_ARGS[@]}"

# ---- 8. Relay on Cloud Run -------------------------------------------------------------------------------------
say "Relay image and Cloud Run service $RELAY_SERVICE"
ensure gcloud --project="$PROJECT_ID" artifacts repositories describe "$AR_REPO" --location="$REGION" -- \
  gcloud --project="$PROJECT_ID" --quiet artifacts repositories create "$AR_REPO" --location="$REGION" \
  --repository-format=docker --description="callrelay images"

TAG="${IMAGE_TAG:-}"
if [[ -z "$TAG" ]]; then
  TAG="$(git rev-parse --short=12 HEAD 2>/dev/null || echo manual)"
  if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then TAG+="-dirty-$(date -u +%Y%m%d%H%M%S)"; fi
fi
IMAGE="$IMAGE_REPO:$TAG"
gcloud_p builds submit "$ROOT" --region="$REGION" --config="$ROOT/infra/cloudbuild-relay.yaml" \
  --substitutions="_IMAGE=$IMAGE"

RELAY_ENV="$WORK/relay.env.yaml"
{
  yaml_line NODE_ENV production
  yaml_line CALLRELAY_BACKEND google
  yaml_line GOOGLE_CLOUD_PROJECT "$PROJECT_ID"
  yaml_line CALLRELAY_TOPIC "$TOPIC"
  yaml_line LOG_LEVEL "$LOG_LEVEL"
  yaml_line RELAY_MAX_CONNECTIONS "$RELAY_CONCURRENCY"
} >"$RELAY_ENV"
if $DRY_RUN; then echo "# $RELAY_ENV:" && sed 's/^/#   /' "$RELAY_ENV"; fi

# --no-cpu-throttling: the Pub/Sub streaming pull must run between requests. --timeout=3600: a WebSocket lives at most
# one request timeout (clients reconnect and resume). --session-affinity: reconnects prefer the same instance.
gcloud_p run deploy "$RELAY_SERVICE" --region="$REGION" --image="$IMAGE" \
  --service-account="$RELAY_SA" --allow-unauthenticated \
  --env-vars-file="$RELAY_ENV" --set-secrets="JWT_SECRET=callrelay-jwt-secret:latest" \
  --port=8080 --timeout=3600 --concurrency="$RELAY_CONCURRENCY" --session-affinity \
  --min-instances="$RELAY_MIN_INSTANCES" --max-instances="$RELAY_MAX_INSTANCES" \
  --no-cpu-throttling --cpu-boost --cpu=1 --memory=512Mi \
  --startup-probe="httpGet.path=/readyz,httpGet.port=8080,periodSeconds=2,timeoutSeconds=2,failureThreshold=30" \
  --liveness-probe="httpGet.path=/healthz,httpGet.port=8080,periodSeconds=30,timeoutSeconds=5,failureThreshold=3"

if [[ -n "${RELAY_PUBLIC_URL:-}" ]]; then
  relay_https="$RELAY_PUBLIC_URL"
elif $DRY_RUN; then
  relay_https="https://${RELAY_SERVICE}-<hash>-<region>.a.run.app"
  show gcloud --project="$PROJECT_ID" run services describe "$RELAY_SERVICE" --region="$REGION" --format='value(status.url)'
else
  relay_https="$(gcloud --project="$PROJECT_ID" run services describe "$RELAY_SERVICE" --region="$REGION" \
    --format='value(status.url)')"
fi
RELAY_WS_URL="wss://${relay_https#https://}"

# ---- 9. Dashboard on Firebase Hosting ----------------------------------------------------------------------------
say "Firebase Hosting: web/dist + /config.json, rewrites to the functions in $REGION"
# The API is served at the Hosting origin's root (/auth/login, /calls, /driver_data/...): a Hosting rewrite keeps the
# request path, and the api function routes without an /api prefix. The relay is reached directly (no WebSocket
# through Hosting). Shape: web/src/runtime-config.ts.
HOSTING="$WORK/hosting"
CONFIG_JSON="{\"apiBaseUrl\":\"/\",\"relayUrl\":\"$RELAY_WS_URL\"}"
if $DRY_RUN; then
  show mkdir -p "$HOSTING" && show cp -R web/dist "$HOSTING/public"
  printf '+ %s\n' "printf '%s\\n' '$CONFIG_JSON' > $HOSTING/public/config.json"
  show node infra/render-firebase-json.mjs "$ROOT/firebase.json" "$REGION" "$HOSTING/firebase.json"
else
  mkdir -p "$HOSTING"
  cp -R web/dist "$HOSTING/public"
  printf '%s\n' "$CONFIG_JSON" >"$HOSTING/public/config.json"
  node infra/render-firebase-json.mjs "$ROOT/firebase.json" "$REGION" "$HOSTING/firebase.json"
fi
run "${FIREBASE[@]}" deploy --project="$PROJECT_ID" --config="$HOSTING/firebase.json" --only=hosting --non-interactive

say "Done"
cat <<EOF
Dashboard:             $PUBLIC_BASE_URL
Relay WebSocket:       $RELAY_WS_URL/ws/calls/transcriptions
ElevenLabs post-call:  $PUBLIC_BASE_URL/webhooks/elevenlabs
Twilio (per call):     $PUBLIC_BASE_URL/webhooks/twilio/{voice,status,transcription}?callId=…
Create a dispatcher:   see docs/DEPLOY.md ("First user").
EOF
