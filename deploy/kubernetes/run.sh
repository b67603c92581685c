#!/usr/bin/env bash
# Runs one sharded load on the current kubectl context and namespace: the results volume, the
# load Job (N shards), then the merge Job once every shard has ended; prints the merge's summary,
# copies the merged result here and exits with `kmsconf report merge`'s exit code.
#
#   deploy/kubernetes/run.sh [OUT.json]        (default all.json)
#   KMSCONF_IMAGE=registry.example/kmsconf:1.0  the image to run (default: the manifests' kmsconf:dev)
#   KMSCONF_TIMEOUT=3600                        seconds to wait for each Job
set -euo pipefail
# A kubectl step that fails means no verdict: 3, never 1 (which says a threshold failed).
trap 'echo "run.sh: a kubectl step failed" >&2; exit 3' ERR

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-all.json}
image=${KMSCONF_IMAGE:-}
timeout=${KMSCONF_TIMEOUT:-3600}

# kubectl apply of a manifest, with the image replaced when KMSCONF_IMAGE is set.
apply() {
  if [ -n "$image" ]; then
    sed "s|image: kmsconf:dev|image: $image|" "$here/$1" | kubectl apply -f -
  else
    kubectl apply -f "$here/$1"
  fi
}

# Waits until the Job is Complete or Failed (kubectl wait follows one condition only); prints it.
wait_job() {
  local job=$1 deadline=$((SECONDS + timeout)) state=""
  while [ "$SECONDS" -lt "$deadline" ]; do
    state=$(kubectl get "job/$job" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')
    case "$state" in
      *Complete*) echo Complete; return 0 ;;
      *Failed*) echo Failed; return 0 ;;
    esac
    sleep 5
  done
  echo "run.sh: job/$job has not ended after ${timeout} s" >&2
  return 1
}

if ! kubectl get secret kmsconf-credentials >/dev/null 2>&1; then
  echo "run.sh: no Secret kmsconf-credentials: create it first (deploy/kubernetes/README.md)" >&2
  exit 2
fi
apply configmap.yaml
apply pvc.yaml
# Foreground: the old pods are gone, not still writing to the volume, once this returns.
kubectl delete job kmsconf-load kmsconf-merge --ignore-not-found --cascade=foreground
kubectl delete pod kmsconf-results --ignore-not-found --wait=true
apply results-pod.yaml
trap 'kubectl delete pod kmsconf-results --ignore-not-found --wait=false >/dev/null' EXIT
kubectl wait --for=condition=Ready pod/kmsconf-results --timeout="${timeout}s"
kubectl exec kmsconf-results -- sh -c 'rm -f /results/shard-*.json /results/all.json'

apply load-job.yaml
# A Job still running at the timeout has no verdict: exit 3, as kmsconf does.
state=$(wait_job kmsconf-load) || exit 3
echo "run.sh: kmsconf-load $state"
kubectl logs -l job-name=kmsconf-load --prefix --tail=20 || true

apply merge-job.yaml
wait_job kmsconf-merge >/dev/null || exit 3
kubectl logs job/kmsconf-merge
code=$(kubectl get pods -l job-name=kmsconf-merge \
  -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.exitCode}')
if kubectl exec kmsconf-results -- test -s /results/all.json; then
  kubectl cp kmsconf-results:/results/all.json "$out"
  echo "run.sh: merged result in $out"
fi
exit "${code:-3}"
