#!/bin/bash
# house.sh - the layout of milter/ (README "Where things are"), checked:
#   1. the layer order, written once as EM_LAYERS in Makefile.am (one
#      source variable per folder follows it): a file includes project
#      headers only from its own folder or a folder below it, never from
#      one above;
#   2. no circle of files: a module (X.c with its X.h) that includes
#      another's header depends on it, and no chain of such dependencies
#      comes back to where it started;
#   3. the header rule: X.h declares the functions of X.c and no other
#      file's; a header with no X.c beside it (a folder header) declares
#      types only;
#   4. include lines are written from milter/ ("dns/resolver.h"), so each
#      shows its layer.
set -u
. "$SRCDIR/tests/lib.sh"
LAYERS=$(sed -n 's/^EM_LAYERS = //p' "$SRCDIR/Makefile.am")
check "Makefile.am names the layers (EM_LAYERS: ${LAYERS:-none})" [ -n "$LAYERS" ]
cd "$SRCDIR/milter" || exit 1
rank() {
	local i=0 l
	for l in $LAYERS; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo 99		# main.c, at the top
}

# Every file, and the project headers it includes, one "FILE HEADER" a line.
files=$(find . -name '*.[ch]' | sed 's|^\./||' | sort)
includes=$(for f in $files; do
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r h; do
		case "$h" in config.h|paths.h) continue ;; esac
		echo "$f $h"
	done
done)

# 1 and 4.
against= unrooted= unknown=
while read -r f h; do
	[ -n "$f" ] || continue
	case "$h" in */*) ;; *) unrooted="$unrooted $f:$h"; continue ;; esac
	[ -f "$h" ] || { unknown="$unknown $f:$h"; continue; }
	case "$f" in */*) ff=${f%%/*} ;; *) ff=main ;; esac
	[ "$(rank "${h%%/*}")" -le "$(rank "$ff")" ] || against="$against $f->$h"
done <<<"$includes"
check "include lines are written from milter/ (not:${unrooted:- none})" [ -z "$unrooted" ]
check "every included project header exists (not:${unknown:- none})" [ -z "$unknown" ]
check "no include runs up the layers $LAYERS (found:${against:- none})" [ -z "$against" ]
for l in $LAYERS; do
	[ -d "$l" ] || { check "layer folder $l exists" false; continue; }
done
strays=$(for f in $files; do
	case "$f" in */*) d=${f%%/*}; [ "$(rank "$d")" = 99 ] && echo "$f" ;; esac
done | tr '\n' ' ')
check "every source file is in a layer folder or is main.c (strays: ${strays:-none})" [ -z "$strays" ]

# 2. The module graph through tsort, which names the files of a loop.
loops=$(while read -r f h; do
	[ -n "$f" ] || continue
	a=${f%.[ch]} b=${h%.h}
	[ "$a" = "$b" ] || echo "$b $a"
done <<<"$includes" | tsort 2>&1 >/dev/null | sed -n 's/^tsort: //p' |
    grep -v 'input contains a loop' | tr '\n' ' ')
check "no circle of files (in a loop:${loops:+ }${loops:-none})" [ -z "$loops" ]

# 3. What each header declares: the first line of each prototype starts
#    in column 0 with its type, and names the function before "(".
bad=
for h in $(printf '%s\n' $files | grep '\.h$'); do
	c=${h%.h}.c
	names=$(grep -E '^[A-Za-z_][A-Za-z0-9_ *]*[ *]\**[a-z_][a-z0-9_]*\(' "$h" |
	    grep -vE '^(typedef|static|#|extern)' |
	    sed -E 's/^[^(]*[ *]([a-z_][a-z0-9_]*)\(.*/\1/')
	for n in $names; do
		if [ ! -f "$c" ]; then
			bad="$bad $h:$n"
		elif ! grep -qE "^$n\(" "$c"; then
			bad="$bad $h:$n"
		fi
	done
done
check "each header declares only its own .c file's functions (not:${bad:- none})" [ -z "$bad" ]
exit $TEST_FAILED
