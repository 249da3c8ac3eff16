#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion of cowstat (tools/completion/cowstat): sourced into a
# plain bash, _cowstat is called with COMP_WORDS and COMP_CWORD as readline
# would set them, and COMPREPLY must be the expected words: options, the
# field names of --sort (also as --sort=), PIDs of /proc, nothing after a
# PID or where a number is wanted.  Prints TAP.
. "$(dirname "$0")/lib.sh"
comp=$top/tools/completion/cowstat

# complete WORDS...: COMPREPLY, one word a line, sorted, for the line WORDS
# with the cursor at the end of the last word ("" for a new word).
complete_line() {
	bash --norc --noprofile -c '
		source "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_cowstat || exit 1
		for w in "${COMPREPLY[@]}"; do echo "$w"; done' _ "$comp" "$@" | sort
}

# case NAME WANT WORDS...: WANT is the expected words, space-separated.
case_is() {
	local name=$1 want=$2
	shift 2
	complete_line "$@" >"$tmp/got"
	tr ' ' '\n' <<<"$want" | sed '/^$/d' | sort >"$tmp/want"
	diff -u "$tmp/want" "$tmp/got" >"$tmp/log"
	result $? "complete '$*': $name" "$tmp/log"
}

# --sort's fields come from the cowstat being completed: the one built
# here, first in PATH.
if ! make -s -C "$top/tools" cowstat >"$tmp/log" 2>&1; then
	result 1 "build tools/cowstat" "$tmp/log"
	echo "1..$n"
	exit 1
fi
PATH=$top/tools:$PATH
fields="$(cowstat --list-fields | tr '\n' ' ')pid"
all="--json --prometheus --vmas --pages --watch --sort --top --record --interval --backend"
all="$all --list-fields --help --version"

bash --norc --noprofile -c 'source "$1" && complete -p cowstat' _ "$comp" >"$tmp/log" 2>&1
grep -qx 'complete -F _cowstat cowstat' "$tmp/log"
result $? "sourcing it registers _cowstat for cowstat" "$tmp/log"
if command -v shellcheck >/dev/null; then
	shellcheck -s bash "$comp" >"$tmp/log" 2>&1
	result $? "shellcheck -s bash is silent on it" "$tmp/log"
else
	n=$((n + 1))
	echo "ok $n shellcheck -s bash is silent on it # SKIP no shellcheck"
fi

case_is "every option" "$all" cowstat --
case_is "a prefix" "--sort" cowstat --so
case_is "--p: --pages, --prometheus" "--pages --prometheus" cowstat --p
case_is "field names after --sort" "$fields" cowstat --sort ""
grep -qw cow_broken <<<"$fields" && grep -qw skipped_vmas <<<"$fields"
result $? "--list-fields gave the fields ($fields)"
# From the cowstat on the line, so that a new field needs no edit here.
printf '#!/bin/sh\n[ "$1" = --list-fields ] && printf "rss\\nmlocked\\n"\n' >"$tmp/cowstat"
chmod +x "$tmp/cowstat"
case_is "field names from the cowstat typed" "rss mlocked pid" "$tmp/cowstat" --sort ""
PATH=/usr/bin:/bin case_is "only pid when no cowstat can run" "pid" /nonexistent/cowstat --sort ""
cp "$tmp/cowstat" "$tmp/other"
case_is "a command not named cowstat is not run" "$fields" "$tmp/other" --sort ""
case_is "field names by prefix" "cow_broken cow_faults" cowstat --sort c
case_is "backends after --backend" "module pagemap" cowstat --backend ""
case_is "backends after --backend=" "pagemap" cowstat --backend=p
case_is "--sort=, split at = as readline does" "$fields" cowstat --sort = ""
case_is "--sort=anon_" "anon_shared anon_private" cowstat --sort = anon_
case_is "--sort=c as one word" "cow_broken cow_faults" cowstat --sort=c
case_is "nothing after --watch (seconds)" "" cowstat --watch ""
case_is "nothing after --top (a count)" "" cowstat --top ""
case_is "after --json: not --prometheus, --watch, --sort, --top, --record, --interval" \
	"--vmas --pages --backend --list-fields --help --version" cowstat --json --
case_is "after --prometheus: not --vmas either" "--pages --backend --list-fields --help --version" \
	cowstat --prometheus --
case_is "given options, and those they exclude, are not offered" \
	"--pages --sort --top --backend --list-fields --help --version" cowstat --vmas --watch 2 --
case_is "nothing after the PID" "" cowstat 1 ""
case_is "options after the PID" "--pages" cowstat 1 --pa
case_is "after --record FILE: --interval, --vmas" \
	"--interval --vmas --backend --list-fields --help --version" \
	cowstat --record r.jsonl --
case_is "nothing after --interval (seconds)" "" cowstat --record r --interval ""
case_is "the plot subcommand" "plot" cowstat pl
case_is "plot's options" "-o --top --help" cowstat plot -

# PIDs: those of /proc, with the prefix typed; --top's value is no PID.
complete_line cowstat "" >"$tmp/got"
{ echo "$$ and 1 among $(wc -l <"$tmp/got") words:"; head "$tmp/got"; } >"$tmp/log"
grep -qx "$$" "$tmp/got" && grep -qx 1 "$tmp/got" && grep -qx plot "$tmp/got" &&
	[ "$(grep -cv '^[0-9][0-9]*$' "$tmp/got")" -eq 1 ]
result $? "complete 'cowstat ': the PIDs of /proc, and plot" "$tmp/log"
mkdir -p "$tmp/files" && touch "$tmp/files/rec.jsonl"
case_is "plot FILE: file names" "$tmp/files/rec.jsonl" cowstat plot "$tmp/files/r"
case_is "--record FILE: file names" "$tmp/files/rec.jsonl" cowstat --record "$tmp/files/r"
complete_line cowstat --top 5 "$$" >"$tmp/got"
{ echo "complete 'cowstat --top 5 $$':"; head "$tmp/got"; } >"$tmp/log"
grep -qx "$$" "$tmp/got" && ! grep -qv "^$$" "$tmp/got"
result $? "complete 'cowstat --top 5 PREFIX': PIDs with that prefix" "$tmp/log"

# With bash-completion loaded as well, nothing changes.
bc=/usr/share/bash-completion/bash_completion
if [ -r "$bc" ]; then
	bash --norc --noprofile -c '
		source "$1" >/dev/null 2>&1; source "$2" || exit 1
		COMP_WORDS=(cowstat --sort cow_b); COMP_CWORD=2
		_cowstat && echo "${COMPREPLY[*]}"' _ "$bc" "$comp" >"$tmp/log" 2>&1
	grep -qx cow_broken "$tmp/log"
	result $? "with bash-completion loaded too" "$tmp/log"
fi

echo "1..$n"
exit $((fails > 0))
