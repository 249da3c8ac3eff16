#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make -C tools install` and `uninstall`, always into a DESTDIR under a
# temporary directory (never the real system): with PREFIX=/usr and with
# the default /usr/local, exactly the expected files with the expected
# modes; the service names the installed script and CLI; the installed
# units pass `systemd-analyze verify` without a word; the installed CLI,
# script, man page and completion work; uninstall leaves no file.  Prints
# TAP.
. "$(dirname "$0")/lib.sh"
tools=$top/tools

# files PREFIX: what install must put under DESTDIR, "MODE PATH" sorted.
files() {
	printf '%s\n' "755 $1/bin/cowstat" "755 $1/sbin/cowstat-textfile" \
		"755 $1/libexec/cowstat/cowstat-plot" \
		"644 $1/share/man/man8/cowstat.8" \
		"644 $1/share/bash-completion/completions/cowstat" \
		"644 $1/share/doc/cowstat/textfile.conf.example" \
		"644 $1/lib/systemd/system/cowstat-textfile.service" \
		"644 $1/lib/systemd/system/cowstat-textfile.timer" | sort
}

for prefix in /usr /usr/local; do
	d=$tmp/root$(echo "$prefix" | tr / _)
	if [ "$prefix" = /usr/local ]; then
		make -C "$tools" install DESTDIR="$d" >"$tmp/log" 2>&1	# the default PREFIX
	else
		make -C "$tools" install DESTDIR="$d" PREFIX="$prefix" >"$tmp/log" 2>&1
	fi
	result $? "make install DESTDIR=... PREFIX=$prefix" "$tmp/log"
	(cd "$d" && find . -type f -printf '%m /%P\n' | sort) >"$tmp/got"
	files "$prefix" >"$tmp/want"
	diff -u "$tmp/want" "$tmp/got" >"$tmp/log"
	result $? "PREFIX=$prefix: exactly the expected files, with their modes" \
		"$tmp/log"
	unit=$d$prefix/lib/systemd/system/cowstat-textfile.service
	grep -E '^(ExecStart|Environment=COWSTAT)=' "$unit" >"$tmp/log"
	grep -qx "ExecStart=$prefix/sbin/cowstat-textfile" "$unit" &&
		grep -qx "Environment=COWSTAT=$prefix/bin/cowstat" "$unit"
	result $? "PREFIX=$prefix: the service runs the installed script, with the installed CLI" \
		"$tmp/log"
	cmp -s "$d$prefix/bin/cowstat" "$tools/cowstat" &&
		cmp -s "$d$prefix/sbin/cowstat-textfile" "$tools/cowstat-textfile" &&
		cmp -s "$d$prefix/share/man/man8/cowstat.8" "$tools/cowstat.8"
	result $? "PREFIX=$prefix: the installed files are the built ones"

	# The installed pieces work.
	"$d$prefix/bin/cowstat" -V >"$tmp/log" 2>&1 &&
		"$d$prefix/bin/cowstat" plot --help >>"$tmp/log" 2>&1 &&
		"$d$prefix/sbin/cowstat-textfile" -h >>"$tmp/log" 2>&1 &&
		bash --norc --noprofile -c 'source "$1" && complete -p cowstat' _ \
			"$d$prefix/share/bash-completion/completions/cowstat" >>"$tmp/log" 2>&1
	result $? "PREFIX=$prefix: cowstat -V, cowstat plot --help, cowstat-textfile -h, completion" \
		"$tmp/log"
	if command -v man >/dev/null; then
		MANWIDTH=80 man --warnings -l "$d$prefix/share/man/man8/cowstat.8" \
			2>"$tmp/log" >/dev/null && [ ! -s "$tmp/log" ]
		result $? "PREFIX=$prefix: the installed man page renders" "$tmp/log"
	fi
	# systemd-analyze checks ExecStart= on this host: point it into DESTDIR.
	if command -v systemd-analyze >/dev/null; then
		mkdir -p "$tmp/units"
		sed "s|^ExecStart=|ExecStart=$d|" "$unit" >"$tmp/units/cowstat-textfile.service"
		cp "$d$prefix/lib/systemd/system/cowstat-textfile.timer" "$tmp/units/"
		systemd-analyze verify --man=no "$tmp/units/cowstat-textfile.service" \
			"$tmp/units/cowstat-textfile.timer" >"$tmp/log" 2>&1 && [ ! -s "$tmp/log" ]
		result $? "PREFIX=$prefix: systemd-analyze verify is silent on the units" "$tmp/log"
	else
		skip "PREFIX=$prefix: systemd-analyze verify" "no systemd-analyze"
	fi

	if [ "$prefix" = /usr/local ]; then
		make -C "$tools" uninstall DESTDIR="$d" >"$tmp/log" 2>&1
	else
		make -C "$tools" uninstall DESTDIR="$d" PREFIX="$prefix" >"$tmp/log" 2>&1
	fi
	rc=$?
	(cd "$d" && find . -type f) >>"$tmp/log"
	[ "$rc" -eq 0 ] && [ -z "$(cd "$d" && find . -type f)" ]
	result $? "PREFIX=$prefix: make uninstall leaves no file" "$tmp/log"
done

echo "1..$n"
exit $((fails > 0))
