#!/usr/bin/env bash
# Judges are pure (issue 10, HACKING.md "Adding a check"): in src/doctor/doctor_*.c the judge
# comes first and the gatherer under "---- gather (I/O) ----"; above that line (the whole file
# when there is none) no call may read a file, run a program, touch the network or read the
# clock, and no file of src/doctor but doctor_render.c calls jansson (json_*). A static check
# of the source (comments and strings removed), naming file and line.
. "$(dirname "$0")/../lib/tap.sh"
plan 5

IO='open|openat|openat2|read|write|close|stat|lstat|fstat|access|opendir|readdir|fopen|popen|system|spawn_run|spawn_which|root_(open|stat|exists|entry_exists|opendir|mkdir|path)|read_file_bounded|read_input|now_ms|time|clock_gettime|gettimeofday|mount_health_check|probe_run|probe_loop|probe_loop_hooked|probe_tsmp|getenv|fork|socket|connect|poll|sleep|usleep|nanosleep|node_detect|mountinfo_read'

# Prints "FILE:LINE: CALL" for every forbidden call under directory $1 (a src/doctor).
impure() {
	local dir=$1 f files=()
	for f in "$dir"/doctor_*.c; do
		case $f in *_test.c) continue ;; esac
		files+=("$f")
	done
	# One Python for all the files (one per file took 38 s of a CI run under load).
	python3 - "$IO" "${files[@]}" <<'EOF'
import re, sys
io = sys.argv[1]
def blank(m):  # keep the line count
    return re.sub(r"[^\n]", " ", m.group(0))
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8", errors="replace").read()
    name = path.rsplit("/", 1)[1]
    code = re.sub(r"/\*.*?\*/|//[^\n]*", blank, text, flags=re.S)
    code = re.sub(r'"(\\.|[^"\\\n])*"', blank, code)
    code = re.sub(r"'(\\.|[^'\\\n])'", blank, code)
    cut = text.find("---- gather (I/O) ----")
    judge = code if cut < 0 else code[:cut]
    for m in re.finditer(r"(?<![\w.>])(%s)\s*\(" % io, judge):
        print("src/doctor/%s:%d: %s() in a judge" % (name, judge.count("\n", 0, m.start()) + 1,
                                                     m.group(1)))
    if name != "doctor_render.c":
        for m in re.finditer(r"(?<![\w.>])(json_\w+)\s*\(", code):
            print("src/doctor/%s:%d: %s() outside doctor_render.c" %
                  (name, code.count("\n", 0, m.start()) + 1, m.group(1)))
EOF
}

got=$(impure "$TOP/src/doctor")
check_eq "no judge in src/doctor reads a file, runs a program or reads the clock; no json_ outside doctor_render.c" "" "$got"
[ -z "$got" ] || diag "$got"
n=$(ls "$TOP"/src/doctor/doctor_*.c | grep -vc _test.c)
check "the check read the doctor sources ($n files)" test "$n" -ge 10

# The checker itself, on a copy: a stat() in a judge, json_ in a judge's file, and a call
# below the gather line (allowed).
mk_tmpdir T
cp -r "$TOP/src/doctor" "$T/a"
line=$(grep -n '^void doctor_judge_mount(' "$T/a/doctor_mount.c" | cut -d: -f1)
sed -i "$((line + 1))a\\	struct stat st_; (void)stat(\"/\", &st_);" "$T/a/doctor_mount.c"
check_match "a stat() in the mount judge is named with its line" \
	"^src/doctor/doctor_mount.c:$((line + 2)): stat\(\) in a judge$" "$(impure "$T/a")"
cp -r "$TOP/src/doctor" "$T/b"
printf 'static void x_(void) { json_decref(json_object()); }\n' >> "$T/b/doctor_node.c"
check_match "json_ in a judge's file is named" \
	"src/doctor/doctor_node.c:[0-9]+: json_decref\(\) outside doctor_render.c" "$(impure "$T/b")"
cp -r "$TOP/src/doctor" "$T/c"
printf 'static void y_(void) { (void)now_ms(); }\n' >> "$T/c/doctor_mount.c"
check_eq "a clock read below the gather line (in a gatherer) is allowed" "" "$(impure "$T/c")"
