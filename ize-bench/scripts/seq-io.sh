#!/usr/bin/env bash
# First figure for the jnr-fuse transport: 1 GiB sequential write and read (1 MiB blocks, fio),
# natively on a source directory and through an Ize mount of it, in the same run; prints MiB/s and
# the ratio to native. Usage: ize-bench/scripts/seq-io.sh [WORKDIR]   (needs root: drops caches)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/var/tmp/ize-seq-io}
command -v fio >/dev/null || { apt-get update -qq && apt-get install -y -qq fio >/dev/null; }
mkdir -p "$work/src" "$work/mnt"
"$root/bin/ize" mount "$work/src" "$work/mnt" 2>"$work/ize.log" &
ize=$!
trap 'kill -TERM $ize 2>/dev/null; wait $ize 2>/dev/null || true; rm -rf "$work/src"' EXIT
for _ in $(seq 120); do grep -q " $work/mnt fuse" /proc/mounts && break; sleep 0.5; done

run() { # dir rw -> MiB/s
  fio --name=seq --directory="$1" --filename=seq.dat --rw="$2" --bs=1M --size=1G --ioengine=psync \
      --end_fsync=1 --output-format=terse --terse-version=3 2>/dev/null |
    awk -F';' -v rw="$2" '{ print (rw=="read" ? $7 : $48) / 1024 }'
}
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
row() { printf '%-26s %8.0f %8.0f %7.2f\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)"; }
printf '%-26s %8s %8s %7s\n' 'case (MiB/s)' native ize ratio
n=$(run "$work/src" write); rm -f "$work/src/seq.dat"
m=$(run "$work/mnt" write)
row 'seq write 1 GiB' "$n" "$m"
drop; n=$(run "$work/src" read)
drop; m=$(run "$work/mnt" read)
row 'seq read 1 GiB, cold' "$n" "$m"
n=$(run "$work/src" read); m=$(run "$work/mnt" read)
row 'seq read 1 GiB, warm' "$n" "$m"
