#!/bin/sh
# One run on a cluster: set the shared start time, apply, wait for every slice, collect each
# pod's result from its log and merge them exactly. Usage: infra/k8s/run.sh [RESULTS_DIR] [LEAD_SECONDS]
# Not run here (no cluster is reachable from where this was written); bench:hosts simulates it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-results/k8s-$(date -u +%Y%m%dT%H%M%SZ)}
lead=${2:-120}
mkdir -p "$dir"
# Long enough for every pod to be scheduled, pull the image and fork its shard.
echo "C1M_START_AT=$(date -u -d "+${lead} seconds" +%Y-%m-%dT%H:%M:%SZ)" > "$here/start.env"
kubectl delete job c1m-load -n c1m --ignore-not-found --wait=true
kubectl apply -k "$here"
kubectl rollout status deployment/c1m-server -n c1m --timeout=300s
kubectl wait job/c1m-load -n c1m --for=condition=Complete --timeout=3600s || echo "the Job did not complete: merging what the slices printed"
count=$(kubectl get job c1m-load -n c1m -o jsonpath='{.spec.completions}')
i=0
while [ "$i" -lt "$count" ]; do
  pod=$(kubectl get pods -n c1m -l "app.kubernetes.io/name=c1m-load,batch.kubernetes.io/job-completion-index=$i" -o jsonpath='{.items[0].metadata.name}')
  kubectl logs -n c1m "$pod" > "$dir/slice-$i.log"
  i=$((i + 1))
done
pnpm merge-results "$dir"
